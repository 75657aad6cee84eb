from __future__ import annotations

import datetime as dt

from django_tasks import task

from learnflow.notifications.services import daily_emails_send

EVERY = dt.timedelta(hours=24)


@task()
def daily_emails() -> dict[str, int]:
    """The daily notification email, then its next run a day later (`learnflow notifications-daily` starts it by
    hand). Running it more often only sends what has waited since the last run: each waiting email is claimed."""
    from learnflow.account.tasks import ensure_queued

    sent = daily_emails_send()
    ensure_queued(daily_emails, after=EVERY, from_run=True)
    return sent


def daily_emails_kick() -> bool:
    from learnflow.account.tasks import ensure_queued

    return ensure_queued(daily_emails, after=EVERY)
