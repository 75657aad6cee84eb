from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from learnflow.flow import selectors
from learnflow.flow.services import feed_path, feed_regenerate, feed_revoke, follow_add, follow_remove

ATOM = "{http://www.w3.org/2005/Atom}"


def test_only_curators_can_be_followed(org):
    with pytest.raises(ValidationError):
        follow_add(user=org.ann, curator=org.tim)
    follow_add(user=org.ann, curator=org.lena)
    assert selectors.is_following(viewer=org.ann, curator=org.lena)


def test_follow_button_follows_and_unfollows_in_place(org, topics, client):
    client.force_login(org.ann)
    page = client.get("/flow/following/")
    assert b"Follow<span class=\"visually-hidden\"> Secure coding" in page.content
    response = client.post("/flow/follow/", {"topic": topics[0].pk, "action": "follow"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"unfollow" in response.content
    assert selectors.is_following(viewer=org.ann, topic=topics[0])
    client.post("/flow/follow/", {"topic": topics[0].pk, "action": "unfollow", "next": "https://evil.example/"})
    assert not selectors.is_following(viewer=org.ann, topic=topics[0])


def test_following_twice_is_harmless_and_unfollow_reports(org, topics):
    follow_add(user=org.ann, topic=topics[0])
    follow_add(user=org.ann, topic=topics[0])
    assert follow_remove(user=org.ann, topic=topics[0]) is True
    assert follow_remove(user=org.ann, topic=topics[0]) is False


def test_private_feed_is_valid_atom_without_a_session(org, world, client):
    pref = feed_regenerate(user=org.boss)
    response = client.get(feed_path(pref))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert "ann for her manager" in titles and "ann private" not in titles
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None


def test_feed_address_is_a_revocable_secret(org, world, client):
    old = feed_path(feed_regenerate(user=org.tim))
    assert client.get(old).status_code == 200
    assert client.get(old[:-5] + "0000/").status_code == 404
    new = feed_path(feed_regenerate(user=org.tim))
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    feed_revoke(user=org.tim)
    assert client.get(new).status_code == 404


def test_api_follow_and_flow(org, world, client, token_for, topics):
    headers = token_for(org.eve)
    response = client.post("/api/flow/follows", {"topic_id": topics[1].pk}, content_type="application/json",
                           **headers)
    assert response.status_code == 201
    assert [t["name"] for t in response.json()["topics"]] == ["Threat modelling"]
    titles = {i["title"] for i in client.get("/api/flow", **headers).json()}
    assert titles == {"STRIDE in an hour", "Negotiating scope"}
    bad = client.put("/api/flow/preference", {"frequency": "hourly"}, content_type="application/json", **headers)
    assert bad.status_code in (400, 422)


def test_follow_snippet_for_people_pages_shows_only_for_curators(org, rf):
    from django.template import Context, Template

    request = rf.get("/people/lena/")
    request.user = org.ann
    template = Template("{% load flow %}{% flow_follow curator=person %}")
    assert "Follow<span class=\"visually-hidden\"> Lena" in template.render(Context({"request": request,
                                                                                     "person": org.lena}))
    assert "<form" not in template.render(Context({"request": request, "person": org.tim}))


def test_digest_email_escapes_what_people_wrote(org):
    import datetime as dt

    from django.utils import timezone

    from learnflow.flow.models import Digest
    from learnflow.flow.services import digest_email
    from learnflow.flow.sources import FlowItem

    digest = Digest.objects.create(user=org.ann, frequency="weekly", start=timezone.now() - dt.timedelta(days=7),
                                   end=timezone.now(), item_count=1)
    item = FlowItem(key="entry:1", kind="entry", title="<script>x()</script>", url="/journal/1/", summary="",
                    published_at=timezone.now(), author="Tim", note="<b>bold</b>")
    message = digest_email(person=org.ann, digest=digest, items=[item])
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert "<script>x()</script>" in message.body  # plain text is plain text


def test_atom_summaries_are_plain_text_escaped_once_as_html(org):
    from django.utils import timezone

    from learnflow.flow.atom import atom_document
    from learnflow.flow.sources import FlowItem

    item = FlowItem(key="post:1", kind="post", title="Tags", url="/communities/c/posts/1/",
                    summary="Use <b> & co", published_at=timezone.now(), author="Tim", note="")
    xml = atom_document(person=org.ann, items=[item], self_url="http://testserver/flow/feed/x/")
    atom = "{http://www.w3.org/2005/Atom}"
    summary = ET.fromstring(xml).find(f"{atom}entry/{atom}summary")
    assert summary.get("type") == "html" and summary.text == "Use &lt;b&gt; &amp; co"
