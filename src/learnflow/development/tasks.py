from __future__ import annotations

from django_tasks import task

from learnflow.development.services import action_reminders_send_due


@task()
def action_reminders_send() -> list[int]:
    """Remind people of agreed actions due tomorrow. Safe to run as often as wanted (daily from a scheduler is
    enough): each action is reminded at most once."""
    return action_reminders_send_due()
