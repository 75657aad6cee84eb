"""Markdown for user content: CommonMark rendered by markdown-it-py, then sanitised by nh3 (Ammonia), so no
script, event handler, style or javascript: URL survives, whatever the author typed."""
from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "mark",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
                       "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable(
        "strikethrough")


def render_markdown(text: str) -> SafeString:
    text = text or ""
    # The same texts (a community's description, a resource's body) are shown on every visit: rendering and
    # sanitising them again each time costs milliseconds. The result depends on the text alone.
    return _render_cached(text) if len(text) <= 20_000 else _render(text)


@lru_cache(maxsize=512)
def _render_cached(text: str) -> SafeString:
    return _render(text)


def _render(text: str) -> SafeString:
    html = _parser().render(text)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # nh3 output is sanitised HTML


def plain_text(text: str, limit: int = 240) -> str:
    """A one-line, tag-free excerpt for lists and notifications: real text, not HTML. nh3 returns its text still
    entity-encoded (`&lt;b&gt;`); it is unescaped once here, so whatever shows it escapes it exactly once (templates,
    format_html, feeds) and JSON carries what the author typed. Never mark it safe."""
    stripped = html.unescape(nh3.clean(_parser().render(text or ""), tags=set()))
    stripped = " ".join(stripped.split())
    return stripped if len(stripped) <= limit else stripped[: limit - 1].rstrip() + "…"
