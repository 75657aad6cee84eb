"""1:1 check-ins: private to the manager who wrote them unless shared with the report; nobody else ever, whatever
their role; agreed actions with dates in order."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learnflow.core.errors import NotFound
from learnflow.development import selectors, services
from learnflow.development.services import ActionIn

pytestmark = pytest.mark.django_db

OTHERS = ["tim", "eve", "sam", "lena", "root"]


def _sees(viewer, check_in) -> bool:
    try:
        selectors.check_in_get(viewer=viewer, pk=check_in.pk)
        return True
    except NotFound:
        return False


def test_a_check_in_is_private_to_the_manager_by_default(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann)
    assert _sees(org.boss, check_in)
    assert not _sees(org.ann, check_in)
    assert list(selectors.check_ins_shared_with(viewer=org.ann)) == []


def test_a_shared_check_in_is_readable_by_the_report(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, shared_with_report=True)
    assert _sees(org.ann, check_in)
    assert [c.pk for c in selectors.check_ins_shared_with(viewer=org.ann)] == [check_in.pk]


def test_unsharing_a_check_in_hides_it_from_the_report_again(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, shared_with_report=True)
    services.check_in_share(check_in=check_in, actor=org.boss, shared=False)
    assert not _sees(org.ann, check_in)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("role", OTHERS)
def test_nobody_else_sees_a_check_in_whatever_their_role(org, check_in_factory, client, role, shared):
    check_in = check_in_factory(org.boss, org.ann, notes="Salary worries", shared_with_report=shared)
    viewer = org.everyone[role]
    assert not _sees(viewer, check_in)
    client.force_login(viewer)
    assert client.get(reverse("development:check_in", args=[check_in.pk])).status_code == 404
    assert b"Salary worries" not in client.get(reverse("development:check_ins")).content


@pytest.mark.parametrize("role,shared,status", [
    ("boss", False, 200), ("boss", True, 200), ("ann", False, 404), ("ann", True, 200),
])
def test_check_in_page_for_the_two_parties(org, check_in_factory, client, role, shared, status):
    check_in = check_in_factory(org.boss, org.ann, notes="Next step: **lead** the review", shared_with_report=shared)
    client.force_login(org.everyone[role])
    response = client.get(reverse("development:check_in", args=[check_in.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"<strong>lead</strong>" in response.content


def test_the_report_sees_shared_check_ins_on_their_own_page(org, check_in_factory, client):
    check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 2), shared_with_report=True)
    check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 9))
    client.force_login(org.ann)
    page = client.get(reverse("development:check_ins")).content.decode()
    assert "Monday 2 March 2026" in page
    assert "Monday 9 March 2026" not in page


def test_check_in_notes_are_rendered_safely(org, check_in_factory, client):
    check_in = check_in_factory(org.boss, org.ann, notes='<script>alert(1)</script> [x](javascript:alert(1))')
    client.force_login(org.boss)
    page = client.get(reverse("development:check_in", args=[check_in.pk])).content.decode()
    assert "<script>alert" not in page
    assert "href=\"javascript:" not in page


@pytest.mark.parametrize("role", ["tim", "sam", "root", "lena", "ann"])
def test_only_the_manager_can_write_a_check_in_about_a_person(org, role):
    with pytest.raises(PermissionDenied):
        services.check_in_create(manager=org.everyone[role], report=org.ann, held_on=dt.date(2026, 3, 2))


def test_a_manager_cannot_write_about_someone_in_another_team(org):
    with pytest.raises(PermissionDenied):
        services.check_in_create(manager=org.boss, report=org.eve, held_on=dt.date(2026, 3, 2))


def test_an_action_due_before_the_check_in_is_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationError) as exc:
        services.check_in_create(manager=org.boss, report=org.ann, held_on=dt.date(2026, 3, 10),
                                 actions=[ActionIn(text="Book the course", due_on=dt.date(2026, 3, 1))])
    assert "before the check-in" in exc.value.message_dict["actions"][0]
    assert not selectors.check_ins_written(viewer=org.boss, report=org.ann).exists()


def test_moving_a_check_in_after_an_action_due_date_is_refused(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 2),
                                actions=[ActionIn(text="Book the course", due_on=dt.date(2026, 3, 5))])
    with pytest.raises(ValidationError) as exc:
        services.check_in_update(check_in=check_in, actor=org.boss, held_on=dt.date(2026, 3, 6), notes="",
                                 shared_with_report=False)
    assert "Book the course" in exc.value.message_dict["held_on"][0]


def test_the_report_ticks_off_their_own_action_on_a_shared_check_in(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, shared_with_report=True,
                                actions=[ActionIn(text="Read the RFC", owner="report")])
    action = selectors.action_get(viewer=org.ann, pk=check_in.actions.get().pk)
    services.action_set_done(action=action, actor=org.ann, done=True)
    action.refresh_from_db()
    assert action.done and action.done_on is not None


def test_the_report_cannot_tick_off_the_managers_action(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, shared_with_report=True,
                                actions=[ActionIn(text="Find a mentor", owner="manager")])
    action = selectors.action_get(viewer=org.ann, pk=check_in.actions.get().pk)
    with pytest.raises(PermissionDenied):
        services.action_set_done(action=action, actor=org.ann, done=True)


def test_actions_of_a_private_check_in_are_out_of_the_reports_reach(org, check_in_factory):
    check_in = check_in_factory(org.boss, org.ann, actions=[ActionIn(text="Read the RFC", owner="report")])
    with pytest.raises(NotFound):
        selectors.action_get(viewer=org.ann, pk=check_in.actions.get().pk)


def test_check_in_form_keeps_what_was_typed_and_says_what_is_wrong(org, client):
    client.force_login(org.boss)
    response = client.post(reverse("development:check_in_new", args=["ann"]), {
        "held_on": "2026-03-10", "notes": "Talked about growth", "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0", "actions-0-text": "Book the course", "actions-0-owner": "report",
        "actions-0-due_on": "2026-03-01",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Talked about growth" in page and "Book the course" in page
    assert "before the check-in" in page


def test_check_in_form_saves_the_check_in_with_its_actions(org, client):
    client.force_login(org.boss)
    response = client.post(reverse("development:check_in_new", args=["ann"]), {
        "held_on": "2026-03-10", "notes": "Talked about growth", "shared_with_report": "on",
        "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0", "actions-0-text": "Book the course",
        "actions-0-owner": "report", "actions-0-due_on": "2026-03-20",
        "actions-1-text": "", "actions-1-owner": "report",
    })
    assert response.status_code == 302
    check_in = selectors.check_ins_shared_with(viewer=org.ann).get()
    assert [a.text for a in check_in.actions.all()] == ["Book the course"]


def test_only_the_writer_can_open_the_edit_page(org, check_in_factory, client):
    check_in = check_in_factory(org.boss, org.ann, shared_with_report=True)
    client.force_login(org.ann)
    assert client.get(reverse("development:check_in_edit", args=[check_in.pk])).status_code == 404


def test_api_lists_only_check_ins_shared_with_the_caller(org, check_in_factory, client, token_for):
    shared = check_in_factory(org.boss, org.ann, shared_with_report=True)
    check_in_factory(org.boss, org.ann)
    listed = client.get("/api/development/check-ins", **token_for(org.ann)).json()
    assert [c["id"] for c in listed] == [shared.pk]


def test_api_refuses_a_check_in_about_someone_else_s_report(org, client, token_for):
    response = client.post("/api/development/check-ins", {"report": "eve", "held_on": "2026-03-10"},
                           content_type="application/json", **token_for(org.boss))
    assert response.status_code == 404


def test_api_names_the_field_when_an_action_is_due_too_early(org, client, token_for):
    response = client.post("/api/development/check-ins", {
        "report": "ann", "held_on": "2026-03-10",
        "actions": [{"text": "Book the course", "due_on": "2026-03-01"}]},
        content_type="application/json", **token_for(org.boss))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "actions"


@pytest.fixture
def with_emails(org):
    for person in (org.ann, org.boss):
        person.email = f"{person.username}@example.com"
        person.save(update_fields=["email"])


def test_a_reminder_reaches_the_person_for_an_action_on_a_shared_check_in(org, with_emails, check_in_factory,
                                                                           mailoutbox):
    check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 2), shared_with_report=True,
                     actions=[ActionIn(text="Book the course", owner="report", due_on=dt.date(2026, 3, 5))])
    services.action_reminders_send_due(today=dt.date(2026, 3, 4))
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    assert "Book the course" in mailoutbox[0].subject


def test_no_reminder_reaches_the_person_for_a_private_check_in(org, with_emails, check_in_factory, mailoutbox):
    check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 2),
                     actions=[ActionIn(text="Book the course", owner="report", due_on=dt.date(2026, 3, 5))])
    services.action_reminders_send_due(today=dt.date(2026, 3, 4))
    assert mailoutbox == []


def test_an_action_is_reminded_once(org, with_emails, check_in_factory, mailoutbox):
    check_in_factory(org.boss, org.ann, held_on=dt.date(2026, 3, 2),
                     actions=[ActionIn(text="Find a mentor", owner="manager", due_on=dt.date(2026, 3, 5))])
    services.action_reminders_send_due(today=dt.date(2026, 3, 4))
    services.action_reminders_send_due(today=dt.date(2026, 3, 4))
    assert [m.to for m in mailoutbox] == [["boss@example.com"]]


def test_an_action_row_with_a_date_but_no_text_is_not_dropped_silently(org, client):
    client.force_login(org.boss)
    response = client.post(reverse("development:check_in_new", args=["ann"]), {
        "held_on": "2026-03-10", "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
        "actions-0-text": "", "actions-0-owner": "report", "actions-0-due_on": "2026-03-20"})
    assert response.status_code == 400
    assert "Say what was agreed" in response.content.decode()


def test_agreeing_an_action_with_a_due_date_starts_the_reminder_job_once(org, check_in_factory, in_days,
                                                                          django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        check_in = check_in_factory(org.boss, org.ann, actions=[ActionIn(text="Draft the RFC",
                                                                         due_on=in_days(org.boss, 3))])
    with django_capture_on_commit_callbacks(execute=True):
        services.action_add(check_in=check_in, actor=org.boss, text="Book the room", owner="manager",
                            due_on=in_days(org.boss, 2))
    queued = DBTaskResult.objects.filter(task_path="learnflow.development.tasks.action_reminders_send",
                                         status="READY")
    assert queued.count() == 1


def test_the_action_reminder_job_keeps_itself_queued_while_actions_wait(org, check_in_factory, in_days):
    from django_tasks_db.models import DBTaskResult

    from learnflow.development.tasks import action_reminders_send

    check_in_factory(org.boss, org.ann, shared_with_report=True,
                     actions=[ActionIn(text="Draft the RFC", due_on=in_days(org.boss, 5))])
    assert action_reminders_send.call() == []
    assert DBTaskResult.objects.filter(task_path="learnflow.development.tasks.action_reminders_send",
                                       status="READY").count() == 1


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("role", ["boss", "ann", *OTHERS])
def test_api_shows_a_check_in_to_its_two_parties_only(org, check_in_factory, client, token_for, role, shared):
    check_in = check_in_factory(org.boss, org.ann, notes="Salary worries", shared_with_report=shared)
    headers = token_for(org.everyone[role])
    sees = role == "boss" or (role == "ann" and shared)
    response = client.get(f"/api/development/check-ins/{check_in.pk}", **headers)
    assert response.status_code == (200 if sees else 404)
    listed = client.get("/api/development/check-ins", **headers).json()
    assert (check_in.pk in [c["id"] for c in listed]) is (role == "ann" and shared)
    written = client.get("/api/development/check-ins?scope=written&report=ann", **headers)
    if role == "boss":
        assert [c["id"] for c in written.json()] == [check_in.pk]
    else:
        assert written.status_code == 404
