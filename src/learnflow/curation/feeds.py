"""Feed documents (RSS, Atom, JSON Feed) → normalised items. `feed_parse` never raises: a malformed, mis-encoded or
hostile document gives a ParsedFeed with an `error` and whatever items could be read.

RSS and Atom go through feedparser; JSON Feed 1.0/1.1 through the small reader below, which builds the same shape
of result (a FeedParserDict) so that everything after parsing is one path.
"""
from __future__ import annotations

import calendar
import datetime as dt
import html
import io
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Mapping

import feedparser
import nh3
from feedparser.datetimes import _parse_date
from feedparser.util import FeedParserDict

from learnflow.curation import feedparser_speed

MAX_ITEMS = 500  # a hostile feed cannot flood an inbox
MAX_TITLE = 500
MAX_LINK = 2000
MAX_SUMMARY_IN = 100_000
MAX_SUMMARY = 20_000
SUMMARY_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4"}
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
                   "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid"}
JSON_FEED_VERSIONS = {"https://jsonfeed.org/version/1": "json1", "https://jsonfeed.org/version/1.1": "json11",
                      "http://jsonfeed.org/version/1": "json1", "http://jsonfeed.org/version/1.1": "json11"}


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    canonical_link: str
    summary: str
    published: dt.datetime | None
    author: str
    guid: str


@dataclass
class ParsedFeed:
    title: str = ""
    link: str = ""
    format: str = ""
    items: list[FeedItem] = field(default_factory=list)
    skipped: int = 0  # entries without a web link
    error: str = ""
    result: Any = None  # the feedparser-shaped result, for diagnostics and the corpus test


# --- links ------------------------------------------------------------------------------------------------------

def canonical_link(url: str) -> str:
    """The form of a link that two copies of the same article share: lower-case scheme and host, no default port,
    no fragment, no tracking parameters (utm_* and click ids), no trailing slash, parameters in a stable order.
    Returns "" for anything but an absolute http(s) link."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    # Percent-encoded, so the key is plain ASCII (and fits a database index) however the feed wrote it.
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=-._~").rstrip("/") or "/"
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    result = urllib.parse.urlunsplit((scheme, host, path, urllib.parse.urlencode(sorted(query)), ""))
    return result if len(result) <= MAX_LINK else ""


def _web_link(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip().replace(" ", "%20")
    if safe_text(value) != value or "".join(value.split()) != value:
        return ""
    return value if value.lower().startswith(("http://", "https://")) and len(value) <= MAX_LINK else ""


def _base_url(url: str, headers: Mapping[str, str]) -> str:
    """Where relative links point: Content-Location resolved against the URL fetched, if it is a web address."""
    location = headers.get("content-location", "")
    if url and location:
        joined = urllib.parse.urljoin(url, location)
        if joined.lower().startswith(("http://", "https://")):
            return joined
    return url or (location if location.lower().startswith(("http://", "https://")) else "")


# --- parsing ----------------------------------------------------------------------------------------------------

def feed_parse(data: bytes, *, url: str = "", headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse one feed document as fetched from `url` with response `headers` (both optional, for local files)."""
    headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    try:
        if _looks_like_json(data, headers):
            result = _parse_json_feed(data, url=url)
        else:
            result = _parse_xml_feed(data, url=url, headers=headers)
        return _normalise(result)
    except Exception as exc:  # noqa: BLE001 - the promise is that no document breaks ingestion
        return ParsedFeed(error=f"The document could not be read as a feed ({type(exc).__name__}).")


def _looks_like_json(data: bytes, headers: Mapping[str, str]) -> bool:
    # The body decides when it can (servers mislabel feeds); the Content-Type only when the body is ambiguous.
    first = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type in ("application/feed+json", "application/json")


