"""OPML import and export of subscriptions. Parsing uses expat directly with DOCTYPEs and entity declarations
refused, so no document can expand entities (billion laughs) or reach out for external ones."""
from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

MAX_OPML_BYTES = 2 * 1024 * 1024


class OpmlError(ValueError):
    pass


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str
    category: str  # the title of the enclosing outline, if any
    line: int = 0  # where the outline starts in the file, to name it in an error


def opml_read(data: bytes) -> list[OpmlFeed]:
    """The feeds an OPML document lists (outlines with an xmlUrl), with the enclosing outline's title as category."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError("The OPML file is larger than 2 MB.")
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    feeds: list[OpmlFeed] = []
    stack: list[str] = []
    seen_root: list[str] = []

    def refuse(*_args) -> None:
        raise OpmlError("OPML files with a DOCTYPE or entity declarations are not accepted.")

    def start(name: str, attrs: dict[str, str]) -> None:
        if not seen_root:
            seen_root.append(name)
            if name.lower() != "opml":
                raise OpmlError("Not an OPML document.")
        if name.lower() != "outline":
            return
        url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        title = (attrs.get("title") or attrs.get("text") or "").strip()
        if url:
            feeds.append(OpmlFeed(url=url, title=title, category=next((s for s in reversed(stack) if s), ""),
                                  line=parser.CurrentLineNumber))
        stack.append("" if url else title)

    def end(name: str) -> None:
        if name.lower() == "outline" and stack:
            stack.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise OpmlError(f"The OPML file is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)}).") from exc
    if not seen_root:
        raise OpmlError("Not an OPML document.")
    return feeds


def opml_write(*, title: str, groups: list[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """An OPML 2.0 document: one outline per group (a topic) holding its feeds as (url, title) pairs."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<opml version="2.0">',
             f"  <head><title>{_text(title)}</title></head>", "  <body>"]
    for group, feeds in groups:
        lines.append(f"    <outline text={quoteattr(group)} title={quoteattr(group)}>")
        for url, feed_title in feeds:
            label = feed_title or url
            lines.append(f"      <outline type=\"rss\" text={quoteattr(label)} title={quoteattr(label)} "
                         f"xmlUrl={quoteattr(url)}/>")
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
