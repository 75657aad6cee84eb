"""Background work of the account app, and the small scheduler every recurring Learnflow job uses.

django-tasks has no periodic schedule of its own, so a recurring job is a task that, after each run, queues its
next run (`run_after`) while it still has something to watch. `ensure_queued` starts such a chain: it is called when
there becomes something to watch (a goal is set, a check-in gets an action, …) and by `recurring_kick` (from the
`learnflow serve` start-up and `learnflow nudges`). With the database queue (the embedded default) a waiting run is
a READY row, so at most one run per job is ever queued and a restart loses nothing; with Redis (RQ) at scale the
same tasks run unchanged, each run being idempotent (claims in the database decide who is reminded)."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from learnflow.account.services import weekly_goal_nudges_due

log = logging.getLogger(__name__)

NUDGE_RECHECK = dt.timedelta(hours=12)


def can_schedule() -> bool:
    """Whether a task may queue a later run of itself (the immediate backend would run it at once, for ever)."""
    return not settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


def _waiting(task_obj) -> bool:
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    func = task_obj.func
    return DBTaskResult.objects.filter(task_path=f"{func.__module__}.{func.__qualname__}", status="READY").exists()


def _marker(task_obj) -> str:
    func = task_obj.func
    return f"learnflow:queued:{func.__module__}.{func.__qualname__}"


def ensure_queued(task_obj, *, after: dt.timedelta = dt.timedelta(0), from_run: bool = False) -> bool:
    """Queue one run of a recurring task unless one is already waiting. Returns whether a run was queued. Never
    raises: a queue that is down must not fail the request that made work for it (the next kick tries again).

    The database queue can be asked what waits. Redis (RQ) cannot cheaply, so there a marker in the shared cache
    stands for "a run is queued" until shortly after it is due: a kick finding it leaves the chain alone, and a run
    queueing its successor (`from_run`) renews it. Each run is idempotent either way."""
    if not can_schedule():
        return False
    try:
        if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
            if _waiting(task_obj):
                return False
        else:
            from django.core.cache import cache

            ttl = int(after.total_seconds()) + 600
            if from_run:
                cache.set(_marker(task_obj), 1, timeout=ttl)
            elif not cache.add(_marker(task_obj), 1, timeout=ttl):
                return False
        task_obj.using(run_after=timezone.now() + after).enqueue()
        return True
    except Exception:  # noqa: BLE001
        log.exception("could not queue %s", task_obj.name)
        return False


def _goals_active_exist() -> bool:
    from django.apps import apps

    if not apps.is_installed("learnflow.goals"):
        return False
    from learnflow.goals.models import Goal, GoalStatus

    return Goal.objects.filter(status=GoalStatus.ACTIVE, owner__is_active=True).exists()


@task()
def weekly_goal_nudges_send() -> list[int]:
    """The weekly “review your goals” nudge, in-app and by email. Idempotent per person per week, so it runs twice a
    day and nudges each person at most once a week; it keeps itself queued while anyone has an active goal."""
    nudged = weekly_goal_nudges_due()
    if _goals_active_exist() and can_schedule():
        weekly_goal_nudges_send.using(run_after=timezone.now() + NUDGE_RECHECK).enqueue()
    return nudged


def weekly_goal_nudges_kick() -> bool:
    """Make sure the weekly nudge job is running (called when a goal is set)."""
    return _goals_active_exist() and ensure_queued(weekly_goal_nudges_send)


def recurring_kick() -> list[str]:
    """Start every recurring job that has something to watch: for `learnflow serve` at start-up and for operators
    (`learnflow nudges`). Safe to call any number of times."""
    from learnflow.development.tasks import action_reminders_kick
    from learnflow.goals.tasks import endorsement_reminders_kick

    from learnflow.concierge.tasks import help_requests_queue_kick
    from learnflow.curation.tasks import feeds_fetch_kick
    from learnflow.flow.tasks import digests_keep_going
    from learnflow.library.tasks import resource_images_backfill_kick
    from learnflow.notifications.tasks import daily_emails_kick
    from learnflow.record.tasks import forward_keep_going

    started = []
    if help_requests_queue_kick():
        started.append("concierge queue")
    if daily_emails_kick():
        started.append("daily notification emails")
    digests_keep_going()
    feeds_fetch_kick()
    if weekly_goal_nudges_kick():
        started.append("weekly goal nudges")
    if action_reminders_kick():
        started.append("agreed-action reminders")
    if endorsement_reminders_kick():
        started.append("endorsement reminders")
    if forward_keep_going():
        started.append("forwarding to external LRSs")
    if resource_images_backfill_kick():
        started.append("resource picture backfill")
    return started
