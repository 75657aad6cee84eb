"""A library resource as evidence: only one the owner may see; shown to others on a shared goal only if they may see
the resource too; attached from the goal page and the API; kept through export and import."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learnflow.goals import selectors, services
from learnflow.goals.models import Evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource_factory(db):
    from learnflow.library.models import Resource

    def make(author, title="Designing Data-Intensive Applications, ch. 5", status="published",
             url="https://example.org/ddia-5"):
        return Resource.objects.create(author=author, title=title, status=status, url=url,
                                       published_at=timezone.now() if status == "published" else None)

    return make


def test_a_published_resource_becomes_evidence_and_is_seen_with_the_shared_goal(org, goal_factory,
                                                                                resource_factory):
    goal = goal_factory(org.ann, visibility="team")
    resource = resource_factory(org.lena)
    evidence = services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=resource,
                                                   note="Replication lag explained our stale reads.")
    assert evidence.label == resource.title
    assert [e.label for e in selectors.goal_evidence(viewer=org.tim, goal=goal)] == [resource.title]


def test_someone_elses_draft_is_refused_as_evidence_and_nothing_is_written(org, goal_factory, resource_factory):
    goal = goal_factory(org.ann)
    draft = resource_factory(org.lena, title="Draft reading list", status="draft")
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=draft)
    assert "not one you may see" in exc.value.message_dict["resource"][0]
    assert not Evidence.objects.exists()


def test_an_own_draft_on_a_shared_goal_stays_hidden_from_others(org, goal_factory, resource_factory):
    goal = goal_factory(org.ann, visibility="organisation")
    draft = resource_factory(org.ann, title="My half-written talk notes", status="draft")
    services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=draft)
    assert [e.label for e in selectors.goal_evidence(viewer=org.ann, goal=goal)] == ["My half-written talk notes"]
    for role in ("tim", "boss", "eve", "lena", "root"):
        assert selectors.goal_evidence(viewer=org.everyone[role], goal=goal) == [], role


def test_the_same_resource_twice_on_one_goal_is_refused(org, goal_factory, resource_factory):
    goal = goal_factory(org.ann)
    resource = resource_factory(org.lena)
    services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=resource)
    with pytest.raises(ValidationError):
        services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=resource)
    assert Evidence.objects.count() == 1


def test_attaching_a_resource_by_pasting_its_address_on_the_goal_page(org, goal_factory, resource_factory, client):
    goal = goal_factory(org.ann)
    resource = resource_factory(org.lena)
    client.force_login(org.ann)
    response = client.post(reverse("goals:evidence_add", args=[goal.pk]), {
        "kind": "resource", "resource": f"http://testserver{resource.get_absolute_url()}"})
    assert response.status_code == 302
    page = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert f'href="{resource.get_absolute_url()}">{resource.title}</a>' in page


def test_a_draft_pasted_on_the_page_is_refused_beside_the_field(org, goal_factory, resource_factory, client):
    goal = goal_factory(org.ann)
    draft = resource_factory(org.lena, status="draft")
    client.force_login(org.ann)
    response = client.post(reverse("goals:evidence_add", args=[goal.pk]), {"kind": "resource",
                                                                          "resource": str(draft.uid)})
    assert response.status_code == 400
    assert "not one you may see" in response.content.decode()
    assert not Evidence.objects.exists()


def test_attaching_a_resource_through_the_api(org, goal_factory, resource_factory, client, token_for):
    goal = goal_factory(org.ann)
    resource = resource_factory(org.lena)
    response = client.post(f"/api/goals/{goal.pk}/evidence", {"kind": "resource", "resource_uid": str(resource.uid)},
                           content_type="application/json", **token_for(org.ann))
    assert response.status_code == 201, response.content
    assert response.json()["resource_uid"] == str(resource.uid)
    assert response.json()["url"] == resource.get_absolute_url()
    missing = client.post(f"/api/goals/{goal.pk}/evidence", {"kind": "resource", "resource_uid": "nope"},
                          content_type="application/json", **token_for(org.ann))
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "resource"


def test_resource_evidence_survives_export_and_import(org, goal_factory, resource_factory):
    from learnflow.account.archive import account_export, account_import

    goal = goal_factory(org.ann, title="Understand replication")
    resource = resource_factory(org.lena)
    services.goal_evidence_add_resource(owner=org.ann, goal=goal, resource=resource, note="Stale reads")
    buffer = io.BytesIO()
    account_export(user=org.ann, out=buffer)
    # Into another account on this instance: the same resource.
    account_import(source=io.BytesIO(buffer.getvalue()), username="ann2")
    copy = Evidence.objects.get(goal__owner__username="ann2")
    assert (copy.kind, copy.resource_id, copy.note) == ("resource", resource.pk, "Stale reads")
    # Where the resource is not (here: withdrawn by deleting it), it is kept as a link to it.
    resource.delete()
    report = account_import(source=io.BytesIO(buffer.getvalue()), username="ann3")
    kept = Evidence.objects.get(goal__owner__username="ann3")
    assert (kept.kind, kept.url, kept.title) == ("link", "https://example.org/ddia-5", resource.title)
    assert any("kept as a link" in note for note in report.notes)
