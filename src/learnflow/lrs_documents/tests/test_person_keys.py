"""A person's own key reaches that person's documents only: another person's state and agent profile are part of
their private record."""
from __future__ import annotations

import pytest

from learnflow.lrs_documents.tests.conftest import ACTIVITY

pytestmark = pytest.mark.django_db


def _agent(user):
    from django.conf import settings

    return {"objectType": "Agent", "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": user.username}}


def test_a_persons_key_writes_and_reads_their_own_state(org, xapi_for):
    xapi = xapi_for(org.ann)
    params = {"activityId": ACTIVITY, "agent": _agent(org.ann), "stateId": "bookmark"}
    assert xapi.put("/activities/state", params, {"page": 3}).status_code == 204
    assert xapi.get("/activities/state", params).json() == {"page": 3}


@pytest.mark.parametrize("resource,extra", [
    ("/activities/state", {"activityId": ACTIVITY, "stateId": "bookmark"}),
    ("/agents/profile", {"profileId": "prefs"}),
])
def test_a_persons_key_cannot_reach_someone_elses_documents(org, xapi, xapi_for, resource, extra):
    params = {**extra, "agent": _agent(org.tim)}
    new = {"If-None-Match": "*"}  # profiles ask writers to say they expect no document yet
    assert xapi.put(resource, params, {"secret": "tim's"}, headers=new).status_code == 204  # an organisation tool
    anns_tool = xapi_for(org.ann)
    assert anns_tool.get(resource, params).status_code == 403
    assert anns_tool.put(resource, params, {"x": 1}, headers=new).status_code == 403
    assert anns_tool.delete(resource, params).status_code == 403
    assert xapi.get(resource, params).json() == {"secret": "tim's"}
