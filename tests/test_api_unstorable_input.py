"""Bad input never gives a 500: integers beyond 64 bits (SQLite cannot bind them) and text with NUL (PostgreSQL text
cannot hold it) are the caller's mistake, answered 4xx with the field named, and nothing is stored."""
from __future__ import annotations

import json

import pytest
from django.test import Client

HUGE = 2 ** 63
NUL = "a\x00b"


@pytest.fixture
def api(org, token_for):
    client = Client(raise_request_exception=False)
    headers = token_for(org.ann)

    def call(method, url, body=None, **kw):
        if body is not None:
            kw.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(url, **kw, **headers)

    return call


def _refused(response, field):
    assert response.status_code in (400, 422), (response.status_code, response.content[:300])
    payload = response.json()
    fields = [e["field"] for e in payload["errors"]]
    assert any(f == field or (f or "").startswith(field + ".") for f in fields), payload
    assert field in payload["detail"]


def _counts():
    from learnflow.community.models import Community
    from learnflow.concierge.models import HelpRequest
    from learnflow.journal.models import Entry
    from learnflow.library.models import Resource

    return [m.objects.count() for m in (Community, HelpRequest, Entry, Resource)]


@pytest.mark.parametrize("url, body, field", [
    ("/api/communities", {"name": NUL}, "name"),
    ("/api/communities", {"name": "Rust", "description": NUL}, "description"),
    ("/api/help/requests", {"title": NUL}, "title"),
    ("/api/help/requests", {"title": "Help", "skills": ["ok", NUL]}, "skills"),
    ("/api/help/requests", {"title": "Help", "topic_ids": [HUGE]}, "topic_ids"),
    ("/api/help/requests", {"title": "Help", "topic_ids": [-HUGE - 1]}, "topic_ids"),
    ("/api/library", {"kind": "page", "title": NUL, "body": "x"}, "title"),
    ("/api/library", {"kind": "page", "title": "t", "body": "x", "topics": [HUGE]}, "topics"),
    ("/api/journal/entries", {"title": NUL, "body": "x"}, "title"),
    ("/api/journal/entries", {"title": "t", "body": "x", "tags": [NUL]}, "tags"),
    ("/api/journal/entries", {"title": "t", "links": [{"url": "https://example.com/", "title": NUL}]}, "links"),
])
def test_unstorable_json_is_refused_naming_the_field(api, url, body, field):
    before = _counts()
    _refused(api("post", url, body), field)
    assert _counts() == before


def test_asking_people_by_impossible_ids_or_with_nul_is_refused(api):
    created = api("post", "/api/help/requests", {"title": "How do I profile Django?"})
    assert created.status_code == 201
    rid = created.json()["id"]
    _refused(api("post", f"/api/help/requests/{rid}/asks", {"people": [HUGE]}), "people")
    _refused(api("post", f"/api/help/requests/{rid}/asks", {"people": [1], "note": NUL}), "note")
    # In the path too.
    response = api("post", f"/api/help/requests/{HUGE}/asks", {"people": [1]})
    assert response.status_code in (400, 404, 422)


def test_upload_with_impossible_topic_id_is_refused(api, upload):
    before = _counts()
    response = api("post", "/api/library/upload",
                   data={"kind": "document", "title": "Notes", "topics": str(HUGE), "file": upload()})
    _refused(response, "topics")
    response = api("post", "/api/library/upload",
                   data={"kind": "document", "title": NUL, "file": upload()})
    _refused(response, "title")
    assert _counts() == before


def test_query_parameters_are_checked_too(api):
    assert api("get", "/api/library?q=" + "a%00b").status_code in (400, 422)
    assert api("get", f"/api/help/requests/{HUGE}").status_code in (400, 404, 422)


def test_ordinary_input_still_works(api):
    assert api("post", "/api/journal/entries", {"title": "Profiling with py-spy", "body": "9223372036854775808 "
                                                "is just text here"}).status_code == 201
