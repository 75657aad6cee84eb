"""The library's pages: a stable printable link, forms that keep what was typed, nobody sees what they may not."""
from __future__ import annotations

import pytest

from learnflow.library.models import Resource, ResourceStatus

pytestmark = pytest.mark.django_db


def test_the_index_lists_published_resources_and_filters_by_topic_and_kind(client, org, resource_factory, topic):
    resource_factory(org.ann, title="Call opening script", topics=[topic])
    resource_factory(org.ann, title="Expense policy", kind="link", body="", url="https://hr.example/expenses")
    client.force_login(org.eve)
    html = client.get("/library/").content.decode()
    assert "Call opening script" in html and "Expense policy" in html
    html = client.get("/library/", {"topic": topic.slug}).content.decode()
    assert "Call opening script" in html and "Expense policy" not in html
    html = client.get("/library/", {"kind": "link"}).content.decode()
    assert "Call opening script" not in html and "Expense policy" in html


def test_the_resource_page_is_printable_and_gives_the_link_to_paste(client, org, resource_factory):
    resource = resource_factory(org.ann, title="Call opening script", body="## Say\n\n- your name")
    client.force_login(org.tim)
    response = client.get(f"/library/r/{resource.uid}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Say</h2>" in html and f"/library/r/{resource.uid}/" in html and 'class="no-print' in html


def test_a_draft_page_is_not_found_for_others(client, org, resource_factory):
    resource = resource_factory(org.ann, submit=False)
    for name in ("tim", "boss", "lena", "root"):
        client.force_login(org.everyone[name])
        assert client.get(resource.get_absolute_url()).status_code == 404


def test_creating_a_page_through_the_form(client, org, topic):
    client.force_login(org.ann)
    response = client.post("/library/new/", {"kind": "page", "title": "Refund steps", "body": "1. Check the order",
                                             "topics": [topic.pk]})
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.status == ResourceStatus.PUBLISHED and list(resource.topics.all()) == [topic]


def test_a_form_error_keeps_what_was_typed_and_writes_nothing(client, org):
    client.force_login(org.ann)
    response = client.post("/library/new/", {"kind": "page", "title": "Refund steps", "body": ""})
    html = response.content.decode()
    assert response.status_code == 400 and Resource.objects.count() == 0
    assert 'value="Refund steps"' in html and "Write the page" in html


def test_a_link_whose_page_cannot_be_read_asks_for_a_title(client, org):
    client.force_login(org.ann)
    # 127.0.0.1 is refused by the safe fetcher (not allow-listed in tests): no request leaves the machine.
    response = client.post("/library/new/", {"kind": "link", "url": "http://127.0.0.1:9/page"})
    assert response.status_code == 400 and Resource.objects.count() == 0
    assert "Give it a title yourself" in response.content.decode()


def test_a_link_takes_its_details_from_the_page(client, org, page_server):
    page_server.pages["/guide"] = ("text/html; charset=utf-8", b"""<html><head>
        <meta property="og:title" content="De-escalation in five steps">
        <meta property="og:description" content="What to say when a call goes wrong.">
        <meta property="og:site_name" content="Support Guild"><meta property="og:image" content="/cover.png">
        </head><body></body></html>""")
    client.force_login(org.lena)
    url = page_server.url("/guide")
    client.post("/library/new/", {"kind": "link", "url": url, "curator_note": "Short and right."})
    resource = Resource.objects.get()
    assert (resource.title, resource.summary, resource.site_name) == (
        "De-escalation in five steps", "What to say when a call goes wrong.", "Support Guild")
    assert resource.image_url == page_server.url("/cover.png") and resource.curator_note == "Short and right."


def test_the_curator_edits_the_details_afterwards(client, org, resource_factory):
    resource = resource_factory(org.lena, kind="link", body="", url="https://blog.example/a", title="Old title")
    client.force_login(org.lena)
    response = client.post(f"/library/r/{resource.uid}/edit/", {
        "kind": "link", "title": "Better title", "url": "https://blog.example/a", "site_name": "Blog",
        "summary": "", "body": "", "image_url": "", "curator_note": "Read the second half."})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.site_name, resource.curator_note) == ("Better title", "Blog",
                                                                           "Read the second half.")


def test_others_cannot_open_the_edit_page(client, org, resource_factory):
    resource = resource_factory(org.ann)
    client.force_login(org.tim)
    assert client.get(f"/library/r/{resource.uid}/edit/").status_code == 403


def test_an_uploaded_file_is_served_only_to_who_may_see_the_resource(client, org, upload):
    from learnflow.library.services import resource_create

    resource = resource_create(author=org.ann, kind="audio", title="Podcast", upload=upload("a.mp3", b"ID3" + b"x" * 20),
                               submit=False)
    client.force_login(org.tim)
    assert client.get(f"/library/r/{resource.uid}/file/").status_code == 404
    client.force_login(org.ann)
    response = client.get(f"/library/r/{resource.uid}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content).startswith(b"ID3")


def test_topic_page_and_review_switch_for_ld(client, org, topic):
    client.force_login(org.lena)
    assert client.get(f"/library/topics/{topic.slug}/").status_code == 200
    client.post(f"/library/topics/{topic.slug}/review/", {"review_required": "1"})
    client.force_login(org.ann)
    client.post("/library/new/", {"kind": "page", "title": "Refund steps", "body": "x", "topics": [topic.pk]})
    assert Resource.objects.get().status == ResourceStatus.IN_REVIEW
    assert client.post(f"/library/topics/{topic.slug}/review/", {"review_required": "0"}).status_code == 403


def test_a_collection_page_lists_its_pathway(client, org, resource_factory):
    first = resource_factory(org.lena, title="Read the policy")
    client.force_login(org.lena)
    response = client.post("/library/collections/new/", {"title": "First week"})
    url = response["Location"]
    client.post(url, {"resource": f"http://testserver/library/r/{first.uid}/"})
    client.force_login(org.eve)
    html = client.get(url).content.decode()
    assert "First week" in html and "1. Read the policy" in html