def _parse_xml_feed(data: bytes, *, url: str, headers: dict[str, str]) -> FeedParserDict:
    response_headers = dict(headers)
    base = _base_url(url, headers)
    if base:
        response_headers["content-location"] = base
    # A stream, never bytes or str: feedparser treats a string that looks like a URL or a path as one to open.
    # Both markup options on, explicitly: combined_passes() does them in one pass (see feedparser_speed).
    with feedparser_speed.combined_passes():
        result = feedparser.parse(io.BytesIO(data), response_headers=response_headers, resolve_relative_uris=True,
                                  sanitize_html=True)
    # What feedparser's own HTTP client would have recorded had it fetched the document itself.
    if url:
        result["href"] = url
    if headers.get("etag"):
        result["etag"] = headers["etag"]
    if headers.get("last-modified"):
        result["modified"] = headers["last-modified"]
        result["modified_parsed"] = _parse_date(headers["last-modified"])
    for entry in result.get("entries", []):
        _prefer_alternate_link(entry)
    return result


def _prefer_alternate_link(entry: FeedParserDict) -> None:
    # feedparser 6.0.14 lets a later <link rel="enclosure">text</link> overwrite the alternate link of an entry;
    # the alternate (HTML) link is the article, so it wins (as in feedparser's main branch).
    for link in entry.get("links", []):
        if link.get("rel") == "alternate" and link.get("href") and "html" in str(link.get("type", "text/html")):
            entry["link"] = link["href"]
            return


def _parse_json_feed(data: bytes, *, url: str) -> FeedParserDict:
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={}, version="", encoding="utf-8",
                            namespaces={})
    if url:
        result["href"] = url
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        result["bozo"] = True
        result["bozo_exception"] = exc
        return result
    if not isinstance(doc, dict):
        result["bozo"] = True
        result["bozo_exception"] = ValueError("A JSON Feed is an object.")
        return result
    result["version"] = JSON_FEED_VERSIONS.get(str(doc.get("version", "")), "json")
    feed = result["feed"]
    for key, target in (("title", "title"), ("home_page_url", "link"), ("description", "subtitle"),
                        ("icon", "image"), ("language", "language")):
        if isinstance(doc.get(key), str):
            feed[target] = doc[key]
    feed_author = _json_author(doc)
    if feed_author:
        feed["author"] = feed_author
    items = doc.get("items")
    if not isinstance(items, list):
        result["bozo"] = True
        result["bozo_exception"] = ValueError("A JSON Feed has a list of items.")
        return result
    for raw in items[:MAX_ITEMS]:
        if isinstance(raw, dict):
            result["entries"].append(_json_entry(raw, base=url or str(doc.get("feed_url") or "")))
    return result


def _json_author(obj: dict) -> str:
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            return author["name"]
    return ""


def _json_entry(raw: dict, *, base: str) -> FeedParserDict:
    entry = FeedParserDict()
    text = lambda key: raw[key] if isinstance(raw.get(key), str) else ""  # noqa: E731
    if raw.get("id") is not None and isinstance(raw["id"], (str, int, float)):
        entry["id"] = str(raw["id"])
    if text("title"):
        entry["title"] = text("title")
    link = text("url") or text("external_url")
    if link:
        entry["link"] = urllib.parse.urljoin(base, link) if base else link
        entry["links"] = [FeedParserDict(rel="alternate", type="text/html", href=entry["link"])]
    body = text("content_html") or html.escape(text("content_text"))
    summary = text("summary") or body
    if summary:
        entry["summary"] = summary
    if body:
        entry["content"] = [FeedParserDict(value=body, type="text/html" if text("content_html") else "text/plain")]
    for key, target in (("date_published", "published"), ("date_modified", "updated")):
        if text(key):
            entry[target] = text(key)
            entry[f"{target}_parsed"] = _parse_date(text(key))
    author = _json_author(raw)
    if author:
        entry["author"] = author
    tags = raw.get("tags")
    if isinstance(tags, list):
        entry["tags"] = [FeedParserDict(term=t, scheme=None, label=None) for t in tags if isinstance(t, str)]
    return entry


# --- normalisation ----------------------------------------------------------------------------------------------

