"""The community page's list of posts, written in Python (community/templatetags/community_items.py): what a member
reads about each post, escaped as the template engine escaped it."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from learnflow.community.selectors import PostItem
from learnflow.community.services import answer_accept, reply_create, useful_set
from learnflow.community.templatetags.community_items import post_item

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & \'quotes\''


def _item(html: bytes | str, pk: int) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(rf'<li class="entry" id="post-{pk}">.*?</li>', text, re.S)
    assert match, f"post {pk} is not listed"
    return match.group(0)


def test_a_member_sees_author_kind_replies_useful_and_the_accepted_answer(org, communities, post_in, client):
    community = communities["open"]
    post = post_in(community, title="Which linter?", body="We use **flake8** today.\n\n- and isort")
    first = reply_create(post=post, author=org.boss, body="Ruff.")
    reply_create(post=post, author=org.boss, body="Ruff, really.")
    useful_set(actor=org.boss, useful=True, post=post)
    answer_accept(post=post, reply=first, actor=org.ann)
    client.force_login(org.boss)
    item = _item(client.get(reverse("community:detail", args=[community.slug])).content, post.pk)
    assert f'href="/communities/{community.slug}/posts/{post.pk}/">Which linter?</a>' in item
    assert '<span class="chip">Question</span>' in item
    assert f"<span>{org.ann.display_name}</span>" in item
    assert "<span>2 replies</span>" in item and "<span>1 found it useful</span>" in item
    assert '<span class="chip">answered</span>' in item
    # The list shows the body's Markdown as plain text: no markup of the author's reaches the list.
    assert "<p>We use flake8 today. and isort</p>" in item and "<strong>" not in item


def test_hostile_titles_bodies_and_names_are_shown_as_text(org, communities, post_in, client):
    org.tim.first_name = '<img src=x onerror="alert(1)">'
    org.tim.save()
    community = communities["open"]
    from learnflow.community.services import member_add

    member_add(community=community, actor=org.boss, user=org.tim)
    post = post_in(community, author=org.tim, title=HOSTILE,
                   body='<script>alert(2)</script> [x](javascript:alert(3)) <b onclick="alert(4)">hi</b>')
    client.force_login(org.ann)
    page = client.get(reverse("community:detail", args=[community.slug])).content.decode()
    item = _item(page, post.pk)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in item
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in item
    for raw in ("<script", "<img", "<b ", 'href="javascript'):
        assert raw not in item
    assert not re.search(r"<[^>]*\bon\w+=", item)  # no event handler inside any tag
    assert "<span>0 replies</span>" in item and "found it useful" not in item and "answered" not in item


def test_one_reply_is_one_reply(org, communities, post_in, client):
    post = post_in(communities["closed"], kind="learned", title="", body="Feature flags beat long branches")
    reply_create(post=post, author=org.boss, body="Agreed")
    client.force_login(org.ann)
    item = _item(client.get(reverse("community:detail", args=[communities["closed"].slug])).content, post.pk)
    assert "<span>1 reply</span>" in item
    assert ">What I learned</a></h3>" in item  # no title: the kind is the link's text


def test_a_shared_entry_is_named_to_members_only(org, communities, post_in, entry_factory, client):
    community = communities["open"]
    entry = entry_factory(org.ann, title="Private <lesson>")
    post = post_in(community, kind="entry", title="", body="Worth it", entry_id=entry.pk, confirm_share=True)
    url = reverse("community:detail", args=[community.slug])
    client.force_login(org.boss)
    assert "<strong>Shared entry:</strong> Private &lt;lesson&gt;</p>" in _item(client.get(url).content, post.pk)
    client.force_login(org.eve)  # may read the open community, is not a member
    item = _item(client.get(url).content, post.pk)
    assert "Private" not in item and "A journal entry shared with the members of this community." in item


def test_a_shared_resource_links_to_the_library_in_the_post_and_the_sidebar(org, communities, post_in, client):
    from learnflow.library.services import resource_create

    community = communities["open"]
    resource = resource_create(author=org.ann, kind="page", title="Rollback <checklist>", body="1. Stop")
    # Sharing it in a post also adds it to the community's resources, the post's first words as its note.
    post = post_in(community, kind="resource", title="", body="Saved us twice", resource_id=resource.pk)
    client.force_login(org.ann)
    page = client.get(reverse("community:detail", args=[community.slug])).content.decode()
    link = f'<a href="{resource.get_absolute_url()}">Rollback &lt;checklist&gt;</a>'
    assert f"<p><strong>Resource:</strong> {link}</p>" in _item(page, post.pk)
    assert f'<li>{link}<br><span class="help">Saved us twice</span></li>' in page


@pytest.mark.parametrize("number", ["99999999999999999999", "-99999999999999999999", "abc", "", "1e3", "0"])
def test_any_page_number_gives_a_page(org, communities, post_in, client, number):
    post_in(communities["open"])
    client.force_login(org.ann)
    assert client.get(reverse("community:detail", args=[communities["open"].slug]), {"page": number}).status_code == 200


# The markup the page wrote through {% include "community/_post_item.html" %} before the list was written in Python.
OLD_TEMPLATE = """<li class="entry" id="post-{{ post.pk }}">
  <h3><a href="{{ posts_url }}{{ post.pk }}/">{{ post.label }}</a></h3>
  <div class="meta">
    <span class="chip">{{ post.kind_label }}</span>
    <span>{{ post.author_name }}</span>
    <span><time datetime="{{ post.created_at|date:'c' }}">{{ post.created_at|date:"j M Y" }}</time></span>
    <span>{{ post.reply_count }} repl{{ post.reply_count|pluralize:"y,ies" }}</span>
    {% if post.useful_count %}<span>{{ post.useful_count }} found it useful</span>{% endif %}
    {% if post.answered %}<span class="chip">answered</span>{% endif %}
  </div>
  {% if post.kind == "entry" %}
    {% with entry=post.shared_entry %}
    {% if entry %}<p><strong>Shared entry:</strong> {{ entry.title }}</p>{% elif post.share_id %}<p class="empty">A journal entry shared with the members of this community.</p>{% else %}<p class="empty">The author no longer shares this entry.</p>{% endif %}
    {% endwith %}
  {% elif post.kind == "resource" and post.resource_uid %}<p><strong>Resource:</strong> <a href="{% url 'library:resource' post.resource_uid %}">{{ post.resource_title }}</a></p>{% endif %}
  {% if post.excerpt %}<p>{{ post.excerpt }}</p>{% endif %}
