"""/xapi/activities/profile and /xapi/agents/profile over HTTP."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from learnflow.lrs_documents.models import Document

from .conftest import ACTIVITY, ANN, VERSIONS

CREATE = {"If-None-Match": "*"}
RESOURCES = {
    "activity-profile": ("/activities/profile", {"activityId": ACTIVITY}),
    "agent-profile": ("/agents/profile", {"agent": ANN}),
}


@pytest.fixture(params=list(RESOURCES))
def resource(request):
    path, scope = RESOURCES[request.param]

    def params(profile_id: str | None = "preferences", **extra) -> dict:
        return {**scope, **({"profileId": profile_id} if profile_id is not None else {}), **extra}

    return path, params


@pytest.mark.parametrize("version", VERSIONS)
def test_put_with_if_none_match_star_creates_the_profile(xapi, resource, version):
    path, params = resource
    assert xapi.put(path, params(), {"theme": "dark"}, headers=CREATE, version=version).status_code == 204
    assert json.loads(xapi.get(path, params(), version=version).content) == {"theme": "dark"}


def test_put_without_precondition_headers_on_a_new_profile_is_400_under_1_0_3(xapi, resource):
    path, params = resource
    assert xapi.put(path, params(), {"theme": "dark"}, version="1.0.3").status_code == 400
    assert not Document.objects.exists()


def test_put_without_precondition_headers_on_a_new_profile_is_428_under_2_0(xapi, resource):
    path, params = resource
    assert xapi.put(path, params(), {"theme": "dark"}, version="2.0.0").status_code == 428


@pytest.mark.parametrize("version", VERSIONS)
def test_put_without_precondition_headers_on_an_existing_profile_is_409(xapi, resource, version):
    path, params = resource
    xapi.put(path, params(), {"theme": "dark"}, headers=CREATE)
    assert xapi.put(path, params(), {"theme": "light"}, version=version).status_code == 409
    assert json.loads(xapi.get(path, params()).content) == {"theme": "dark"}


@pytest.mark.parametrize("version", VERSIONS)
def test_put_with_a_stale_etag_is_412_and_changes_nothing(xapi, resource, version):
    path, params = resource
    xapi.put(path, params(), {"theme": "dark"}, headers=CREATE)
    response = xapi.put(path, params(), {"theme": "light"}, headers={"If-Match": '"1234"'}, version=version)
    assert response.status_code == 412
    assert json.loads(xapi.get(path, params()).content) == {"theme": "dark"}


def test_put_with_the_current_etag_replaces_the_profile(xapi, resource):
    path, params = resource
    etag = xapi.put(path, params(), {"theme": "dark"}, headers=CREATE)["ETag"]
    assert xapi.put(path, params(), {"font": "big"}, headers={"If-Match": etag}).status_code == 204
    assert json.loads(xapi.get(path, params()).content) == {"font": "big"}


def test_put_with_if_none_match_star_on_an_existing_profile_is_412(xapi, resource):
    path, params = resource
    xapi.put(path, params(), {"theme": "dark"}, headers=CREATE)
    assert xapi.put(path, params(), {"theme": "light"}, headers=CREATE).status_code == 412


@pytest.mark.parametrize("version", VERSIONS)
def test_post_with_a_stale_etag_is_412(xapi, resource, version):
    path, params = resource
    xapi.post(path, params(), {"theme": "dark"})
    response = xapi.post(path, params(), {"font": "big"}, headers={"If-Match": '"1234"'}, version=version)
    assert response.status_code == 412


@pytest.mark.parametrize("version", VERSIONS)
def test_delete_with_a_stale_etag_is_412_and_keeps_the_profile(xapi, resource, version):
    path, params = resource
    xapi.post(path, params(), {"theme": "dark"})
    assert xapi.delete(path, params(), headers={"If-Match": '"1234"'}, version=version).status_code == 412
    assert xapi.get(path, params()).status_code == 200


def test_delete_with_the_current_etag_removes_the_profile(xapi, resource):
    path, params = resource
    etag = xapi.post(path, params(), {"theme": "dark"})["ETag"]
    assert xapi.delete(path, params(), headers={"If-Match": etag}).status_code == 204
    assert xapi.get(path, params()).status_code == 404


def test_delete_needs_a_profile_id(xapi, resource):
    path, params = resource
    assert xapi.delete(path, params(None)).status_code == 400


def test_post_merges_json_profiles(xapi, resource):
    path, params = resource
    xapi.post(path, params(), {"theme": "dark"})
    xapi.post(path, params(), {"font": "big"})
    assert json.loads(xapi.get(path, params()).content) == {"theme": "dark", "font": "big"}


def test_post_of_json_onto_a_binary_profile_is_400(xapi, resource):
    path, params = resource
    xapi.put(path, params(), b"/ asdf / undefined", content_type="application/octet-stream", headers=CREATE)
    assert xapi.post(path, params(), {"theme": "dark"}).status_code == 400
    assert xapi.get(path, params()).content == b"/ asdf / undefined"


def test_ids_list_only_profiles_changed_after_since(xapi, resource):
    path, params = resource
    xapi.post(path, params("old"), {"a": 1})
    xapi.post(path, params("new"), {"a": 1})
    Document.objects.filter(document_id="old").update(updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    Document.objects.filter(document_id="new").update(updated=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    assert json.loads(xapi.get(path, params(None, since="2024-03-01T00:00:00Z")).content) == ["new"]


@pytest.mark.parametrize("version", VERSIONS)
def test_get_of_one_profile_carries_etag_and_last_modified(xapi, resource, version):
    path, params = resource
    xapi.post(path, params(), {"a": 1}, version=version)
    response = xapi.get(path, params(), version=version)
    assert response["ETag"].startswith('"') and response.has_header("Last-Modified")


def test_head_of_one_profile_has_no_body(xapi, resource):
    path, params = resource
    xapi.post(path, params(), {"a": 1})
    response = xapi.head(path, params())
    assert (response.status_code, response.content) == (200, b"")


def test_a_missing_profile_is_404(xapi, resource):
    path, params = resource
    assert xapi.get(path, params("never-written")).status_code == 404


def test_activity_profiles_need_an_activity_id(xapi):
    assert xapi.get("/activities/profile", {"profileId": "p"}).status_code == 400


def test_agent_profiles_need_an_agent(xapi):
    assert xapi.get("/agents/profile", {"profileId": "p"}).status_code == 400


def test_an_agent_profile_refuses_an_agent_that_is_not_json(xapi):
    assert xapi.post("/agents/profile", {"agent": "true", "profileId": "p"}, {"a": 1}).status_code == 400


def test_activity_profiles_take_no_agent_parameter(xapi):
    query = {"activityId": ACTIVITY, "profileId": "p", "agent": ANN}
    assert xapi.post("/activities/profile", query, {"a": 1}).status_code == 400


def test_agent_profiles_of_different_agents_are_separate(xapi):
    xapi.post("/agents/profile", {"agent": ANN, "profileId": "p"}, {"a": 1})
    tim = {"mbox": "mailto:tim@example.com"}
    assert xapi.get("/agents/profile", {"agent": tim, "profileId": "p"}).status_code == 404
