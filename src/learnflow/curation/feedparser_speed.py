"""Two ways of making feedparser cheaper without changing what it returns.

Character data in one piece: expat hands text to the SAX handler in many small pieces (one at each entity
reference, and an HTML summary escaped inside XML is full of them), and feedparser pays a slow dictionary lookup
per piece. With expat's `buffer_text` the pieces between two other events arrive as one; the text is the same.

One markup pass instead of two for feed content: feedparser resolves relative links in a content element (one
sgmllib parse and re-serialisation) and then sanitises the result (a second parse). Both run on exactly the same
elements (its `can_contain_relative_uris` and `can_contain_dangerous_markup` are the same set) and only when both
options are on; here they are done in one pass that resolves each URI attribute and then applies the sanitiser's
own rules to it. This halves feedparser's cost on HTML-heavy feeds (the larger part of ingesting one). The corpus
test (tests/test_feed_corpus.py) holds the results to feedparser's own expectations, and tests/test_feedparser_speed.py
holds feedparser's result with these on equal to its result without them, over the whole corpus.

Only our own calls use them: `combined_passes()` switches them on for the current thread while `feedparser.parse`
runs; any other caller of feedparser in the process gets its unchanged behaviour.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from xml.sax.expatreader import ExpatParser

import feedparser.mixin as fp_mixin
from feedparser.sanitizer import _HTMLSanitizer
from feedparser.sanitizer import _sanitize_html as original_sanitize
from feedparser.urls import RelativeURIResolver, make_safe_absolute_uri
from feedparser.urls import resolve_relative_uris as original_resolve

_state = threading.local()


class _ResolvingSanitizer(_HTMLSanitizer):
    relative_uris = RelativeURIResolver.relative_uris

    def __init__(self, baseuri: str, encoding: str, _type: str) -> None:
        super().__init__(encoding, _type)
        self.baseuri = baseuri

    def unknown_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        # What RelativeURIResolver.unknown_starttag does to the attributes, before the sanitiser sees them.
        attrs = self.normalize_attrs(attrs)
        attrs = [(key, ((tag, key) in self.relative_uris) and make_safe_absolute_uri(self.baseuri, value.strip())
                  or value) for key, value in attrs]
        super().unknown_starttag(tag, attrs)


def resolve_and_sanitize(html_source: str, base_uri: str, encoding: str, type_: str) -> str:
    """`_sanitize_html(resolve_relative_uris(html, base, …), …)` in one pass. Declarations, comments, marked
    sections and processing instructions ("<!", "<?") go the two-pass way: the first pass rewrites them (a CDATA
    section, say) before the sanitiser's own treatment, which one pass cannot reproduce. They are rare in feeds."""
    if "<!" in html_source or "<?" in html_source:
        return original_sanitize(original_resolve(html_source, base_uri, encoding, type_), encoding, type_)
    parser = _ResolvingSanitizer(base_uri, encoding, type_)
    parser.feed(html_source.replace("<![CDATA[", "&lt;![CDATA["))
    return parser.output().strip().replace("\r\n", "\n")


def _resolve(html_source, base_uri, encoding, type_):  # type: ignore[no-untyped-def]
    if getattr(_state, "on", False):
        # Deferred: feedparser's pop() sanitises this very output next (same elements, both options on).
        _state.pending = (html_source, base_uri)
        return html_source
    return original_resolve(html_source, base_uri, encoding, type_)


def _sanitize(html_source, encoding, type_):  # type: ignore[no-untyped-def]
    pending = getattr(_state, "pending", None)
    _state.pending = None
    if getattr(_state, "on", False) and pending is not None and pending[0] is html_source:
        return resolve_and_sanitize(html_source, pending[1], encoding, type_)
    return original_sanitize(html_source, encoding, type_)


@contextlib.contextmanager
def combined_passes() -> Iterator[None]:
    """For a `feedparser.parse(…, resolve_relative_uris=True, sanitize_html=True)` call inside it."""
    _state.on, _state.pending = True, None
    try:
        yield
    finally:
        _state.on, _state.pending = False, None


_original_reset = ExpatParser.reset


def _reset(self):  # type: ignore[no-untyped-def]
    _original_reset(self)
    if getattr(_state, "on", False):
        self._parser.buffer_text = True


def install() -> None:
    if getattr(fp_mixin.resolve_relative_uris, "learnflow", False):
        return
    ExpatParser.reset = _reset
    _resolve.learnflow = True  # type: ignore[attr-defined]
    fp_mixin.resolve_relative_uris = _resolve
    fp_mixin._sanitize_html = _sanitize
