"""Stretch assignments: the manager proposes, the person accepts or declines, both reflect when done. Reflections
stay hidden from the other party until both are written, or until their author shares theirs early."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learnflow.core.errors import NotFound
from learnflow.development import selectors, services
from learnflow.development.models import StretchStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["tim", "sam", "lena", "root", "ann"])
def test_only_the_persons_manager_can_propose(org, stretch_factory, role):
    with pytest.raises(PermissionDenied):
        stretch_factory(org.everyone[role], org.ann)


def test_a_manager_cannot_propose_to_someone_they_do_not_manage(org, stretch_factory):
    with pytest.raises(PermissionDenied):
        stretch_factory(org.boss, org.eve)


def test_the_end_cannot_be_before_the_start(org, stretch_factory, in_days):
    with pytest.raises(ValidationError) as exc:
        stretch_factory(org.boss, org.ann, starts_on=in_days(org.boss, 10), ends_on=in_days(org.boss, 5))
    assert "cannot be before the start" in exc.value.message_dict["ends_on"][0]


def test_it_must_serve_a_goal_or_a_skill(org, stretch_factory):
    with pytest.raises(ValidationError) as exc:
        stretch_factory(org.boss, org.ann, skill="")
    assert "which goal or skill" in exc.value.message_dict["goal"][0]


def test_it_can_serve_a_goal_the_person_shared_with_the_manager(org, stretch_factory, goal_factory):
    goal = goal_factory(org.ann, visibility="manager")
    assignment = stretch_factory(org.boss, org.ann, goal_id=goal.pk, skill="")
    assert assignment.goal == goal


def test_a_private_goal_cannot_be_chosen(org, stretch_factory, goal_factory):
    goal = goal_factory(org.ann, visibility="private")
    with pytest.raises(ValidationError) as exc:
        stretch_factory(org.boss, org.ann, goal_id=goal.pk)
    assert "shared with you" in exc.value.message_dict["goal"][0]


def test_another_persons_goal_cannot_be_chosen(org, stretch_factory, goal_factory):
    goal = goal_factory(org.tim, visibility="organisation")
    with pytest.raises(ValidationError):
        stretch_factory(org.boss, org.ann, goal_id=goal.pk)


def test_the_goal_is_hidden_from_the_manager_once_made_private_again(org, stretch_factory, goal_factory):
    from learnflow.goals.services import goal_share

    goal = goal_factory(org.ann, title="Become an on-call lead", visibility="manager")
    assignment = stretch_factory(org.boss, org.ann, goal_id=goal.pk)
    goal_share(goal=goal, actor=org.ann, visibility="private")
    assert selectors.stretch_get(viewer=org.boss, pk=assignment.pk).assignment.visible_goal is None
    assert selectors.stretch_get(viewer=org.ann, pk=assignment.pk).assignment.visible_goal == goal


def test_the_person_accepts(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    services.stretch_respond(assignment=assignment, actor=org.ann, accept=True)
    assert assignment.status == StretchStatus.ACCEPTED


def test_declining_needs_a_note(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    with pytest.raises(ValidationError) as exc:
        services.stretch_respond(assignment=assignment, actor=org.ann, accept=False)
    assert "why" in exc.value.message_dict["note"][0]


def test_the_person_declines_with_a_note(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    services.stretch_respond(assignment=assignment, actor=org.ann, accept=False, note="Release month, next one?")
    assignment.refresh_from_db()
    assert assignment.status == StretchStatus.DECLINED and assignment.response_note == "Release month, next one?"


def test_the_manager_cannot_answer_for_the_person(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    with pytest.raises(PermissionDenied):
        services.stretch_respond(assignment=assignment, actor=org.boss, accept=True)


def test_an_answer_cannot_be_given_twice(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    services.stretch_respond(assignment=assignment, actor=org.ann, accept=True)
    with pytest.raises(ValidationError):
        services.stretch_respond(assignment=assignment, actor=org.ann, accept=False, note="changed my mind")


def test_only_an_accepted_assignment_can_be_marked_done(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    with pytest.raises(ValidationError):
        services.stretch_complete(assignment=assignment, actor=org.ann)


def test_reflecting_waits_until_it_is_done(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    services.stretch_respond(assignment=assignment, actor=org.ann, accept=True)
    with pytest.raises(ValidationError):
        services.stretch_reflect(assignment=assignment, actor=org.ann, text="Too early")


@pytest.fixture
def done_assignment(org, stretch_factory):
    assignment = stretch_factory(org.boss, org.ann)
    services.stretch_respond(assignment=assignment, actor=org.ann, accept=True)
    services.stretch_complete(assignment=assignment, actor=org.boss)
    return assignment


def test_a_reflection_is_hidden_from_the_other_until_both_have_written(org, done_assignment):
    services.stretch_reflect(assignment=done_assignment, actor=org.ann, text="I learned to chair a room")
    boss_view = selectors.stretch_get(viewer=org.boss, pk=done_assignment.pk)
    assert boss_view.other_reflection is None and boss_view.other_has_written


def test_both_reflections_show_once_both_have_written(org, done_assignment):
    services.stretch_reflect(assignment=done_assignment, actor=org.ann, text="I learned to chair a room")
    services.stretch_reflect(assignment=done_assignment, actor=org.boss, text="Ann grew in confidence")
    assert selectors.stretch_get(viewer=org.boss, pk=done_assignment.pk).other_reflection == \
        "I learned to chair a room"
    assert selectors.stretch_get(viewer=org.ann, pk=done_assignment.pk).other_reflection == "Ann grew in confidence"


def test_a_reflection_shared_early_shows_before_the_other_is_written(org, done_assignment):
    services.stretch_reflect(assignment=done_assignment, actor=org.boss, text="Proud of you", share_now=True)
    assert selectors.stretch_get(viewer=org.ann, pk=done_assignment.pk).other_reflection == "Proud of you"


@pytest.mark.parametrize("role", ["tim", "eve", "sam", "lena", "root"])
def test_nobody_else_sees_a_stretch_assignment(org, done_assignment, client, role):
    with pytest.raises(NotFound):
        selectors.stretch_get(viewer=org.everyone[role], pk=done_assignment.pk)
    client.force_login(org.everyone[role])
    assert client.get(reverse("development:stretch", args=[done_assignment.pk])).status_code == 404


@pytest.mark.parametrize("role", ["tim", "eve", "sam", "lena", "root"])
def test_nobody_else_can_reflect_on_it(org, done_assignment, role):
    with pytest.raises(PermissionDenied):
        services.stretch_reflect(assignment=done_assignment, actor=org.everyone[role], text="me too")


def test_the_person_accepts_from_the_page(org, stretch_factory, client):
    assignment = stretch_factory(org.boss, org.ann)
    client.force_login(org.ann)
    response = client.post(reverse("development:stretch_respond", args=[assignment.pk]), {"decision": "accept"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == StretchStatus.ACCEPTED


def test_declining_on_the_page_without_a_note_says_why_it_is_needed(org, stretch_factory, client):
    assignment = stretch_factory(org.boss, org.ann)
    client.force_login(org.ann)
    response = client.post(reverse("development:stretch_respond", args=[assignment.pk]), {"decision": "decline"})
    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()


def test_propose_form_keeps_what_was_typed(org, client):
    client.force_login(org.boss)
    response = client.post(reverse("development:stretch_new", args=["ann"]), {
        "title": "Chair the architecture forum", "skill": "Facilitation", "starts_on": "2026-05-10",
        "ends_on": "2026-05-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chair the architecture forum" in page and "cannot be before the start" in page


def test_propose_form_is_not_found_for_someone_else_s_report(org, client):
    client.force_login(org.boss)
    assert client.get(reverse("development:stretch_new", args=["eve"])).status_code == 404


def test_propose_form_lists_only_goals_shared_with_the_manager(org, goal_factory, client):
    goal_factory(org.ann, title="Shared goal", visibility="manager")
    goal_factory(org.ann, title="Secret goal")
    client.force_login(org.boss)
    page = client.get(reverse("development:stretch_new", args=["ann"])).content.decode()
    assert "Shared goal" in page and "Secret goal" not in page


def test_api_person_responds_and_sees_the_outcome(org, stretch_factory, client, token_for):
    assignment = stretch_factory(org.boss, org.ann)
    response = client.post(f"/api/development/stretch/{assignment.pk}/respond", {"accept": True},
                           content_type="application/json", **token_for(org.ann))
    assert response.status_code == 200 and response.json()["status"] == "accepted"


def test_api_lists_assignments_for_both_parties_and_nobody_else(org, stretch_factory, client, token_for):
    assignment = stretch_factory(org.boss, org.ann)
    for role, listed in [("ann", True), ("boss", True), ("tim", False), ("root", False)]:
        rows = client.get("/api/development/stretch", **token_for(org.everyone[role])).json()
        assert (assignment.pk in [r["id"] for r in rows]) is listed


def test_api_hides_the_other_reflection_until_both_have_written(org, done_assignment, client, token_for):
    services.stretch_reflect(assignment=done_assignment, actor=org.ann, text="I learned to chair a room")
    row = client.get(f"/api/development/stretch/{done_assignment.pk}", **token_for(org.boss)).json()
    assert row["other_reflection"] is None


def test_api_propose_names_the_field_when_dates_are_out_of_order(org, client, token_for):
    response = client.post("/api/development/stretch", {
        "person": "ann", "title": "Chair the forum", "skill": "Facilitation", "starts_on": "2026-05-10",
        "ends_on": "2026-05-01"}, content_type="application/json", **token_for(org.boss))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ends_on"


@pytest.mark.parametrize("role,status", [("boss", 200), ("ann", 200), ("tim", 404), ("eve", 404), ("sam", 404),
                                         ("lena", 404), ("root", 404)])
def test_api_opens_a_stretch_assignment_for_its_two_parties_only(org, done_assignment, client, token_for, role,
                                                                 status):
    headers = token_for(org.everyone[role])
    assert client.get(f"/api/development/stretch/{done_assignment.pk}", **headers).status_code == status
    listed = [a["id"] for a in client.get("/api/development/stretch", **headers).json()]
    assert (done_assignment.pk in listed) is (status == 200)
