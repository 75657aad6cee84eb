"""The If-Match / If-None-Match rules for document writes, as xAPI 1.0.3 §3.1 and 2.0 §4.1.4 state them."""

from __future__ import annotations

import pytest

from learnflow.lrs.http import XapiError
from learnflow.lrs_documents.models import Document, DocumentKind
from learnflow.lrs_documents.services import Preconditions, preconditions_check

from .conftest import VERSIONS

ETAG = '"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"'
PROFILES = (DocumentKind.ACTIVITY_PROFILE, DocumentKind.AGENT_PROFILE)


def existing() -> Document:
    return Document(etag=ETAG)


def status_of(*, preconditions: Preconditions, current: Document | None, method: str = "PUT",
              version: str = "2.0.0", kind: DocumentKind = DocumentKind.STATE) -> int:
    try:
        preconditions_check(preconditions=preconditions, current=current, method=method, version=version, kind=kind)
    except XapiError as exc:
        return exc.status
    return 204


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_if_match_with_the_current_etag_passes(method):
    assert status_of(preconditions=Preconditions(if_match=ETAG), current=existing(), method=method) == 204


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_if_match_with_another_etag_fails_with_412(method):
    assert status_of(preconditions=Preconditions(if_match='"1234"'), current=existing(), method=method) == 412


def test_if_match_accepts_any_tag_of_a_list():
    assert status_of(preconditions=Preconditions(if_match=f'"1234", {ETAG}'), current=existing()) == 204


def test_if_match_star_fails_when_there_is_no_document():
    assert status_of(preconditions=Preconditions(if_match="*"), current=None) == 412


def test_if_match_star_passes_when_the_document_exists():
    assert status_of(preconditions=Preconditions(if_match="*"), current=existing()) == 204


def test_if_match_compares_strongly_so_a_weak_tag_never_matches():
    assert status_of(preconditions=Preconditions(if_match="W/" + ETAG), current=existing()) == 412


def test_if_none_match_star_fails_when_the_document_exists():
    assert status_of(preconditions=Preconditions(if_none_match="*"), current=existing()) == 412


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_if_none_match_star_creates_a_new_document(kind):
    assert status_of(preconditions=Preconditions(if_none_match="*"), current=None, kind=kind) == 204


def test_if_none_match_with_the_current_etag_fails():
    assert status_of(preconditions=Preconditions(if_none_match=ETAG), current=existing()) == 412


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_put_without_either_header_on_an_existing_document_is_409_in_both_versions(version, kind):
    assert status_of(preconditions=Preconditions(), current=existing(), version=version, kind=kind) == 409


@pytest.mark.parametrize("kind", PROFILES)
def test_put_without_either_header_on_a_new_profile_is_400_under_1_0_3(kind):
    assert status_of(preconditions=Preconditions(), current=None, version="1.0.3", kind=kind) == 400


@pytest.mark.parametrize("kind", PROFILES)
def test_put_without_either_header_on_a_new_profile_is_428_under_2_0(kind):
    assert status_of(preconditions=Preconditions(), current=None, version="2.0.0", kind=kind) == 428


@pytest.mark.parametrize("version", VERSIONS)
def test_put_without_either_header_creates_new_state(version):
    assert status_of(preconditions=Preconditions(), current=None, version=version, kind=DocumentKind.STATE) == 204


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_post_without_either_header_may_merge_into_an_existing_document(version, kind):
    assert status_of(preconditions=Preconditions(), current=existing(), method="POST", version=version,
                     kind=kind) == 204


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_delete_without_either_header_is_allowed(kind):
    assert status_of(preconditions=Preconditions(), current=existing(), method="DELETE", kind=kind) == 204
