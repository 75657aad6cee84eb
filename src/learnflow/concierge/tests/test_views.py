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
    suggested = client.get(f"/api/help/requests/{created['id']}/suggestions", **ann).json()["people"]
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


# --- malformed input decides nothing (audit items 11 and 12) -----------------------------------------------------

@pytest.fixture
def asked_tim(tim_knows_kubernetes):
    from learnflow.concierge.services import help_request_ask, help_request_create

    org = tim_knows_kubernetes
    request = help_request_create(asker=org.ann, title="Kubernetes rollback", skills=["kubernetes"])
    help_request_ask(request=request, actor=org.ann, people=[org.tim])
    return request


@pytest.mark.parametrize("data", [{}, {"answer": ""}, {"answer": "acept"}, {"answr": "accept"}])
def test_a_respond_form_without_a_known_answer_is_refused_and_changes_nothing(org, asked_tim, client, data):
    client.force_login(org.tim)
    response = client.post(f"/help/{asked_tim.pk}/respond/", data)
    assert response.status_code == 400 and "accept" in response.content.decode()
    assert asked_tim.asks.get(person=org.tim).status == "pending"


def test_resolving_with_an_unknown_helper_is_refused_and_changes_nothing(org, asked_tim, client):
    client.force_login(org.ann)
    for helper in ("nosuchperson", "99999", str(2**63)):
        response = client.post(f"/help/{asked_tim.pk}/resolve/", {"helper": helper})
        assert response.status_code == 400 and "helper" in response.content.decode()
    asked_tim.refresh_from_db()
    assert asked_tim.status == "open"
    assert client.post(f"/help/{asked_tim.pk}/resolve/", {"helper": ""}).status_code == 302
    asked_tim.refresh_from_db()
    assert (asked_tim.status, asked_tim.helper) == ("resolved", None)


def test_a_page_id_out_of_range_is_not_found(org, client):
    client.force_login(org.ann)
    assert client.get(f"/help/{2**63}/").status_code == 404


def test_api_suggestions_include_matching_communities_and_resources(tim_knows_kubernetes, client, token_for, topic):
    from learnflow.community.services import community_create
    from learnflow.library.services import resource_create

    org = tim_knows_kubernetes
    k8s = topic("Kubernetes")
    community_create(actor=org.eve, name="Kubernetes operators", description="Running clusters", topics=[k8s])
    resource_create(author=org.eve, kind="page", title="Kubernetes rollback guide", body="rollout undo",
                    topics=[k8s])
    ann = token_for(org.ann)
    created = client.post("/api/help/requests", {"title": "Kubernetes rollback", "topic_ids": [k8s.pk]},
                          content_type="application/json", **ann).json()
    found = client.get(f"/api/help/requests/{created['id']}/suggestions", **ann).json()
    assert {"tim", "eve"} <= {p["person"]["username"] for p in found["people"]}
    assert [c["name"] for c in found["communities"]] == ["Kubernetes operators"]
    assert [r["title"] for r in found["resources"]] == ["Kubernetes rollback guide"]


def test_api_refuses_unknown_topics_fields_and_ids_out_of_range(org, client, token_for, topic):
    ann = token_for(org.ann)

    def post(url, body):
        return client.post(url, body, content_type="application/json", **ann)

    unknown = post("/api/help/requests", {"title": "Pivot tables", "topic_ids": [987654]})
    assert unknown.status_code == 400 and "topic_ids" in unknown.content.decode()
    huge = post("/api/help/requests", {"title": "Pivot tables", "topic_ids": [2**63]})
    assert huge.status_code in (400, 422) and "topic_ids" in huge.content.decode()
    extra = post("/api/help/requests", {"title": "Pivot tables", "topics": ["excel"]})
    assert extra.status_code in (400, 422) and "topics" in extra.content.decode()
    assert HelpRequest.objects.count() == 0

    created = post("/api/help/requests", {"title": "Pivot tables", "skills": ["excel"]}).json()
    for body, field in (({"helper_id": org.tim.pk}, "helper_id"), ({"helper": 2**63}, "helper"),
                        ({"helper": 2**63 - 1}, "helper")):
        refused = post(f"/api/help/requests/{created['id']}/resolve", body)
        assert refused.status_code in (400, 422) and field in refused.content.decode()
    assert HelpRequest.objects.get().status == "open"
    asks = post(f"/api/help/requests/{created['id']}/asks", {"people": [2**63]})
    assert asks.status_code in (400, 422) and "people" in asks.content.decode()
    assert client.get(f"/api/help/requests/{2**63}", **ann).status_code in (404, 422)
