"""Opening and completing a resource: xAPI statements in the person's own record, private, without a flood."""
from __future__ import annotations

import json

import pytest

from learnflow.library import services
from learnflow.lrs.models import Statement
from learnflow.record.selectors import recorded_activity

pytestmark = pytest.mark.django_db


def _verbs(person) -> list[str]:
    return [a.verb_iri for a in recorded_activity(viewer=person, include_learnflow=True)]


def test_opening_a_resource_page_records_experienced_once_a_day(org, resource_factory, client):
    resource = resource_factory(org.ann, title="Escalation checklist")
    client.force_login(org.tim)
    for _ in range(3):
        assert client.get(resource.get_absolute_url()).status_code == 200
    assert _verbs(org.tim).count("http://adlnet.gov/expapi/verbs/experienced") == 1
    data = json.loads(Statement.objects.get(person_id=org.tim.pk).full_json)
    assert data["object"]["id"].endswith(resource.get_absolute_url())
    assert data["object"]["definition"]["name"]["en"] == "Escalation checklist"


def test_completing_records_completed_once(org, resource_factory):
    resource = resource_factory(org.ann)
    services.resource_complete(resource=resource, viewer=org.tim)
    services.resource_complete(resource=resource, viewer=org.tim)
    assert _verbs(org.tim).count("http://adlnet.gov/expapi/verbs/completed") == 1


@pytest.mark.parametrize("other", ["ann", "boss", "lena", "root", "eve"])
def test_what_tim_opened_and_completed_is_in_no_one_elses_record(org, resource_factory, client, other):
    resource = resource_factory(org.ann)
    client.force_login(org.tim)
    client.get(resource.get_absolute_url())
    client.post(f"/library/r/{resource.uid}/complete/")
    assert len(_verbs(org.tim)) == 2
    assert _verbs(org.everyone[other]) == [] or other == "ann" and all(
        "experienced" not in v and "completed" not in v for v in _verbs(org.ann))


def test_a_drafts_title_never_goes_into_a_statement(org, resource_factory, client):
    resource = resource_factory(org.ann, title="Secret reorganisation plan", submit=False)
    client.force_login(org.ann)
    client.get(resource.get_absolute_url())
    assert "Secret" not in Statement.objects.get(person_id=org.ann.pk).full_json
