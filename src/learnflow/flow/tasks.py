from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from learnflow.flow.services import digests_send_due

EVERY = dt.timedelta(hours=1)


@task()
def digests_send() -> dict[str, int]:
    """Build and send the daily and weekly digests that are due, then queue the next run an hour later (so one
    `learnflow digests` keeps it going; cron running that command hourly does no harm either). Idempotent: each
    person gets at most one digest per period they chose, and no item twice."""
    run = digests_send_due()
    digests_keep_going(run_after=timezone.now() + EVERY)
    return {"people": run.people, "digests": run.digests, "items": run.items, "emailed": run.emailed}


def _already_queued() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another queue cannot be asked; a second run finds nobody due
        return False
    path = f"{digests_send.func.__module__}.{digests_send.func.__qualname__}"
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


def digests_keep_going(*, run_after: dt.datetime | None = None) -> None:
    # A backend that runs tasks at once (tests, "immediate") cannot defer: re-queueing there would never end.
    if not default_task_backend.supports_defer or _already_queued():
        return
    (digests_send.using(run_after=run_after) if run_after else digests_send).enqueue()
