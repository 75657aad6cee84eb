"""Entry bodies are Markdown typed by people: what render_markdown lets through, and what it never does."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from learnflow.core.markdown import plain_text, render_markdown


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


class _Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """The tags and attributes a browser would build from `html` (escaped text does not count: it is harmless)."""
    return _Elements(html).found


def urls(html: str) -> list[str]:
    return [value.strip().lower() for _, attrs in elements(html) for name, value in attrs.items()
            if name in ("href", "src")]


def test_script_tags_do_not_survive():
    html = render_markdown("Hello <script>alert('x')</script> world\n\n<SCRIPT SRC=//evil.example/x.js></SCRIPT>")
    assert "script" not in [tag for tag, _ in elements(html)]


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown('<div class="x"><b>bold</b></div>')
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert "&lt;b&gt;" in html


def test_event_handler_attributes_do_not_survive():
    html = render_markdown('<img src="x.png" onerror="alert(1)">\n\n![pic](https://example.org/a.png "t")\n\n'
                           '<a href="https://example.org" onclick="steal()">x</a>')
    assert not [name for _, attrs in elements(html) for name in attrs if name.startswith("on")]


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click]( javascript:alert(1) )",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[ref]\n\n[ref]: javascript:alert(1)",
])
def test_javascript_links_do_not_survive(source):
    html = render_markdown(source)
    # Browsers drop tabs and newlines inside a URL before reading its scheme.
    schemes = [re.sub(r"[\t\n\r]", "", u).split(":", 1)[0] for u in urls(html) if ":" in u]
    assert "javascript" not in schemes


@pytest.mark.parametrize("source", ["[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
                                    "![x](data:image/svg+xml;base64,PHN2Zy8+)",
                                    "[x](vbscript:msgbox)",
                                    "[x](file:///etc/passwd)"])
def test_data_and_other_non_web_urls_do_not_survive(source):
    html = render_markdown(source)
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in urls(html))
    assert not [u for u in urls(html) if u.startswith(("data:", "vbscript:", "file:"))]


def test_style_attributes_and_iframes_do_not_survive():
    html = render_markdown('<iframe src="https://evil.example"></iframe><p style="color:red">x</p>')
    assert all(tag in ("p",) for tag, _ in elements(html))
    assert not [attrs for _, attrs in elements(html) if "style" in attrs]


def test_links_keep_their_address_and_get_a_safe_rel():
    html = render_markdown("[docs](https://docs.example.org/page)")
    assert 'href="https://docs.example.org/page"' in html
    assert "noopener" in html and "nofollow" in html


def test_lists_render():
    html = render_markdown("- one\n- two\n\n1. first\n2. second")
    assert "<ul>" in html and "<ol>" in html and html.count("<li>") == 4


def test_code_renders_escaped():
    html = render_markdown("Use `<b>` here\n\n```\nif a < b:\n    pass\n```")
    assert "<code>&lt;b&gt;</code>" in html
    assert "<pre><code>" in html and "a &lt; b" in html


def test_tables_render():
    html = render_markdown("| Way | Minutes |\n|-----|--------:|\n| reading | 30 |")
    assert "<table>" in html and "<th>Way</th>" in html and "<td" in html and "30" in html


def test_emphasis_headings_and_quotes_render():
    html = render_markdown("# Title\n\n**strong** and *em* and ~~gone~~\n\n> quoted")
    assert "<h1>Title</h1>" in html and "<strong>strong</strong>" in html and "<em>em</em>" in html
    assert "<del>gone</del>" in html or "<s>gone</s>" in html
    assert "<blockquote>" in html


def test_plain_text_excerpt_has_no_markup_and_is_shortened():
    text = plain_text("**Bold** <script>x()</script> " + "word " * 100, limit=40)
    # What the author typed stays as text (escaped once by whatever shows it); the Markdown itself is gone.
    assert text.startswith("Bold <script>x()</script> word") and "*" not in text
    assert len(text) <= 40 and text.endswith("…")
