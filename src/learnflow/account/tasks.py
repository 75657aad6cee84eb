from __future__ import annotations

from django_tasks import task

from learnflow.account.services import weekly_goal_nudges_due


@task()
def weekly_goal_nudges_send() -> list[int]:
    """The weekly “review your goals” nudge, in-app and by email. Idempotent per person per week: enqueue it as
    often as convenient (daily from cron or a scheduler); each person is nudged at most once a week."""
    return weekly_goal_nudges_due()
