"""/api/goals beyond goals themselves: alignment to a team objective, endorsement requests and answers, the skills
framework import and the evidence map — with the pages' rules and a 400 naming the field for bad input, nothing
written."""
from __future__ import annotations

import pytest

from learnflow.goals import services
from learnflow.goals.models import EndorsementRequest, EndorsementStatus, Framework, FrameworkSkill, Goal

from .conftest import FRAMEWORK_CSV

pytestmark = pytest.mark.django_db


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


@pytest.fixture
def anns_evidence(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann, visibility="manager")
    entry = entry_factory(org.ann, title="Led the incident review")
    return services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)


@pytest.fixture
def objective(org, in_days):
    from learnflow.development.services import objective_create

    return objective_create(actor=org.boss, title="Ship billing changes safely", starts_on=in_days(org.boss, -10),
                            ends_on=in_days(org.boss, 80))


def test_a_goal_is_aligned_to_the_teams_objective_through_the_api(org, client, token_for, in_days, objective):
    headers = token_for(org.ann)
    response = _post(client, "/api/goals", {"title": "Review every billing change",
                                            "target_date": in_days(org.ann, 30).isoformat(),
                                            "team_objective_id": objective.pk}, headers)
    assert response.status_code == 201, response.content
    assert response.json()["team_objective_id"] == objective.pk
    goal_id = response.json()["id"]
    unaligned = client.patch(f"/api/goals/{goal_id}", {"team_objective_id": None}, content_type="application/json",
                             **headers)
    assert unaligned.json()["team_objective_id"] is None


def test_another_teams_objective_is_a_400_and_no_goal_is_made(org, client, token_for, in_days):
    from learnflow.development.services import objective_create

    theirs = objective_create(actor=org.sam, title="Renew on time", starts_on=in_days(org.sam, -1),
                              ends_on=in_days(org.sam, 30))
    response = _post(client, "/api/goals", {"title": "Sneak in", "target_date": in_days(org.eve, 20).isoformat(),
                                            "team_objective_id": theirs.pk}, token_for(org.ann))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "team_objective"
    assert not Goal.objects.exists()


def test_ann_asks_her_manager_who_confirms_through_the_api(org, client, token_for, anns_evidence):
    asked = _post(client, "/api/goals/endorsements", {"endorser": "boss", "evidence_id": anns_evidence.pk,
                                                       "message": "Was the review good?"}, token_for(org.ann))
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["status"] == "open" and body["evidence_title"] == "Led the incident review"
    incoming = client.get("/api/goals/endorsements", **token_for(org.boss)).json()
    assert [r["id"] for r in incoming] == [body["id"]]
    answered = _post(client, f"/api/goals/endorsements/{body['id']}/answer",
                     {"answer": "confirm", "comment": "Clear and calm."}, token_for(org.boss))
    assert answered.status_code == 200
    assert answered.json()["status"] == "confirmed" and answered.json()["comment"] == "Clear and calm."
    mine = client.get("/api/goals/endorsements?role=requester", **token_for(org.ann)).json()
    assert [r["status"] for r in mine] == ["confirmed"]


def test_asking_oneself_to_endorse_ones_own_evidence_is_a_400_and_nothing_is_asked(org, client, token_for,
                                                                                  anns_evidence):
    response = _post(client, "/api/goals/endorsements", {"endorser": "ann", "evidence_id": anns_evidence.pk},
                     token_for(org.ann))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "endorser"
    assert "cannot endorse your own evidence" in response.json()["detail"]
    assert not EndorsementRequest.objects.exists()


def test_asking_about_evidence_that_is_not_yours_is_not_found(org, client, token_for, anns_evidence):
    # boss may see ann's goal (shared with him), but the evidence is not his to put up for endorsement.
    response = _post(client, "/api/goals/endorsements", {"endorser": "tim", "evidence_id": anns_evidence.pk},
                     token_for(org.boss))
    assert response.status_code == 404
    assert not EndorsementRequest.objects.exists()


def test_an_unknown_endorser_is_a_400_naming_the_field(org, client, token_for, anns_evidence):
    response = _post(client, "/api/goals/endorsements", {"endorser": "nobody", "evidence_id": anns_evidence.pk},
                     token_for(org.ann))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "endorser"


