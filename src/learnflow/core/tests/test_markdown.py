"""plain_text: the excerpt lists and notifications show is real text, escaped once by whatever displays it."""
from __future__ import annotations

from django.template import Context, Template

from learnflow.core.markdown import plain_text


def test_plain_text_is_text_not_html():
    assert plain_text("Use <b> for bold & `a < b`") == "Use <b> for bold & a < b"


def test_plain_text_drops_the_markdown_but_keeps_entities_the_author_typed_as_text():
    assert plain_text("**R&amp;D** and &copy;") == "R&D and ©"


def test_a_template_shows_a_plain_text_excerpt_escaped_exactly_once():
    shown = Template("{{ excerpt }}").render(Context({"excerpt": plain_text("a <b> tag")}))
    assert shown == "a &lt;b&gt; tag"
