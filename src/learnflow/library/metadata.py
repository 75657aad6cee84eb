"""Title, description, site name and image of a web page, read from Open Graph, Twitter card and plain HTML meta
tags. The page is fetched through curation.fetcher (SSRF-safe, bounded in time and size); `metadata_parse` is pure
and never raises, whatever the bytes are."""
from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser

from learnflow.curation import fetcher

MAX_PAGE_BYTES = 2 * 1024 * 1024
_PARSE_LIMIT = 512 * 1024  # the head of any sane page is in its first half megabyte
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass
class PageMetadata:
    url: str = ""  # canonical (og:url or <link rel=canonical>), else where the page was found
    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""
    kind_hint: str = ""  # "video" / "audio" when og:type says so


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.canonical = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        a = {k.lower(): (v or "") for k, v in attrs if k}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
            if key and "content" in a and key not in self.meta:  # the first one wins, as in every consumer
                self.meta[key] = a["content"]
        elif tag == "title":
            self._in_title = True
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split() and not self.canonical:
            self.canonical = a.get("href", "")
        elif tag == "body":
            self.done = True  # the metadata lives in the head; a body full of <meta> is not trusted

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done and len(self.title_parts) < 50:
            self.title_parts.append(data)


def _clean(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", html.unescape(text or "")).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:limit].rstrip()


def _web_url(value: str, base: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        absolute = urllib.parse.urljoin(base, value) if base else value
        parts = urllib.parse.urlsplit(absolute)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or len(absolute) > 2000:
        return ""
    return absolute


def _decode(data: bytes, content_type: str = "") -> str:
    head = data[:_PARSE_LIMIT]
    candidates = []
    match = re.search(r"charset=([\w.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        candidates.append(match.group(1))
    if head.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    found = _CHARSET.search(head[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return head.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return head.decode("utf-8", errors="replace")


def site_from_url(url: str) -> str:
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def metadata_parse(data: bytes, *, url: str = "", content_type: str = "") -> PageMetadata:
    """Read what a page says about itself. Never raises: malformed HTML gives what could be read."""
    parser = _HeadParser()
    try:
        parser.feed(_decode(data or b"", content_type))
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient, but a hostile page must never break a save
        pass
    m = parser.meta

    def first(*keys: str) -> str:
        for key in keys:
            if m.get(key, "").strip():
                return m[key]
        return ""

    canonical = _web_url(first("og:url") or parser.canonical, url) or url
    og_type = first("og:type").lower()
    return PageMetadata(
        url=canonical,
        title=_clean(first("og:title", "twitter:title") or "".join(parser.title_parts), 300),
        description=_clean(first("og:description", "twitter:description", "description"), 1000),
        site_name=_clean(first("og:site_name", "application-name") or site_from_url(canonical), 200),
        image_url=_web_url(first("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
                                 "twitter:image:src"), canonical),
        kind_hint="video" if og_type.startswith("video") else "audio" if og_type.startswith(("music", "audio")) else "",
    )


def metadata_fetch(url: str) -> PageMetadata:
    """Fetch `url` safely and read its metadata. Raises fetcher.FetchError (with a sentence for the person)."""
    response = fetcher.fetch(url, max_bytes=MAX_PAGE_BYTES)
    content_type = response.headers.get("content-type", "")
    if content_type and not any(t in content_type.lower() for t in ("html", "xml")):
        # A PDF or a video file: nothing to read, but the address itself is a fine resource.
        return PageMetadata(url=response.url, site_name=site_from_url(response.url))
    return metadata_parse(response.content, url=response.url, content_type=content_type)
