"""Document writes (PUT, POST merge, DELETE) and the canonical Activity definitions."""

from __future__ import annotations

import json
import uuid

import pytest

from learnflow.lrs import indexing
from learnflow.lrs.http import XapiError, etag_for
from learnflow.lrs_documents import selectors
from learnflow.lrs_documents.models import Activity, Document, DocumentKind
from learnflow.lrs_documents.services import (
    DocumentAddress, Preconditions, Upload, activity_definitions_merge, definition_merge, document_delete,
    document_post, document_put, documents_delete,
)

from .conftest import ACTIVITY

pytestmark = pytest.mark.django_db

ANN_IFI = "mbox:mailto:ann@example.com"


def state(state_id: str | None = "bookmark", registration: uuid.UUID | None = None,
          agent_ifi: str = ANN_IFI) -> DocumentAddress:
    return DocumentAddress(kind=DocumentKind.STATE, document_id=state_id, activity_iri=ACTIVITY, agent_ifi=agent_ifi,
                           registration=registration)


def put(address: DocumentAddress, content: bytes | dict, content_type: str = "application/json") -> Document:
    raw = json.dumps(content).encode() if isinstance(content, dict) else content
    return document_put(address=address, upload=Upload(raw, content_type),
                        preconditions=Preconditions(if_none_match="*"), version="2.0.0")


def post(address: DocumentAddress, content: bytes | dict, content_type: str = "application/json") -> Document:
    raw = json.dumps(content).encode() if isinstance(content, dict) else content
    return document_post(address=address, upload=Upload(raw, content_type), preconditions=Preconditions(),
                         version="2.0.0")


def stored(address: DocumentAddress) -> Document:
    return Document.objects.get(key=address.key)


# ----------------------------------------------------------------------------- PUT


def test_put_keeps_the_bytes_and_content_type_as_sent():
    put(state(), b"\x00\xffbinary", "application/octet-stream")
    document = stored(state())
    assert (bytes(document.content), document.content_type) == (b"\x00\xffbinary", "application/octet-stream")


def test_put_sets_the_etag_to_the_quoted_sha1_of_the_content():
    document = put(state(), b"hello", "text/plain")
    assert document.etag == '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"'


def test_put_without_content_type_stores_octet_stream():
    put(state(), b"opaque", "")
    assert stored(state()).content_type == "application/octet-stream"


def test_put_of_invalid_json_declared_as_json_is_refused():
    with pytest.raises(XapiError) as exc:
        put(state(), b"{not json", "application/json")
    assert exc.value.status == 400


def test_put_with_if_match_replaces_the_document():
    first = put(state(), {"page": 1})
    document_put(address=state(), upload=Upload(b'{"page": 2}', "application/json"),
                 preconditions=Preconditions(if_match=first.etag), version="1.0.3")
    assert json.loads(bytes(stored(state()).content)) == {"page": 2}


def test_put_with_a_stale_etag_leaves_the_document_alone():
    put(state(), {"page": 1})
    with pytest.raises(XapiError):
        document_put(address=state(), upload=Upload(b'{"page": 2}', "application/json"),
                     preconditions=Preconditions(if_match='"stale"'), version="1.0.3")
    assert json.loads(bytes(stored(state()).content)) == {"page": 1}


# ----------------------------------------------------------------------------- POST (merge)


def test_post_merges_top_level_properties_with_the_posted_ones_winning():
    put(state(), {"car": "Honda", "colour": "red"})
    post(state(), {"colour": "blue", "type": "Civic"})
    assert json.loads(bytes(stored(state()).content)) == {"car": "Honda", "colour": "blue", "type": "Civic"}


def test_post_replaces_a_nested_object_whole_rather_than_merging_inside_it():
    put(state(), {"location": {"name": "Paris", "zip": "75001"}})
    post(state(), {"location": {"name": "Lyon"}})
    assert json.loads(bytes(stored(state()).content)) == {"location": {"name": "Lyon"}}


def test_post_to_a_missing_document_stores_it_as_sent():
    post(state(), b'{"b": 1,  "a": 2}')
    assert bytes(stored(state()).content) == b'{"b": 1,  "a": 2}'


def test_post_merge_gives_the_document_a_new_etag_matching_its_new_content():
    before = put(state(), {"a": 1})
    after = post(state(), {"b": 2})
    assert after.etag != before.etag
    assert after.etag == etag_for(bytes(stored(state()).content))


@pytest.mark.parametrize(
    ("existing", "existing_type", "posted", "posted_type"),
    [
        ({"a": 1}, "application/json", b"abc", "text/plain"),
        (b"/ asdf / undefined", "application/octet-stream", {"a": 1}, "application/json"),
        ({"a": 1}, "application/json", [1, 2], "application/json"),
        ([1, 2], "application/json", {"a": 1}, "application/json"),
        ({"a": 1}, "application/json", b'{"a": 1}{', "application/json"),
    ],
    ids=["posted-not-json", "existing-not-json", "posted-array", "existing-array", "posted-unparseable"],
)
def test_post_that_cannot_merge_is_400_and_changes_nothing(existing, existing_type, posted, posted_type):
    raw = lambda value: value if isinstance(value, bytes) else json.dumps(value).encode()  # noqa: E731
    put(state(), raw(existing), existing_type)
    with pytest.raises(XapiError) as exc:
        post(state(), raw(posted), posted_type)
    assert exc.value.status == 400
    assert bytes(stored(state()).content) == raw(existing)


