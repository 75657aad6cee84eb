"""The weekly goal nudge: once per person per week, in-app and by email, and not for those who opted out."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from learnflow.account.models import Notice, NudgeSent
from learnflow.account.services import preference_update, weekly_goal_nudges_due

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def ann_with_goal(org, goal_factory):
    org.ann.email = "ann@example.org"
    org.ann.save()
    return goal_factory(org.ann)


def test_person_with_an_active_goal_gets_a_notice_and_an_email(org, ann_with_goal):
    assert weekly_goal_nudges_due(today=MONDAY) == [org.ann.pk]
    assert Notice.objects.filter(user=org.ann).count() == 1
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_running_twice_in_one_week_nudges_once(org, ann_with_goal):
    weekly_goal_nudges_due(today=MONDAY)
    assert weekly_goal_nudges_due(today=MONDAY + dt.timedelta(days=3)) == []
    assert Notice.objects.filter(user=org.ann).count() == 1 and len(mail.outbox) == 1


def test_next_week_nudges_again(org, ann_with_goal):
    weekly_goal_nudges_due(today=MONDAY)
    weekly_goal_nudges_due(today=MONDAY + dt.timedelta(days=7))
    assert NudgeSent.objects.filter(user=org.ann).count() == 2


def test_person_who_opted_out_is_not_nudged(org, ann_with_goal):
    preference_update(user=org.ann, weekly_goal_nudge=False, nudge_by_email=True)
    assert weekly_goal_nudges_due(today=MONDAY) == []
    assert not Notice.objects.filter(user=org.ann).exists() and not mail.outbox


def test_email_opt_out_keeps_the_in_app_notice(org, ann_with_goal):
    preference_update(user=org.ann, weekly_goal_nudge=True, nudge_by_email=False)
    weekly_goal_nudges_due(today=MONDAY)
    assert Notice.objects.filter(user=org.ann).count() == 1 and not mail.outbox


def test_person_without_active_goals_is_not_nudged(org):
    assert weekly_goal_nudges_due(today=MONDAY) == []


def test_task_runs_through_the_task_backend(org, ann_with_goal, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from learnflow.account.tasks import weekly_goal_nudges_send

    weekly_goal_nudges_send.enqueue()
    weekly_goal_nudges_send.enqueue()
    assert NudgeSent.objects.filter(user=org.ann).count() == 1


def test_settings_page_saves_the_opt_out(org, client):
    client.force_login(org.ann)
    client.post(reverse("account:notifications"), {"nudge_by_email": "on"})
    assert org.ann.notification_preference.weekly_goal_nudge is False


def test_notices_page_marks_all_read(org, client, ann_with_goal):
    weekly_goal_nudges_due(today=MONDAY)
    client.force_login(org.ann)
    assert "weekly look at your goals" in client.get(reverse("account:notices")).content.decode()
    client.post(reverse("account:notices"))
    assert not Notice.objects.filter(user=org.ann, read_at__isnull=True).exists()


def test_unread_badge_fragment_shows_the_count(org, rf, ann_with_goal):
    from django.template import Context, Template

    weekly_goal_nudges_due(today=MONDAY)
    request = rf.get("/")
    request.user = org.ann
    html = Template("{% load account_tags %}{% notices_badge %}").render(Context({"request": request}))
    assert 'aria-label="1 unread"' in html


def test_pages_about_my_data_render(org, client):
    client.force_login(org.ann)
    for name in ("account:data", "account:notifications", "account:notices", "account:delete"):
        assert client.get(reverse(name)).status_code == 200


def _queued(path: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path, status="READY")


def test_setting_a_goal_starts_the_weekly_nudge_job_once(org, goal_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        goal_factory(org.ann)
    with django_capture_on_commit_callbacks(execute=True):
        goal_factory(org.tim, title="Write a runbook")
    assert _queued("learnflow.account.tasks.weekly_goal_nudges_send").count() == 1


def test_the_nudge_job_queues_its_next_run_while_goals_are_active(org, ann_with_goal):
    from django.utils import timezone

    from learnflow.account.tasks import NUDGE_RECHECK, weekly_goal_nudges_send

    assert weekly_goal_nudges_send.call() == [org.ann.pk]
    nxt = _queued("learnflow.account.tasks.weekly_goal_nudges_send").get()
    assert timezone.now() + NUDGE_RECHECK - dt.timedelta(minutes=5) < nxt.run_after
    # The next run the same week nudges nobody again.
    assert weekly_goal_nudges_send.call() == []
    assert Notice.objects.filter(user=org.ann).count() == 1


def test_the_nudge_job_stops_when_nobody_has_an_active_goal(org):
    from learnflow.account.tasks import weekly_goal_nudges_send

    assert weekly_goal_nudges_send.call() == []
    assert not _queued("learnflow.account.tasks.weekly_goal_nudges_send").exists()


def test_recurring_kick_starts_each_job_that_has_something_to_watch(org, ann_with_goal):
    from learnflow.account.tasks import recurring_kick

    # The concierge queue and the daily emails always run; no open endorsement requests, no dated actions.
    assert recurring_kick() == ["concierge queue", "daily notification emails", "weekly goal nudges"]
    assert recurring_kick() == []  # already queued
