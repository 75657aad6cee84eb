from __future__ import annotations

import datetime as dt

from django_tasks import task

from learnflow.concierge.services import help_requests_queue_due

EVERY = dt.timedelta(hours=1)


@task()
def help_requests_queue_overdue() -> list[int]:
    """Moves requests nobody answered in time into the L&D concierge queue, then queues its next run an hour later.
    Idempotent: running it more often only finds nothing more to move."""
    from learnflow.account.tasks import ensure_queued

    from learnflow.concierge.expertise import expertise_changes_prune

    moved = help_requests_queue_due()
    expertise_changes_prune()
    ensure_queued(help_requests_queue_overdue, after=EVERY, from_run=True)
    return moved


def help_requests_queue_kick() -> bool:
    from learnflow.account.tasks import ensure_queued

    return ensure_queued(help_requests_queue_overdue)