def test_post_merge_accepts_json_with_a_charset_parameter():
    put(state(), {"a": 1}, "application/json; charset=utf-8")
    post(state(), {"b": 2}, "application/json; charset=utf-8")
    assert json.loads(bytes(stored(state()).content)) == {"a": 1, "b": 2}


# ----------------------------------------------------------------------------- addressing and DELETE


def test_the_same_agent_written_differently_addresses_the_same_state():
    upper = indexing.agent_ifi({"objectType": "Agent", "name": "Ann", "mbox": "mailto:Ann@Example.COM"})
    put(state(agent_ifi=upper), {"a": 1})
    assert selectors.document_get(address=state(agent_ifi=indexing.agent_ifi({"mbox": "mailto:ann@example.com"})))


def test_registration_is_part_of_a_state_document_address():
    put(state(registration=uuid.uuid4()), {"a": 1})
    assert selectors.document_get(address=state()) is None


def test_profiles_and_state_with_the_same_id_are_different_documents():
    put(state("shared"), {"a": 1})
    profile = DocumentAddress(kind=DocumentKind.ACTIVITY_PROFILE, document_id="shared", activity_iri=ACTIVITY)
    assert selectors.document_get(address=profile) is None


def test_deleting_a_missing_document_succeeds():
    document_delete(address=state("never-written"), preconditions=Preconditions(), version="2.0.0")
    assert not Document.objects.exists()


def test_deleting_a_missing_document_with_if_match_is_412():
    with pytest.raises(XapiError) as exc:
        document_delete(address=state("never-written"), preconditions=Preconditions(if_match="*"), version="2.0.0")
    assert exc.value.status == 412


def test_deleting_a_state_scope_without_registration_deletes_every_registration():
    put(state("a"), {"a": 1})
    put(state("b", registration=uuid.uuid4()), {"b": 1})
    documents_delete(address=state(None))
    assert not Document.objects.exists()


def test_deleting_a_state_scope_with_registration_keeps_other_registrations():
    mine, other = uuid.uuid4(), uuid.uuid4()
    put(state("a", registration=mine), {"a": 1})
    put(state("b", registration=other), {"b": 1})
    documents_delete(address=state(None, registration=mine))
    assert list(Document.objects.values_list("document_id", flat=True)) == ["b"]


def test_deleting_a_state_scope_keeps_other_agents_state():
    put(state("a"), {"a": 1})
    put(state("a", agent_ifi="mbox:mailto:tim@example.com"), {"a": 1})
    documents_delete(address=state(None))
    assert list(Document.objects.values_list("agent_ifi", flat=True)) == ["mbox:mailto:tim@example.com"]


# ----------------------------------------------------------------------------- canonical activity definitions


def statement(activity_id: str = ACTIVITY, **definition) -> dict:
    return {"actor": {"mbox": "mailto:ann@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"objectType": "Activity", "id": activity_id, "definition": definition}}


def canonical(iri: str = ACTIVITY) -> dict:
    return Activity.objects.get(iri=iri).definition


def test_definitions_in_two_languages_are_merged_into_one_language_map():
    activity_definitions_merge(statements=[statement(name={"en-US": "meeting"})])
    activity_definitions_merge(statements=[statement(name={"fr-FR": "réunion"})])
    assert canonical()["name"] == {"en-US": "meeting", "fr-FR": "réunion"}


def test_a_newer_definition_replaces_other_properties():
    activity_definitions_merge(statements=[statement(type="http://adlnet.gov/expapi/activities/meeting")])
    activity_definitions_merge(statements=[statement(type="http://adlnet.gov/expapi/activities/course")])
    assert canonical()["type"] == "http://adlnet.gov/expapi/activities/course"


def test_definitions_within_one_batch_are_merged_in_order():
    activity_definitions_merge(statements=[statement(name={"en-US": "old"}), statement(name={"en-US": "new"})])
    assert canonical()["name"] == {"en-US": "new"}


def test_context_activities_and_substatement_objects_get_canonical_definitions():
    parent = {"id": "http://example.com/course", "definition": {"name": {"en": "Course"}}}
    inner = {"id": "http://example.com/quiz", "definition": {"name": {"en": "Quiz"}}}
    activity_definitions_merge(statements=[{
        "actor": {"mbox": "mailto:ann@example.com"}, "verb": {"id": "http://example.com/planned"},
        "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:ann@example.com"},
                   "verb": {"id": "http://example.com/took"}, "object": inner},
        "context": {"contextActivities": {"parent": [parent]}},
    }])
    assert (canonical("http://example.com/course")["name"], canonical("http://example.com/quiz")["name"]) == (
        {"en": "Course"}, {"en": "Quiz"})


def test_an_unchanged_definition_is_not_written_again():
    activity_definitions_merge(statements=[statement(name={"en": "Same"})])
    assert activity_definitions_merge(statements=[statement(name={"en": "Same"})]) == 0


def test_statements_without_definitions_write_nothing():
    assert activity_definitions_merge(statements=[statement()]) == 0
    assert not Activity.objects.exists()


def test_extensions_are_merged_key_by_key():
    merged = definition_merge({"extensions": {"http://x/a": 1}}, {"extensions": {"http://x/b": 2}})
    assert merged == {"extensions": {"http://x/a": 1, "http://x/b": 2}}