</li>
"""


class _Entry:
    title = HOSTILE


@pytest.mark.parametrize("changes", [
    {},
    {"title": "", "kind": "stuck", "kind_label": "Where I'm stuck", "reply_count": 1, "useful_count": 3},
    {"answered": True, "excerpt": ""},
    {"kind": "entry", "kind_label": "A journal entry worth sharing", "share_id": 7, "shared_entry": _Entry()},
    {"kind": "entry", "kind_label": "A journal entry worth sharing", "share_id": 7},
    {"kind": "entry", "kind_label": "A journal entry worth sharing"},
    {"kind": "resource", "kind_label": "A resource worth sharing", "resource_title": HOSTILE,
     "resource_uid": "0b7b0c8e-3c43-4a7e-9d0c-6f6f1d1c2b3a"},
    {"kind": "resource", "kind_label": "A resource worth sharing"},  # the resource was deleted
])
def test_python_item_is_the_markup_the_template_wrote(changes):
    import uuid

    if "resource_uid" in changes:
        changes = {**changes, "resource_uid": uuid.UUID(changes["resource_uid"])}
    base = dict(pk=42, kind="question", kind_label="Question", title=HOSTILE, excerpt=f"Plain {HOSTILE}",
                author_name="Ann <Admin> O'Neil", created_at=dt.datetime(2026, 3, 5, 23, 30, 1, 5, tzinfo=dt.UTC),
                reply_count=0, useful_count=0, answered=False, share_id=None)
    post = PostItem(**{**base, **changes})
    posts_url = "/communities/a-b/posts/"
    expected = Template(OLD_TEMPLATE).render(Context({"post": post, "posts_url": posts_url}))
    assert post_item(post, posts_url) == expected
