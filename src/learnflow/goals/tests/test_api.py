"""/api/goals: create, read, patch, steps and evidence, with the pages' rules and JSON errors naming the field."""
from __future__ import annotations

import pytest

from learnflow.goals import services
from learnflow.goals.models import Evidence, Goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann_api(client, org, token_for):
    headers = token_for(org.ann)

    class Api:
        def get(self, url):
            return client.get(url, **headers)

        def post(self, url, data):
            return client.post(url, data, content_type="application/json", **headers)

        def patch(self, url, data):
            return client.patch(url, data, content_type="application/json", **headers)

        def delete(self, url):
            return client.delete(url, **headers)

        def upload(self, url, data):
            return client.post(url, data, **headers)

    return Api()


def test_create_a_goal_and_read_it_back(org, ann_api, in_days):
    response = ann_api.post("/api/goals", {"title": "Lead reviews", "why": "They stall",
                                           "target_date": in_days(org.ann, 20).isoformat()})
    assert response.status_code == 201
    body = response.json()
    assert body["visibility"] == "private" and body["progress"] == {"done": 0, "total": 0, "percent": 0}
    assert ann_api.get(f"/api/goals/{body['id']}").json()["title"] == "Lead reviews"


def test_a_past_target_date_is_a_400_naming_the_field(org, ann_api, in_days):
    response = ann_api.post("/api/goals", {"title": "x", "target_date": in_days(org.ann, -1).isoformat()})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "target_date"
    assert not Goal.objects.exists()


def test_an_unknown_visibility_is_refused(org, ann_api, in_days):
    response = ann_api.post("/api/goals", {"title": "x", "target_date": in_days(org.ann, 1).isoformat(),
                                           "visibility": "everyone"})
    assert response.status_code == 422


def test_patch_shares_and_achieves_a_goal(org, ann_api, goal_factory):
    goal = goal_factory(org.ann)
    body = ann_api.patch(f"/api/goals/{goal.pk}", {"visibility": "manager", "status": "achieved"}).json()
    assert (body["visibility"], body["status"]) == ("manager", "achieved")


def test_steps_are_added_ticked_and_counted(org, ann_api, goal_factory):
    goal = goal_factory(org.ann)
    step = ann_api.post(f"/api/goals/{goal.pk}/steps", {"title": "Shadow"}).json()
    ann_api.post(f"/api/goals/{goal.pk}/steps", {"title": "Lead"})
    assert ann_api.patch(f"/api/goals/{goal.pk}/steps/{step['id']}", {"done": True}).json()["done"] is True
    assert ann_api.get(f"/api/goals/{goal.pk}").json()["progress"]["done"] == 1


def test_a_step_after_the_target_date_is_a_400(org, ann_api, goal_factory):
    goal = goal_factory(org.ann, days=5)
    response = ann_api.post(f"/api/goals/{goal.pk}/steps", {"title": "Late", "due_date": "2999-01-01"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "due_date"


def test_attach_an_entry_and_remove_it(org, ann_api, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann)
    response = ann_api.post(f"/api/goals/{goal.pk}/evidence", {"kind": "entry", "entry_id": entry.pk})
    assert response.status_code == 201 and response.json()["entry_id"] == entry.pk
    assert ann_api.delete(f"/api/goals/{goal.pk}/evidence/{response.json()['id']}").status_code == 204
    assert not Evidence.objects.exists()


def test_an_entry_the_owner_may_not_see_is_refused_with_a_clear_400(org, ann_api, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    eves = entry_factory(org.eve, title="Eve's private")
    response = ann_api.post(f"/api/goals/{goal.pk}/evidence", {"kind": "entry", "entry_id": eves.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "entry" and "not yours" in response.json()["detail"]


def test_attach_activity_and_a_link(org, ann_api, goal_factory, statement_for):
    goal = goal_factory(org.ann)
    statement = statement_for(org.ann)
    assert ann_api.post(f"/api/goals/{goal.pk}/evidence", {"kind": "activity", "statement_id": str(statement.id)}
                        ).status_code == 201
    assert ann_api.post(f"/api/goals/{goal.pk}/evidence", {"kind": "link", "url": "https://example.org"}
                        ).status_code == 201
    assert len(ann_api.get(f"/api/goals/{goal.pk}").json()["evidence"]) == 2


def test_attach_a_file(org, ann_api, goal_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = goal_factory(org.ann)
    response = ann_api.upload(f"/api/goals/{goal.pk}/evidence/file",
                              {"file": SimpleUploadedFile("notes.md", b"# Done"), "title": "Notes"})
    assert response.status_code == 201 and response.json()["file_url"].startswith("/goals/evidence/")


def test_someone_who_sees_a_goal_still_cannot_change_it(org, client, token_for, goal_factory):
    goal = goal_factory(org.ann, visibility="organisation")
    headers = token_for(org.boss)
    assert client.patch(f"/api/goals/{goal.pk}", {"title": "x"}, content_type="application/json",
                        **headers).status_code == 404
    assert client.post(f"/api/goals/{goal.pk}/steps", {"title": "x"}, content_type="application/json",
                       **headers).status_code == 404
    assert client.post(f"/api/goals/{goal.pk}/evidence", {"kind": "link", "url": "https://example.org"},
                       content_type="application/json", **headers).status_code == 404
    assert client.delete(f"/api/goals/{goal.pk}", **headers).status_code == 404


def test_evidence_in_the_api_hides_an_unshared_entry_from_others(org, client, token_for, goal_factory,
                                                                 entry_factory):
    goal = goal_factory(org.ann, visibility="manager")
    services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry_factory(org.ann, title="Private"))
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org", title="Link")
    body = client.get(f"/api/goals/{goal.pk}", **token_for(org.boss)).json()
    assert [e["title"] for e in body["evidence"]] == ["Link"]


def test_the_api_needs_authentication(client):
    assert client.get("/api/goals").status_code == 401
