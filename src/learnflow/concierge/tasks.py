from __future__ import annotations

from django_tasks import task

from learnflow.concierge.services import help_requests_queue_due


@task()
def help_requests_queue_overdue() -> list[int]:
    """Moves requests nobody answered in time into the L&D concierge queue. Idempotent: enqueue it as often as
    convenient (hourly from cron or a scheduler)."""
    return help_requests_queue_due()
