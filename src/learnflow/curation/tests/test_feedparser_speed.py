"""The shortcuts in feedparser_speed change how fast feedparser runs, never what it returns."""
from __future__ import annotations

import io

import feedparser
import pytest

from learnflow.curation import feedparser_speed
from learnflow.curation.tests import corpus

HOSTILE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xml:base="https://example.org/blog/"><channel><title>T &amp; <![CDATA[<b>x</b>]]></title>
<item><title>A &lt;b&gt;bold&lt;/b&gt; &amp;amp; title</title><link>/posts/1</link>
<description>&lt;p onclick="x()"&gt;Hi &lt;a href=" ../rel/2 "&gt;rel&lt;/a&gt;&lt;img src="i.png"&gt;&lt;script&gt;bad()
&lt;/script&gt;&lt;![CDATA[ odd ]]&gt; caf&#233; &#x263A; &amp;amp;&lt;/p&gt;</description></item>
<item><title>Two</title><link>https://example.org/2</link><content:encoded
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<div><a href="/x">x</a><iframe
 src="/evil"></iframe><svg><a xlink:href="/y">y</a></svg></div>]]></content:encoded></item>
</channel></rss>"""


def _both(data: bytes, headers: dict[str, str]) -> tuple[dict, dict]:
    plain = feedparser.parse(io.BytesIO(data), response_headers=dict(headers))
    with feedparser_speed.combined_passes():
        fast = feedparser.parse(io.BytesIO(data), response_headers=dict(headers), resolve_relative_uris=True,
                                sanitize_html=True)
    return ({"feed": plain.get("feed"), "entries": plain.get("entries")},
            {"feed": fast.get("feed"), "entries": fast.get("entries")})


@pytest.mark.parametrize("base", ["", "https://feeds.example.com/a/feed.xml"])
def test_hostile_markup_gives_the_same_result_with_and_without_the_shortcuts(base):
    headers = {"content-location": base} if base else {}
    plain, fast = _both(HOSTILE, headers)
    assert fast == plain
    assert "script" not in fast["entries"][0]["summary"]


@pytest.mark.skipif(not corpus.CORPUS_DIR.is_dir(), reason="no feed corpus")
def test_every_corpus_document_gives_the_same_result_with_and_without_the_shortcuts():
    different = []
    for path in corpus.corpus_files():
        case = corpus.corpus_case(path)
        headers = dict(case.headers)
        if case.url:
            headers["content-location"] = case.url
        plain, fast = _both(case.data, headers)
        if plain != fast:
            different.append(case.relative)
    assert different == []


def test_other_callers_of_feedparser_are_untouched():
    from feedparser import mixin

    assert not getattr(feedparser_speed._state, "on", False)
    # Outside combined_passes the patched names delegate to feedparser's own functions.
    assert mixin.resolve_relative_uris("<a href='x'>x</a>", "https://e.com/", "utf-8", "text/html") == \
        '<a href="https://e.com/x">x</a>'
