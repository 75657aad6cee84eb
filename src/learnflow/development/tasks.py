from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from learnflow.development.models import AgreedAction
from learnflow.development.services import action_reminders_send_due

RECHECK = dt.timedelta(hours=6)


def _open_dated_actions_exist() -> bool:
    return AgreedAction.objects.filter(done=False, due_on__isnull=False, reminded_on__isnull=True,
                                       due_on__gte=timezone.now().date()).exists()


@task()
def action_reminders_send() -> list[int]:
    """Remind people of agreed actions due tomorrow. Safe to run as often as wanted: each action is reminded at
    most once. It keeps itself queued (every few hours) while an open action with a due date is waiting."""
    from learnflow.account.tasks import can_schedule

    sent = action_reminders_send_due()
    if _open_dated_actions_exist() and can_schedule():
        action_reminders_send.using(run_after=timezone.now() + RECHECK).enqueue()
    return sent


def action_reminders_kick() -> bool:
    """Make sure one reminder run is queued (called when an action with a due date is agreed)."""
    from learnflow.account.tasks import ensure_queued

    return _open_dated_actions_exist() and ensure_queued(action_reminders_send)
