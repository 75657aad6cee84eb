from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from learnflow.record.models import ForwardItem, ForwardTarget
from learnflow.record.services import forward_run

RESCAN_SECONDS = 60

log = logging.getLogger(__name__)


@task()
def forward_statements() -> dict:
    """Scan for statements the admins' rules select and deliver what is due; runs again while there is anything
    to forward, so a target that was down catches up by itself. The next run is queued whatever happens in this
    one (a target answering garbage, a bug): the chain never dies."""
    try:
        results = forward_run()
    finally:
        _forward_again()
    return {name: list(r) for name, r in results.items()}


def _forward_again() -> None:
    from learnflow.account.tasks import ensure_queued

    try:
        if not ForwardTarget.objects.filter(enabled=True).exists():
            return
        pending = (ForwardItem.objects.filter(delivered_at__isnull=True, refused_at__isnull=True, target__enabled=True)
                   .order_by("next_attempt_at").first())
        now = timezone.now()
        when = now + dt.timedelta(seconds=RESCAN_SECONDS)
        if pending is not None:
            when = min(when, max(pending.next_attempt_at, now + dt.timedelta(seconds=5)))
        ensure_queued(forward_statements, after=when - now, from_run=True)
    except Exception:  # noqa: BLE001 - the next kick (a share, a restart) starts the chain again
        log.exception("could not queue the next forwarding run")


def forward_keep_going() -> bool:
    """For `recurring_kick` (start-up, `learnflow nudges`): make sure forwarding runs while any target is enabled,
    even after its queue was emptied or its chain was lost."""
    from learnflow.account.tasks import ensure_queued

    return ForwardTarget.objects.filter(enabled=True).exists() and ensure_queued(forward_statements)


def forward_kick() -> None:
    """Make sure one forwarding run is queued (and only one: the task re-queues itself while there is work)."""
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        path = f"{forward_statements.func.__module__}.{forward_statements.func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
            return
    forward_statements.enqueue()