@pytest.mark.parametrize("role", ["ann", "tim", "eve", "lena", "root"])
def test_only_the_person_asked_can_answer(org, client, token_for, anns_evidence, role):
    request = services.endorsement_request(requester=org.ann, endorser=org.boss, evidence=anns_evidence)
    response = _post(client, f"/api/goals/endorsements/{request.pk}/answer", {"answer": "confirm"},
                     token_for(org.everyone[role]))
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == EndorsementStatus.OPEN


def test_an_answered_request_cannot_be_answered_again(org, client, token_for, anns_evidence):
    request = services.endorsement_request(requester=org.ann, endorser=org.boss, evidence=anns_evidence)
    services.endorsement_decline(request=request, actor=org.boss, comment="Not yet")
    response = _post(client, f"/api/goals/endorsements/{request.pk}/answer", {"answer": "confirm"},
                     token_for(org.boss))
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == EndorsementStatus.DECLINED and request.comment == "Not yet"


def test_a_skill_level_is_put_up_for_confirmation_and_withdrawn(org, client, token_for, framework):
    asked = _post(client, "/api/goals/endorsements", {"endorser": "tim", "skill": "Python", "level": 2},
                  token_for(org.ann))
    assert asked.status_code == 201, asked.content
    assert (asked.json()["skill"], asked.json()["level"]) == ("Python", 2)
    withdrawn = _post(client, f"/api/goals/endorsements/{asked.json()['id']}/withdraw", {}, token_for(org.ann))
    assert withdrawn.json()["status"] == "withdrawn"


def test_lnd_imports_a_framework_through_the_api(org, client, token_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/goals/frameworks", {"file": SimpleUploadedFile("eng.csv", FRAMEWORK_CSV.encode()),
                                                     "name": "Engineering skills"}, **token_for(org.lena))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["framework"]["name"] == "Engineering skills" and body["framework"]["skill_count"] == 3
    assert [lv["name"] for lv in body["framework"]["levels"]] == ["Aware", "Working", "Practitioner", "Expert"]
    listed = client.get("/api/goals/frameworks", **token_for(org.ann)).json()
    assert [f["name"] for f in listed] == ["Engineering skills"]


@pytest.mark.parametrize("role", ["ann", "boss"])
def test_members_and_managers_cannot_import_a_framework_through_the_api(org, client, token_for, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/goals/frameworks", {"file": SimpleUploadedFile("eng.csv", FRAMEWORK_CSV.encode()),
                                                     "name": "Engineering skills"},
                           **token_for(org.everyone[role]))
    assert response.status_code == 403
    assert not Framework.objects.exists()


def test_a_broken_framework_file_is_a_400_listing_every_problem_and_nothing_is_written(org, client, token_for,
                                                                                      framework):
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = ("skill,category,description,1 Aware,2 Working\n"
              ",Engineering,No name,,\n"
              "Go,Engineering,Fine,,\n"
              "Go,Engineering,Twice,,\n")
    response = client.post("/api/goals/frameworks", {"file": SimpleUploadedFile("eng.csv", broken.encode()),
                                                     "name": "Engineering skills"}, **token_for(org.lena))
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert len(messages) >= 2 and all(m.startswith("Line ") for m in messages)
    assert {e["field"] for e in response.json()["errors"]} == {"file"}
    # The framework imported before is as it was.
    assert sorted(FrameworkSkill.objects.values_list("skill__name", flat=True)) == ["Facilitation", "Python", "SQL"]
    assert framework.levels.count() == 4


def test_the_evidence_map_in_the_api_is_the_callers_own(org, client, token_for, framework, goal_factory):
    goal = goal_factory(org.ann, skills=[services.SkillPick(name="Python", level=3)], visibility="organisation")
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/lib", title="My library",
                                    skills=[services.SkillPick(name="Python", level=3)])
    mine = {row["skill"]: row for row in client.get("/api/goals/map", **token_for(org.ann)).json()}
    assert [e["title"] for e in mine["Python"]["evidence"]] == ["My library"]
    assert mine["Python"]["level"] == 3 and mine["Python"]["level_name"] == "Practitioner"
    theirs = {row["skill"]: row for row in client.get("/api/goals/map", **token_for(org.boss)).json()}
    assert theirs["Python"]["evidence"] == [] and theirs["Python"]["level"] is None
