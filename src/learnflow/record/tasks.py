from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from learnflow.record.models import ForwardItem, ForwardTarget
from learnflow.record.services import forward_run

RESCAN_SECONDS = 60


@task()
def forward_statements() -> dict:
    """Scan for statements the admins' rules select and deliver what is due; runs again while there is anything
    to forward, so a target that was down catches up by itself."""
    results = forward_run()
    if ForwardTarget.objects.filter(enabled=True).exists():
        pending = ForwardItem.objects.filter(delivered_at__isnull=True).order_by("next_attempt_at").first()
        when = timezone.now() + dt.timedelta(seconds=RESCAN_SECONDS)
        if pending is not None:
            when = min(when, max(pending.next_attempt_at, timezone.now() + dt.timedelta(seconds=5)))
        from django.conf import settings

        if not settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend"):
            forward_statements.using(run_after=when).enqueue()
    return {name: list(r) for name, r in results.items()}


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
