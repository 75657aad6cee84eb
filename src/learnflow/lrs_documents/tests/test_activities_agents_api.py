"""/xapi/activities (canonical Activity definitions) and /xapi/agents (Person objects) over HTTP."""

from __future__ import annotations

import json

import pytest

from learnflow.lrs_documents.selectors import activity_definitions_get
from learnflow.lrs_documents.services import activity_definitions_merge

from .conftest import ACTIVITY, ANN, VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_an_unknown_activity_is_still_returned_as_an_activity_object(xapi, version):
    response = xapi.get("/activities", {"activityId": ACTIVITY}, version=version)
    assert (response.status_code, json.loads(response.content)) == (200, {"objectType": "Activity", "id": ACTIVITY})


def test_an_activity_is_returned_with_its_canonical_definition(xapi):
    definition = {"type": "http://adlnet.gov/expapi/activities/meeting", "name": {"en-US": "example meeting"}}
    activity_definitions_merge(statements=[{
        "actor": {"mbox": "mailto:ann@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"objectType": "Activity", "id": ACTIVITY, "definition": definition},
    }])
    body = json.loads(xapi.get("/activities", {"activityId": ACTIVITY}).content)
    assert body == {"objectType": "Activity", "id": ACTIVITY, "definition": definition}


def test_head_of_an_activity_has_no_body(xapi):
    response = xapi.head("/activities", {"activityId": ACTIVITY})
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("query", [{}, {"activityId": "not an iri"}, {"activityId": ACTIVITY, "agent": ANN}],
                         ids=["missing", "not-iri", "extra-parameter"])
def test_activities_with_bad_parameters_is_400(xapi, query):
    assert xapi.get("/activities", query).status_code == 400


def test_activities_accept_only_get(xapi):
    assert xapi.put("/activities", {"activityId": ACTIVITY}, {"a": 1}).status_code == 405


@pytest.mark.parametrize("version", VERSIONS)
def test_an_agent_is_returned_as_a_person_with_arrays(xapi, version):
    response = xapi.get("/agents", {"agent": ANN}, version=version)
    assert json.loads(response.content) == {"objectType": "Person", "name": ["Ann"], "mbox": ["mailto:ann@example.com"]}


def test_a_person_for_an_account_agent_lists_the_complete_account(xapi):
    account = {"homePage": "http://lms.example.com", "name": "ann42"}
    body = json.loads(xapi.get("/agents", {"agent": {"account": account}}).content)
    assert body == {"objectType": "Person", "account": [account]}


def test_a_learnflow_person_is_returned_with_all_their_identifiers_to_an_organisation_tool(xapi, org, settings):
    org.ann.email = "ann@example.com"
    org.ann.save()
    body = json.loads(xapi.get("/agents", {"agent": {"mbox": "mailto:ann@example.com"}}).content)
    assert body["account"] == [{"homePage": settings.SITE_URL, "name": "ann"}]
    assert body["mbox"] == ["mailto:ann@example.com"]


def test_a_learnflow_person_is_returned_with_all_their_identifiers_to_their_own_key(xapi_for, org, settings):
    org.ann.email = "ann@example.com"
    org.ann.save()
    body = json.loads(xapi_for(org.ann).get("/agents", {"agent": {"mbox": "mailto:ann@example.com"}}).content)
    assert body["account"] == [{"homePage": settings.SITE_URL, "name": "ann"}]


def test_another_persons_key_learns_nothing_beyond_the_agent_it_asked_about(xapi_for, org):
    org.ann.email = "ann@example.com"
    org.ann.save()
    body = json.loads(xapi_for(org.tim).get("/agents", {"agent": {"mbox": "mailto:ann@example.com"}}).content)
    assert body == {"objectType": "Person", "mbox": ["mailto:ann@example.com"]}


@pytest.mark.parametrize(
    "query",
    [{}, {"agent": "{not json"}, {"agent": {"name": "nobody"}},
     {"agent": {"objectType": "Group", "mbox": "mailto:team@example.com"}}, {"agent": ANN, "since": "x"}],
    ids=["missing", "not-json", "no-identifier", "group", "extra-parameter"],
)
def test_agents_with_bad_parameters_is_400(xapi, query):
    assert xapi.get("/agents", query).status_code == 400


def test_head_of_agents_has_no_body(xapi):
    response = xapi.head("/agents", {"agent": ANN})
    assert (response.status_code, response.content) == (200, b"")


def test_statements_stored_through_the_lrs_define_their_activities(xapi):
    definition = {"name": {"en-US": "example meeting"}}
    statement = {"actor": ANN, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
                 "object": {"objectType": "Activity", "id": ACTIVITY, "definition": definition}}
    assert xapi.post("/statements", body=json.dumps([statement]),
                     content_type="application/json").status_code == 200
    assert json.loads(xapi.get("/activities", {"activityId": ACTIVITY}).content)["definition"] == definition


def test_canonical_definitions_are_looked_up_by_iri_for_known_activities_only(db):
    activity_definitions_merge(statements=[{
        "actor": {"mbox": "mailto:ann@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": ACTIVITY, "definition": {"name": {"en": "Onboarding"}}},
    }])
    found = activity_definitions_get(iris=[ACTIVITY, "http://example.com/never-seen"])
    assert found == {ACTIVITY: {"name": {"en": "Onboarding"}}}
