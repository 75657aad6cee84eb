"""notify(): the one way to tell a person about something. In-app at once (account.Notice), by email as they chose
for that kind (at once, in a daily email, or never).

Callers decide who may see what they notify about, and must not notify anyone who cannot (a community post is
checked by community.selectors before anyone is notified). When a notification waits for the daily email, the batch
checks again at send time through a checker registered for the thing it is about (`about_checker_register`), so
someone who lost access in the meantime gets no email about it.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from learnflow.account.services import notice_create
from learnflow.notifications.models import DEFAULT_CHANNEL, Channel, Kind, NotificationSetting, PendingEmail

log = logging.getLogger(__name__)

# label_lower → fn(user, object id) -> bool: may this person still see it?
_about_checkers: dict[str, Callable[[Any, str], bool]] = {}


def about_checker_register(label: str, checker: Callable[[Any, str], bool]) -> None:
    _about_checkers[label] = checker


def channel_for(*, user: Any, kind: str) -> str:
    rows = {s.kind: s.channel for s in NotificationSetting.objects.filter(user=user, kind__in=["", kind])}
    return rows.get(kind) or rows.get("") or DEFAULT_CHANNEL.get(kind, Channel.DAILY)


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _send_now(*, user: Any, subject: str, body: str) -> None:
    def send() -> None:
        try:
            send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL,
                      recipient_list=[user.email])
        except Exception:  # noqa: BLE001 - the in-app notice is there; a mail server hiccup must not undo the action
            log.exception("could not email notification to user %s", user.pk)

    transaction.on_commit(send)


def _settings_footer() -> str:
    from django.urls import reverse

    return f"\n\nChoose what you get by email: {_absolute(reverse('notifications:settings'))}\n"


@transaction.atomic
def notify(*, user: Any, kind: str, text: str, url: str, actor: Any | None = None,
           about: models.Model | None = None) -> bool:
    """Tell `user`. Returns False when nobody was told (inactive person, or the person who did it)."""
    # A kind not (yet) listed in Kind follows the person's general choice: a notification never fails the action
    # that caused it.
    if user is None or not user.is_active or (actor is not None and actor.pk == user.pk):
        return False
    notice_create(user=user, text=text, url=url)
    channel = channel_for(user=user, kind=kind)
    if not user.email or channel == Channel.NEVER:
        return True
    if channel == Channel.IMMEDIATELY:
        _send_now(user=user, subject=text[:120], body=f"Hello {user.display_name},\n\n{text}\n\n{_absolute(url)}"
                                                      f"{_settings_footer()}")
    else:
        PendingEmail.objects.create(user=user, kind=kind, text=text[:300], url=url,
                                    about_type=about._meta.label_lower if about is not None else "",
                                    about_id=str(about.pk) if about is not None else "")
    return True


@transaction.atomic
def setting_update(*, user: Any, kind: str, channel: str) -> NotificationSetting | None:
    """kind "" is the default for every kind; channel "" removes a kind's own choice (the default applies)."""
    if kind and kind not in Kind.values:
        raise ValidationError({"kind": f"“{kind}” is not a notification kind."})
    if channel and channel not in Channel.values:
        raise ValidationError({"channel": f"Choose one of: {', '.join(Channel.values)}."})
    if not channel:
        NotificationSetting.objects.filter(user=user, kind=kind).delete()
        return None
    setting, _ = NotificationSetting.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    return setting


def settings_update(*, user: Any, choices: dict[str, str]) -> None:
    """Several at once, from the settings page or the API: {"": "daily", "mention": "immediately", …}."""
    with transaction.atomic():
        for kind, channel in choices.items():
            setting_update(user=user, kind=kind, channel=channel)


def _still_visible(user: Any, pending: PendingEmail) -> bool:
    if not pending.about_type:
        return True
    checker = _about_checkers.get(pending.about_type)
    # Something we cannot check any more is left out rather than risked.
    return bool(checker and checker(user, pending.about_id))


def daily_emails_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send each person one email with what waited for it, and mark those rows sent. Safe to run twice or on two
    workers at once: a row is claimed (sent_at set) before its email goes, and a person whose rows another run
    claimed first is skipped. Returns {"people": …, "items": …, "withheld": …}."""
    now = now or timezone.now()
    User = get_user_model()
    user_ids = list(PendingEmail.objects.filter(sent_at__isnull=True).values_list("user_id", flat=True).distinct())
    people = items = withheld = 0
    for user in User.objects.filter(pk__in=user_ids).iterator(chunk_size=500):
        with transaction.atomic():
            pending = list(PendingEmail.objects.filter(user=user, sent_at__isnull=True))
            claimed = PendingEmail.objects.filter(pk__in=[p.pk for p in pending], sent_at__isnull=True).update(
                sent_at=now)
            if claimed != len(pending):
                continue
        if not user.is_active or not user.email:
            continue
        visible = [p for p in pending if _still_visible(user, p)]
        withheld += len(pending) - len(visible)
        if not visible:
            continue
        lines = "\n".join(f"- {p.text}\n  {_absolute(p.url)}" for p in visible)
        try:
            send_mail(subject=f"Learnflow: {len(visible)} update{'s' if len(visible) != 1 else ''} for you",
                      message=f"Hello {user.display_name},\n\nSince your last email:\n\n{lines}{_settings_footer()}",
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email])
        except Exception:  # noqa: BLE001 - give the rows back so the next run tries again
            log.exception("daily email to user %s failed", user.pk)
            PendingEmail.objects.filter(pk__in=[p.pk for p in pending]).update(sent_at=None)
            continue
        people += 1
        items += len(visible)
    return {"people": people, "items": items, "withheld": withheld}
