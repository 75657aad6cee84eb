"""/api/library: the same rules as the pages, errors as 400 naming the field."""
from __future__ import annotations

import pytest

from learnflow.account.models import Notice
from learnflow.library.models import Resource

pytestmark = pytest.mark.django_db


def test_create_get_and_list(client, org, token_for, topic):
    auth = token_for(org.ann)
    response = client.post("/api/library", {"kind": "page", "title": "Refund steps", "body": "1. **Check**",
                                            "topics": [topic.pk]}, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "published" and "<strong>Check</strong>" in body["body_html"]
    assert body["topics"][0]["slug"] == topic.slug
    got = client.get(f"/api/library/{body['uid']}", **token_for(org.eve))
    assert got.status_code == 200 and got.json()["title"] == "Refund steps"
    listed = client.get("/api/library", {"topic": topic.slug}, **token_for(org.eve)).json()
    assert listed["count"] == 1


def test_search_through_the_api(client, org, token_for, resource_factory):
    resource_factory(org.ann, title="Refund steps", body="Check the order number")
    resource_factory(org.ann, title="Holiday rota", body="Ask your manager")
    found = client.get("/api/library", {"q": "order"}, **token_for(org.eve)).json()
    assert [r["title"] for r in found["items"]] == ["Refund steps"]


@pytest.mark.parametrize("payload, field", [
    ({"kind": "page", "title": "", "body": "x"}, "title"),
    ({"kind": "nonsense", "title": "X", "body": "x"}, "kind"),
    ({"kind": "page", "title": "X", "body": "x", "topics": [424242]}, "topics"),
    ({"kind": "link", "title": "X", "url": "ftp://files.example/x", "read_page": False}, "url"),
])
def test_bad_input_is_a_400_naming_the_field(client, org, token_for, payload, field):
    response = client.post("/api/library", payload, content_type="application/json", **token_for(org.ann))
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Resource.objects.count() == 0


def test_votes_comments_and_flags(client, org, token_for, resource_factory):
    resource = resource_factory(org.ann, title="VPN setup")
    auth = token_for(org.eve)
    for _ in range(2):
        voted = client.post(f"/api/library/{resource.uid}/vote", {"useful": True}, content_type="application/json",
                            **auth)
        assert voted.status_code == 200 and voted.json()["useful_count"] == 1
    comment = client.post(f"/api/library/{resource.uid}/comments", {"body": "Works on Linux too."},
                          content_type="application/json", **auth)
    assert comment.status_code == 201
    flag = client.post(f"/api/library/{resource.uid}/flags", {"kind": "needs_update", "note": "Step 3 changed"},
                       content_type="application/json", **auth)
    assert flag.status_code == 201
    assert Notice.objects.filter(user=org.ann, text__contains="needs an update").exists()
    bad = client.post(f"/api/library/{resource.uid}/flags", {"kind": "meh"}, content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_a_draft_is_404_for_others_through_the_api(client, org, token_for, resource_factory):
    resource = resource_factory(org.ann, submit=False)
    assert client.get(f"/api/library/{resource.uid}", **token_for(org.root)).status_code == 404
    assert client.post(f"/api/library/{resource.uid}/vote", {}, content_type="application/json",
                       **token_for(org.root)).status_code == 404


def test_upload_through_the_api(client, org, token_for, upload):
    response = client.post("/api/library/upload", {"kind": "video", "title": "Demo",
                                                   "file": upload("demo.webm", b"\x1a\x45\xdf\xa3" + b"x" * 30)},
                           **token_for(org.ann))
    assert response.status_code == 201, response.content
    assert response.json()["file_type"] == "video/webm" and response.json()["file_url"]
    bad = client.post("/api/library/upload", {"kind": "video", "title": "Demo", "file": upload("demo.exe", b"MZ")},
                      **token_for(org.ann))
    assert bad.status_code == 400 and Resource.objects.count() == 1
