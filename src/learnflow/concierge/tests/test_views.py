"""The pages and the API, end to end through the test client."""
from __future__ import annotations

import pytest

from learnflow.concierge.models import HelpRequest


@pytest.fixture
def tim_knows_kubernetes(org, skilled):
    skilled(org.tim, "kubernetes")
    return org


def test_asking_for_help_through_the_pages(tim_knows_kubernetes, client):
    org = tim_knows_kubernetes
    client.force_login(org.ann)
    response = client.post("/help/new/", {"title": "Kubernetes rollback", "description": "It **broke**",
                                          "skills": "kubernetes", "urgency": "high", "mode": "chat"})
    request = HelpRequest.objects.get(asker=org.ann)
    assert response.headers["Location"] == f"/help/{request.pk}/"
    page = client.get(f"/help/{request.pk}/").content.decode()
    assert "declared skill: kubernetes" in page and "<strong>broke</strong>" in page
    client.post(f"/help/{request.pk}/ask/", {"person": [org.tim.pk], "note": "please"})
    client.force_login(org.tim)
    assert "Kubernetes rollback" in client.get("/help/").content.decode()
    client.post(f"/help/{request.pk}/respond/", {"answer": "accept"})
    client.post(f"/help/{request.pk}/reply/", {"body": "Run `kubectl rollout undo`"})
    client.force_login(org.ann)
    client.post(f"/help/{request.pk}/resolve/", {"helper": org.tim.pk})
    request.refresh_from_db()
    assert (request.status, request.helper) == ("resolved", org.tim)


def test_an_empty_title_keeps_what_was_typed_and_names_the_field(org, client):
    client.force_login(org.ann)
    response = client.post("/help/new/", {"title": "", "description": "kept text", "urgency": "normal",
                                          "mode": "written"})
    assert response.status_code == 400
    assert "kept text" in response.content.decode()


def test_the_api_creates_a_request_and_refuses_an_empty_title(org, client, token_for):
    headers = token_for(org.ann)
    bad = client.post("/api/help/requests", {"title": ""}, content_type="application/json", **headers)
    assert bad.status_code in (400, 422)
    good = client.post("/api/help/requests", {"title": "Pivot tables", "skills": ["excel"]},
                       content_type="application/json", **headers)
    assert good.status_code == 201 and good.json()["skills"] == ["excel"]


def test_the_api_flow_ask_answer_resolve(tim_knows_kubernetes, client, token_for):
    org = tim_knows_kubernetes
    ann, tim = token_for(org.ann), token_for(org.tim)
    created = client.post("/api/help/requests", {"title": "Kubernetes rollback", "skills": ["kubernetes"]},
                          content_type="application/json", **ann).json()
    suggested = client.get(f"/api/help/requests/{created['id']}/suggestions", **ann).json()
    assert suggested[0]["person"]["username"] == "tim" and suggested[0]["good_match"]
    assert client.get(f"/api/help/requests/{created['id']}/suggestions", **tim).status_code == 404
    client.post(f"/api/help/requests/{created['id']}/asks", {"people": [org.tim.pk]},
                content_type="application/json", **ann)
    client.post(f"/api/help/requests/{created['id']}/messages", {"body": "rollout undo"},
                content_type="application/json", **tim)
    done = client.post(f"/api/help/requests/{created['id']}/resolve", {"helper": org.tim.pk},
                       content_type="application/json", **ann).json()
    assert (done["status"], done["helper"]["username"], [m["body"] for m in done["messages"]]) == (
        "resolved", "tim", ["rollout undo"])


def test_opting_out_through_the_settings_page_and_api(org, client, token_for):
    client.force_login(org.tim)
    client.post("/help/settings/", {"opt_out": "on"})
    assert client.get("/api/help/settings", **token_for(org.tim)).json() == {"opt_out": True}
