from __future__ import annotations

import datetime as dt
import json

import pytest

from learnflow.curation.feeds import canonical_link, feed_parse
from learnflow.curation.tests.conftest import rss

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom example</title>
<entry><title type="html">Threat &lt;em&gt;modelling&lt;/em&gt;</title><id>urn:uuid:1</id>
<link rel="alternate" type="text/html" href="/posts/threats"/><updated>2026-11-01T09:30:00Z</updated>
<author><name>Ada</name></author>
<summary type="html">&lt;p onclick="x()"&gt;Read &lt;script&gt;evil()&lt;/script&gt;this&lt;/p&gt;</summary>
</entry></feed>"""


def json_feed(**extra) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON example", "home_page_url": "https://example.org/",
        "items": [{"id": "1", "url": "https://example.org/a?utm_source=x", "title": "First",
                   "content_html": "<p>Hi<img src=x onerror=alert(1)></p>", "date_published": "2026-11-02T08:00:00Z",
                   "authors": [{"name": "Grace"}]},
                  {"id": "2", "url": "/relative", "content_text": "Second <b>plain</b>"}],
        **extra,
    }).encode()


@pytest.mark.parametrize(("link", "canonical"), [
    ("HTTPS://Example.ORG/a/b/?utm_source=rss&utm_medium=feed&id=3#comments", "https://example.org/a/b?id=3"),
    ("http://example.org:80/", "http://example.org/"),
    ("http://example.org", "http://example.org/"),
    ("https://example.org:8443/x/", "https://example.org:8443/x"),
    ("https://example.org/x?b=2&a=1&fbclid=abc", "https://example.org/x?a=1&b=2"),
    ("https://bücher.example/café", "https://xn--bcher-kva.example/caf%C3%A9"),
])
def test_canonical_link_removes_what_does_not_change_the_article(link, canonical):
    assert canonical_link(link) == canonical


@pytest.mark.parametrize("link", ["javascript:alert(1)", "mailto:a@example.org", "/relative", "", "http://[::1"])
def test_canonical_link_is_empty_for_anything_but_absolute_web_links(link):
    assert canonical_link(link) == ""


def test_rss_items_are_normalised():
    parsed = feed_parse(rss(("Secure defaults", "https://example.org/secure?utm_campaign=x")))
    [item] = parsed.items
    assert (parsed.title, parsed.format, parsed.error) == ("Example feed", "rss20", "")
    assert (item.title, item.link, item.canonical_link) == (
        "Secure defaults", "https://example.org/secure?utm_campaign=x", "https://example.org/secure")
    assert item.published == dt.datetime(2026, 11, 2, 10, tzinfo=dt.timezone.utc)


def test_atom_titles_are_plain_text_and_summaries_are_sanitised():
    [item] = feed_parse(ATOM, url="https://blog.example.org/feed.atom").items
    assert item.title == "Threat modelling"
    assert "<script" not in item.summary and "onclick" not in item.summary and "Read" in item.summary
    assert (item.author, item.guid) == ("Ada", "urn:uuid:1")


def test_relative_links_resolve_against_the_feed_address():
    [item] = feed_parse(ATOM, url="https://blog.example.org/feed.atom").items
    assert item.link == "https://blog.example.org/posts/threats"


def test_json_feed_items_are_read():
    parsed = feed_parse(json_feed(), url="https://example.org/feed.json")
    first, second = parsed.items
    assert (parsed.title, parsed.format) == ("JSON example", "json11")
    assert (first.title, first.canonical_link, first.author) == ("First", "https://example.org/a", "Grace")
    assert "onerror" not in first.summary
    assert first.published == dt.datetime(2026, 11, 2, 8, tzinfo=dt.timezone.utc)
    assert (second.link, second.title) == ("https://example.org/relative", "https://example.org/relative")
    assert "<b>" not in second.summary


@pytest.mark.parametrize("data", [
    b"", b"\x00\xff\xfe garbage", b"<html><body>not a feed</body></html>", b"{not json", b"[1, 2, 3]",
    b'{"version": "https://jsonfeed.org/version/1", "items": "nope"}',
    b'{"version": "https://jsonfeed.org/version/1", "items": [1, null, {"url": 5, "title": {"x": 1}}]}',
    b"<rss><channel><item><title>unclosed",
    "<?xml version='1.0' encoding='latin-1'?><rss version='2.0'><channel><item><title>caf\u00e9</title>"
    "<link>https://example.org/c</link></item></channel></rss>".encode("utf-16"),
])
def test_hostile_or_broken_documents_never_raise(data):
    parsed = feed_parse(data)
    assert isinstance(parsed.items, list)


def test_entity_expansion_does_not_blow_up():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10)
                       for i in range(8))
            + b']><rss version="2.0"><channel><item><title>&i;</title><link>https://example.org/x</link></item>'
            b"</channel></rss>")
    parsed = feed_parse(bomb)
    assert all(len(item.title) <= 500 for item in parsed.items)


def test_a_document_that_is_not_a_feed_reports_an_error():
    assert feed_parse(b"<html><body>hello</body></html>").error


def test_a_body_that_looks_like_a_url_is_not_opened():
    # feedparser opens URLs and paths given as strings; the ingestion path hands it a stream.
    parsed = feed_parse(b"http://169.254.169.254/latest/meta-data/")
    assert parsed.items == [] and parsed.result.get("href", "") == ""


def test_entries_without_a_web_link_are_counted_as_skipped():
    parsed = feed_parse(b"<rss version='2.0'><channel><item><title>No link</title></item></channel></rss>")
    assert (parsed.items, parsed.skipped) == ([], 1)


def test_http_validators_are_recorded_like_feedparser_does():
    parsed = feed_parse(rss(), url="https://example.org/feed",
                        headers={"ETag": '"abc"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"})
    assert (parsed.result["etag"], parsed.result["modified"]) == ('"abc"', "Mon, 02 Nov 2026 10:00:00 GMT")


def test_a_feed_served_with_the_wrong_content_type_is_still_read():
    assert len(feed_parse(rss(("A", "https://example.org/a")), headers={"Content-Type": "application/json"}).items) == 1
    as_xml = feed_parse(json_feed(), url="https://example.org/f.json", headers={"Content-Type": "text/xml"})
    assert len(as_xml.items) == 2
