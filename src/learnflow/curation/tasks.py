from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from learnflow.curation.models import FeedSource
from learnflow.curation.services import source_fetch_claimed, sources_fetch_due

RESCAN = dt.timedelta(minutes=5)
SOONEST = dt.timedelta(seconds=30)


@task()
def feeds_fetch_due() -> dict[str, int]:
    """Fetch the feeds whose time has come, then queue the next run for when the next one is due (at most five
    minutes away) while any subscription is enabled. Several runs at once are harmless: each source is claimed
    before it is fetched."""
    outcomes = sources_fetch_due()
    upcoming = (FeedSource.objects.filter(enabled=True).order_by("next_fetch_at")
                .values_list("next_fetch_at", flat=True).first())
    if upcoming is not None or FeedSource.objects.filter(enabled=True, next_fetch_at__isnull=True).exists():
        now = timezone.now()
        when = min(now + RESCAN, max(upcoming or now, now + SOONEST))
        _enqueue_once(run_after=when)
    return {
        "fetched": len(outcomes),
        "failed": sum(1 for o in outcomes if o.error),
        "not_modified": sum(1 for o in outcomes if o.not_modified),
        "items": sum(o.ingest.items_taken for o in outcomes if o.ingest),
    }


@task()
def feed_source_fetch(source_id: int) -> dict[str, object]:
    """A curator's "fetch it now" for one subscription (queued by `services.source_fetch_queue`)."""
    outcome = source_fetch_claimed(source_id=source_id)
    if outcome is None:
        return {"fetched": False}
    return {"fetched": True, "not_modified": outcome.not_modified, "error": outcome.error,
            "items": outcome.ingest.items_taken if outcome.ingest else 0}


def _already_queued() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another queue: it cannot be asked, so trust the claim per source
        return False
    path = f"{feeds_fetch_due.func.__module__}.{feeds_fetch_due.func.__qualname__}"
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


def _enqueue_once(*, run_after: dt.datetime | None = None) -> None:
    # A backend that runs tasks at once (tests, "immediate") cannot defer: re-queueing there would never end, and
    # a subscription would fetch inside the curator's request.
    if not default_task_backend.supports_defer or _already_queued():
        return
    (feeds_fetch_due.using(run_after=run_after) if run_after else feeds_fetch_due).enqueue()


def feeds_fetch_kick() -> None:
    """Make sure a fetch run is queued (called when subscriptions are added; the run keeps itself going)."""
    _enqueue_once()
