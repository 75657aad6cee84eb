from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from learnflow.goals.models import EndorsementRequest, EndorsementStatus
from learnflow.goals.services import endorsement_reminders_send_due

RECHECK_HOURS = 6


@task()
def endorsement_reminders_send() -> list[int]:
    """Remind endorsers of open requests older than the interval the requester chose. Safe to run as often as
    wanted: each request is reminded at most once a day. While requests are open it queues its own next run."""
    sent = endorsement_reminders_send_due()
    if EndorsementRequest.objects.filter(status=EndorsementStatus.OPEN).exists() and _can_schedule():
        endorsement_reminders_send.using(run_after=timezone.now() + dt.timedelta(hours=RECHECK_HOURS)).enqueue()
    return sent


def _can_schedule() -> bool:
    return not settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


def endorsement_reminders_kick() -> bool:
    """Make sure one reminder run is queued (called when a request is made; the task then keeps itself going)."""
    from learnflow.account.tasks import ensure_queued

    if not EndorsementRequest.objects.filter(status=EndorsementStatus.OPEN).exists():
        return False
    return ensure_queued(endorsement_reminders_send, after=dt.timedelta(hours=RECHECK_HOURS))