# Control characters (NUL above all: PostgreSQL refuses it in text) and lone surrogates (not encodable as UTF-8),
# which a JSON Feed or a loosely parsed XML feed can carry, never reach the database.
_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {0x7F: None}


def safe_text(value: str) -> str:
    return value.encode("utf-8", "replace").decode("utf-8").translate(_CONTROL)


def _plain(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    text = safe_text(value[:limit * 4])
    # Without "<" or "&" there is no markup to drop and no entity to read (the sanitiser would only escape and the
    # unescape undo it): most titles and names, and the sanitiser is the costly part of this.
    if "<" in text or "&" in text:
        text = html.unescape(nh3.clean(text, tags=set()))
    return safe_text(" ".join(text.split()))[:limit]


def _summary(entry: FeedParserDict) -> str:
    raw = entry.get("summary") or ""
    if not raw:
        content = entry.get("content") or []
        raw = content[0].get("value", "") if content and isinstance(content[0], dict) else ""
    if not isinstance(raw, str) or not raw:
        return ""
    cleaned = nh3.clean(safe_text(raw[:MAX_SUMMARY_IN]), tags=SUMMARY_TAGS, attributes={"a": {"href", "title"}},
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return cleaned[:MAX_SUMMARY]


def _published(entry: FeedParserDict) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.timezone.utc)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
    return None


def entry_link(entry: FeedParserDict) -> str:
    """The article's web address: the entry's link, else a permalink guid."""
    link = _web_link(entry.get("link"))
    if not link and entry.get("guidislink", True):
        link = _web_link(entry.get("id"))
    return link


def _normalise(result: FeedParserDict) -> ParsedFeed:
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    parsed = ParsedFeed(title=_plain(feed.get("title"), MAX_TITLE), link=_web_link(feed.get("link")),
                        format=str(result.get("version") or ""), result=result)
    for entry in entries[:MAX_ITEMS]:
        try:
            link = entry_link(entry)
            canonical = canonical_link(link)
            if not canonical:
                parsed.skipped += 1
                continue
            parsed.items.append(FeedItem(
                title=_plain(entry.get("title"), MAX_TITLE) or link[:MAX_TITLE], link=link,
                canonical_link=canonical, summary=_summary(entry), published=_published(entry),
                author=_plain(entry.get("author"), 200), guid=safe_text(str(entry.get("id") or ""))[:MAX_LINK],
            ))
        except Exception:  # noqa: BLE001 - one odd entry never costs the others
            parsed.skipped += 1
    parsed.skipped += max(len(entries) - MAX_ITEMS, 0)
    if result.get("bozo") and not entries and not parsed.format:
        exc = result.get("bozo_exception")
        parsed.error = f"Not a readable feed: {_describe(exc)}"
    elif not parsed.format and not entries:
        parsed.error = "Not a feed (no RSS, Atom or JSON Feed found)."
    return parsed


def _describe(exc: Any) -> str:
    text = str(exc or "unknown error").strip()
    return (text[:200] or type(exc).__name__)


def _install_itunes_explicit_values() -> None:
    """Read <itunes:explicit> as Apple documents it today (true/false; yes/no/clean are older spellings).
    feedparser 6.0.14 maps only "yes" and "clean"; its main branch already reads it like this."""
    from feedparser.namespaces.itunes import Namespace

    if getattr(Namespace._end_itunes_explicit, "learnflow", False):
        return

    def _end_itunes_explicit(self):  # type: ignore[no-untyped-def]
        value = self.pop("itunes_explicit", 0)  # exact spellings only, as the spec lists them
        self._get_context()["itunes_explicit"] = (
            True if value in ("yes", "true") else False if value in ("no", "false", "clean") else None
        )

    _end_itunes_explicit.learnflow = True  # type: ignore[attr-defined]
    Namespace._end_itunes_explicit = _end_itunes_explicit


_install_itunes_explicit_values()
feedparser_speed.install()
