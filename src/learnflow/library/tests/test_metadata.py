"""Reading what a page says about itself: Open Graph first, then Twitter cards and plain HTML; never an error."""
from __future__ import annotations

import pytest

from learnflow.library.metadata import metadata_parse


def test_open_graph_tags_give_title_description_site_and_image():
    html = b"""<html><head><title>Plain title</title>
    <meta property="og:title" content="Handling angry customers">
    <meta property="og:description" content="Five steps that calm a call.">
    <meta property="og:site_name" content="Support Weekly">
    <meta property="og:image" content="/img/cover.png">
    </head><body>x</body></html>"""
    meta = metadata_parse(html, url="https://support.example/articles/angry")
    assert meta.title == "Handling angry customers"
    assert meta.description == "Five steps that calm a call."
    assert meta.site_name == "Support Weekly"
    assert meta.image_url == "https://support.example/img/cover.png"  # relative image made absolute


def test_plain_html_title_and_description_when_there_is_no_open_graph():
    html = b'<html><head><title>  Checklists\n that work </title><meta name="description" content="Why &amp; how">'
    meta = metadata_parse(html, url="https://www.atul.example/checklists")
    assert (meta.title, meta.description, meta.site_name) == ("Checklists that work", "Why & how", "atul.example")


def test_twitter_card_is_used_when_open_graph_is_missing():
    html = b'<meta name="twitter:title" content="Card title"><meta name="twitter:image" content="https://i.example/a.jpg">'
    meta = metadata_parse(html, url="https://x.example/")
    assert meta.title == "Card title" and meta.image_url == "https://i.example/a.jpg"


@pytest.mark.parametrize("html", [
    b"", b"<", b"<html><head><meta property='og:title' content='Unclosed", b"\x00\xff\xfe garbage \x80",
    b"<meta property=og:title content=NoQuotes>", b"<title>" + b"A" * 100_000,
    b"<html><head><meta charset='no-such-charset'><title>Caf\xe9</title>",
    b"<!-- <meta property='og:title' content='In a comment'> --><title>Real</title>",
    b"<script>var x = '<meta property=\"og:title\" content=\"in script\">';</script><title>Real</title>",
    "<title>Ünïcödé – “quotes”</title>".encode("utf-16"),
], ids=lambda b: repr(b[:30]))
def test_malformed_or_hostile_html_never_raises(html):
    meta = metadata_parse(html, url="https://example.org/page")
    assert len(meta.title) <= 300
    assert "In a comment" not in meta.title and "in script" not in meta.title


def test_unquoted_attributes_are_read():
    assert metadata_parse(b"<meta property=og:title content=NoQuotes>").title == "NoQuotes"


def test_charset_from_the_meta_tag_decodes_the_title():
    html = '<html><head><meta charset="iso-8859-1"><title>Café guide</title>'.encode("latin-1")
    assert metadata_parse(html).title == "Café guide"


def test_script_and_javascript_urls_never_become_an_image():
    html = b'<meta property="og:image" content="javascript:alert(1)"><meta property="og:title" content="<b>x</b>">'
    meta = metadata_parse(html, url="https://example.org/")
    assert meta.image_url == ""
    assert meta.title == "<b>x</b>"  # kept as text: templates escape it


def test_meta_tags_in_the_body_are_not_trusted():
    html = b"<html><head><title>Head title</title></head><body><meta property='og:title' content='Injected'></body>"
    assert metadata_parse(html).title == "Head title"


def test_video_pages_hint_at_their_kind():
    assert metadata_parse(b'<meta property="og:type" content="video.other">').kind_hint == "video"
