"""/xapi/activities/state over HTTP: parameters, status codes and headers in both xAPI versions."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from urllib.parse import urlencode

import pytest

from learnflow.lrs.models import LrsKey
from learnflow.lrs.services import lrs_key_create
from learnflow.lrs_documents.models import Document

from .conftest import ACTIVITY, ANN, VERSIONS, XapiClient

PATH = "/activities/state"


def params(state_id: str | None = "bookmark", **extra) -> dict:
    base = {"activityId": ACTIVITY, "agent": ANN}
    if state_id is not None:
        base["stateId"] = state_id
    return {**base, **extra}


@pytest.mark.parametrize("version", VERSIONS)
def test_put_then_get_returns_the_document_with_its_content_type_and_etag(xapi, version):
    written = xapi.put(PATH, params(), {"page": 3}, version=version)
    got = xapi.get(PATH, params(), version=version)
    assert (written.status_code, got.status_code) == (204, 200)
    assert json.loads(got.content) == {"page": 3}
    assert got["Content-Type"] == "application/json"
    assert got["ETag"] == written["ETag"]


def test_successful_writes_answer_204_with_no_body_and_no_content_type(xapi):
    response = xapi.post(PATH, params(), {"page": 3})
    assert (response.status_code, response.content, response.has_header("Content-Type")) == (204, b"", False)


def test_a_binary_document_round_trips_byte_for_byte(xapi):
    blob = bytes(range(256))
    xapi.put(PATH, params(), blob, content_type="image/png")
    got = xapi.get(PATH, params())
    assert (got.content, got["Content-Type"]) == (blob, "image/png")


def test_etag_is_a_quoted_sha1_of_the_document(xapi):
    xapi.put(PATH, params(), b"hello", content_type="text/plain")
    assert xapi.get(PATH, params())["ETag"] == '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"'


@pytest.mark.parametrize("version", VERSIONS)
def test_get_carries_last_modified(xapi, version):
    xapi.put(PATH, params(), {"page": 3}, version=version)
    updated = Document.objects.get().updated
    assert xapi.get(PATH, params(), version=version)["Last-Modified"] == updated.strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_head_answers_like_get_without_a_body(xapi):
    xapi.put(PATH, params(), {"page": 3})
    response = xapi.head(PATH, params())
    assert (response.status_code, response.content) == (200, b"")
    assert response["ETag"] == xapi.get(PATH, params())["ETag"]


def test_get_with_the_current_etag_in_if_none_match_is_304(xapi):
    etag = xapi.put(PATH, params(), {"page": 3})["ETag"]
    response = xapi.get(PATH, params(), headers={"If-None-Match": etag})
    assert (response.status_code, response.content) == (304, b"")


def test_a_missing_document_is_404(xapi):
    assert xapi.get(PATH, params("never-written")).status_code == 404


def test_the_same_agent_with_a_differently_cased_mbox_finds_the_same_state(xapi):
    xapi.put(PATH, params(), {"page": 3})
    other_spelling = {"mbox": "mailto:ANN@example.com"}
    assert xapi.get(PATH, params(agent=other_spelling)).status_code == 200


def test_agents_by_account_are_told_apart_by_home_page(xapi):
    account = {"account": {"homePage": "http://lms.example.com", "name": "ann"}}
    xapi.put(PATH, params(agent=account), {"page": 3})
    elsewhere = {"account": {"homePage": "http://other.example.com", "name": "ann"}}
    assert xapi.get(PATH, params(agent=elsewhere)).status_code == 404


def test_registration_keeps_state_documents_apart(xapi):
    xapi.put(PATH, params(registration=str(uuid.uuid4())), {"page": 3})
    assert xapi.get(PATH, params()).status_code == 404


def test_registration_may_be_given_in_upper_case(xapi):
    registration = uuid.uuid4()
    xapi.put(PATH, params(registration=str(registration).upper()), {"page": 3})
    assert xapi.get(PATH, params(registration=str(registration))).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"agent": ANN, "stateId": "s"},
        {"activityId": ACTIVITY, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": ANN},
        {"activityId": "not an iri", "agent": ANN, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": "{not json", "stateId": "s"},
        {"activityId": ACTIVITY, "agent": "true", "stateId": "s"},
        {"activityId": ACTIVITY, "agent": {"name": "no identifier"}, "stateId": "s"},
        {"activityId": ACTIVITY, "agent": ANN, "stateId": "s", "registration": "not-a-uuid"},
        {"activityId": ACTIVITY, "agent": ANN, "stateId": "s", "StateId": "s"},
        {"activityId": ACTIVITY, "agent": ANN, "stateId": "s", "since": "2024-01-01T00:00:00Z"},
    ],
    ids=["no-activity", "no-agent", "no-state-id", "activity-not-iri", "agent-not-json", "agent-not-object",
         "agent-without-ifi", "bad-registration", "wrong-case-parameter", "since-on-put"],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_put_with_bad_parameters_is_400(xapi, query, version):
    assert xapi.put(PATH, query, {"a": 1}, version=version).status_code == 400


def test_ids_are_listed_without_state_id(xapi):
    xapi.put(PATH, params("one"), {"a": 1})
    xapi.put(PATH, params("two"), {"a": 1})
    assert sorted(json.loads(xapi.get(PATH, params(None)).content)) == ["one", "two"]


def test_ids_list_only_documents_changed_after_since(xapi):
    xapi.put(PATH, params("old"), {"a": 1})
    xapi.put(PATH, params("new"), {"a": 1})
    Document.objects.filter(document_id="old").update(updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    Document.objects.filter(document_id="new").update(updated=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    listed = xapi.get(PATH, params(None, since="2024-03-01T00:00:00Z"))
    assert json.loads(listed.content) == ["new"]


def test_since_is_exclusive(xapi):
    xapi.put(PATH, params("exact"), {"a": 1})
    Document.objects.update(updated=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert json.loads(xapi.get(PATH, params(None, since="2024-01-01T00:00:00Z")).content) == []


def test_since_accepts_a_timestamp_with_an_offset(xapi):
    xapi.put(PATH, params("one"), {"a": 1})
    Document.objects.update(updated=dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC))
    assert json.loads(xapi.get(PATH, params(None, since="2024-01-01T13:30:00+02:00")).content) == ["one"]


def test_ids_without_registration_span_every_registration(xapi):
    xapi.put(PATH, params("plain"), {"a": 1})
    xapi.put(PATH, params("registered", registration=str(uuid.uuid4())), {"a": 1})
    assert sorted(json.loads(xapi.get(PATH, params(None)).content)) == ["plain", "registered"]


def test_ids_with_registration_list_only_that_registration(xapi):
    registration = str(uuid.uuid4())
    xapi.put(PATH, params("plain"), {"a": 1})
    xapi.put(PATH, params("registered", registration=registration), {"a": 1})
    assert json.loads(xapi.get(PATH, params(None, registration=registration)).content) == ["registered"]


def test_since_together_with_state_id_is_400(xapi):
    assert xapi.get(PATH, params(since="2024-01-01T00:00:00Z")).status_code == 400


def test_since_that_is_not_a_timestamp_is_400(xapi):
    assert xapi.get(PATH, params(None, since="not a timestamp")).status_code == 400


def test_an_empty_ids_list_is_an_empty_array(xapi):
    response = xapi.get(PATH, params(None))
    assert (response.status_code, json.loads(response.content)) == (200, [])


def test_delete_of_one_document_answers_204_and_removes_it(xapi):
    xapi.put(PATH, params(), {"a": 1})
    assert xapi.delete(PATH, params()).status_code == 204
    assert xapi.get(PATH, params()).status_code == 404


def test_delete_without_state_id_removes_all_state_of_the_activity_and_agent(xapi):
    xapi.put(PATH, params("one"), {"a": 1})
    xapi.put(PATH, params("two"), {"a": 1})
    assert xapi.delete(PATH, params(None)).status_code == 204
    assert json.loads(xapi.get(PATH, params(None)).content) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_second_put_without_precondition_headers_is_409(xapi, version):
    xapi.put(PATH, params(), {"a": 1}, version=version)
    response = xapi.put(PATH, params(), {"a": 2}, version=version)
    assert response.status_code == 409
    assert json.loads(response.content)["message"]


def test_a_put_with_the_current_etag_replaces_state(xapi):
    etag = xapi.put(PATH, params(), {"a": 1})["ETag"]
    assert xapi.put(PATH, params(), {"a": 2}, headers={"If-Match": etag}).status_code == 204
    assert json.loads(xapi.get(PATH, params()).content) == {"a": 2}


def test_post_merges_json_state(xapi):
    xapi.post(PATH, params(), {"car": "Honda"})
    xapi.post(PATH, params(), {"type": "Civic"})
    assert json.loads(xapi.get(PATH, params()).content) == {"car": "Honda", "type": "Civic"}


def test_post_of_a_non_json_document_onto_json_state_is_400(xapi):
    xapi.post(PATH, params(), {"car": "Honda"})
    assert xapi.post(PATH, params(), b"abcdefg", content_type="not/json").status_code == 400
    assert json.loads(xapi.get(PATH, params()).content) == {"car": "Honda"}


def test_an_unsupported_method_is_405(xapi):
    assert xapi.request("PATCH", PATH, params()).status_code == 405


def test_requests_without_credentials_are_401(xapi):
    xapi.credentials = "nobody:nothing"
    assert xapi.get(PATH, params()).status_code == 401


def test_a_read_only_key_cannot_write_state(db):
    reader = XapiClient(credentials=str(lrs_key_create(org_tool="Dashboard", scope=LrsKey.Scope.READ)))
    assert reader.put(PATH, params(), {"a": 1}).status_code == 403
    assert not Document.objects.exists()


def test_the_1_0_3_alternate_request_syntax_writes_state(xapi):
    form = urlencode({**{k: json.dumps(v) if isinstance(v, dict) else v for k, v in params().items()},
                      "content": '{"page": 7}', "Content-Type": "application/json"})
    response = xapi.post(PATH, {"method": "PUT"}, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204
    assert json.loads(xapi.get(PATH, params()).content) == {"page": 7}


def test_the_alternate_request_syntax_is_refused_under_2_0(xapi):
    form = urlencode({**{k: json.dumps(v) if isinstance(v, dict) else v for k, v in params().items()},
                      "content": '{"page": 7}'})
    response = xapi.post(PATH, {"method": "PUT"}, form, content_type="application/x-www-form-urlencoded",
                         version="2.0.0")
    assert response.status_code == 400
