"""Writes about one's own account: deleting it, notification preferences, in-app notices, weekly goal nudges.

Deleting an account — what happens, and why
-------------------------------------------
- Private things are deleted: private journal entries with their files, weekly reviews, private goals (with their
  steps and evidence and evidence files), portfolios (every secret link stops working), notices, preferences.
- What the person shared (entries and goals shared with their manager, team or organisation) stays, because
  colleagues may rely on it, but it is anonymised: the account row is kept, renamed to a random username and the name
  "Former colleague", with email, job title, availability note, skills and interests cleared (team and manager
  stay, since they decide who keeps seeing what was shared with "my team" or "my manager"). Keeping the row
  (deactivated, unusable password) instead of deleting it keeps every foreign key consistent — shared entries,
  endorsements they gave, check-ins their manager wrote — without rewriting other people's data.
- Their audit trail (core Event rows) is deleted. xAPI statements about them are deleted, shared or not: a
  statement's JSON names the person in many places (actor, context, sub-statements, authority), so anonymising
  it in place cannot be done reliably, and the activity record is about the person rather than something they
  wrote for others. Their LRS keys and API tokens are revoked.
- Check-ins and stretch assignments are the manager's records and stay (they now name "Former colleague").
Nobody else can do this to a person: the service only acts when the person types their own username, and the page
only ever acts on the signed-in person (an admin deactivates others in the people admin, which deletes nothing).
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnflow.account.models import Notice, NotificationPreference, NudgeSent
from learnflow.core.models import Event
from learnflow.core.visibility import Visibility

FORMER_FIRST, FORMER_LAST = "Former", "colleague"

# An uploaded "all my data" archive larger than this is refused before it is opened (the zip's own limits in
# archive.archive_limits() then bound what it unpacks to).
DEFAULT_MAX_ARCHIVE_UPLOAD_BYTES = 1024 * 1024 * 1024


def max_archive_upload_bytes() -> int:
    return int(getattr(settings, "MAX_ACCOUNT_ARCHIVE_UPLOAD_BYTES", DEFAULT_MAX_ARCHIVE_UPLOAD_BYTES))


@dataclass
class DeletionPlan:
    private_entries: int
    private_files: int
    shared_entries: int
    reviews: int
    private_goals: int
    shared_goals: int
    portfolios: int
    statements: int
    lrs_keys: int
    api_tokens: int


def account_deletion_plan(*, user: Any) -> DeletionPlan:
    """The counts the confirmation page states — the same queries account_delete acts on."""
    from learnflow.journal.models import Entry, EntryAttachment, WeeklyReview
    from learnflow.lrs.models import LrsKey, Statement
    from learnflow.org.models import ApiToken

    own = Entry.objects.owned_by(user)
    private = own.filter(visibility=Visibility.PRIVATE)
    goals = _own_goals(user)
    return DeletionPlan(
        private_entries=private.count(),
        private_files=EntryAttachment.objects.filter(entry__in=private).count(),
        shared_entries=own.exclude(visibility=Visibility.PRIVATE).count(),
        reviews=WeeklyReview.objects.filter(author=user).count(),
        private_goals=goals.filter(visibility=Visibility.PRIVATE).count() if goals is not None else 0,
        shared_goals=goals.exclude(visibility=Visibility.PRIVATE).count() if goals is not None else 0,
        portfolios=_own_portfolios(user).count() if _own_portfolios(user) is not None else 0,
        statements=Statement.objects.filter(person=user).count(),
        lrs_keys=LrsKey.objects.filter(owner=user, revoked_at__isnull=True).count(),
        api_tokens=ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
    )


def _own_goals(user: Any):
    from django.apps import apps

    if not apps.is_installed("learnflow.goals"):
        return None
    from learnflow.goals.models import Goal

    return Goal.objects.owned_by(user)


def _own_portfolios(user: Any):
    from django.apps import apps

    if not apps.is_installed("learnflow.portfolio"):
        return None
    from learnflow.portfolio.models import Portfolio

    return Portfolio.objects.filter(owner=user)


@transaction.atomic
def account_delete(*, user: Any, confirm_username: str) -> DeletionPlan:
    """Delete the person's private content, anonymise what they shared, deactivate the account. One transaction;
    files are removed from storage only once it has committed."""
    from learnflow.journal.models import Entry, EntryAttachment, WeeklyReview
    from learnflow.lrs.models import LrsKey, Statement
    from learnflow.org.models import ApiToken

    if not user or not user.pk or not user.is_active:
        raise ValidationError({"confirm_username": "This account is already closed."})
    if (confirm_username or "").strip() != user.username:
        raise ValidationError({"confirm_username": "Type your username exactly as shown to confirm."})
    plan = account_deletion_plan(user=user)
    files: list[tuple[Any, str]] = []

    private_entries = Entry.objects.owned_by(user).filter(visibility=Visibility.PRIVATE)
    for attachment in EntryAttachment.objects.filter(entry__in=private_entries):
        files.append((attachment.file.storage, attachment.file.name))
    private_entries.delete()
    WeeklyReview.objects.filter(author=user).delete()

    goals = _own_goals(user)
    if goals is not None:
        from learnflow.goals.models import Evidence

        private_goals = goals.filter(visibility=Visibility.PRIVATE)
        for evidence in Evidence.objects.filter(goal__in=private_goals).exclude(file=""):
            files.append((evidence.file.storage, evidence.file.name))
        private_goals.delete()
    portfolios = _own_portfolios(user)
    if portfolios is not None:
        portfolios.delete()

    statements = Statement.objects.filter(person=user)
    hashes = {a["sha2"] for text in statements.filter(has_attachments=True).values_list("full_json", flat=True)
              for a in (json.loads(text).get("attachments") or []) if isinstance(a, dict) and a.get("sha2")}
    statements.delete()
    # Attachment content is stored once per hash and may be shared with someone else's statement: only what no
    # remaining statement refers to goes.
    from learnflow.lrs.models import AttachmentBlob

    for sha2 in hashes:
        if not Statement.objects.filter(has_attachments=True, full_json__contains=sha2).exists():
            AttachmentBlob.objects.filter(sha2=sha2).delete()
    now = timezone.now()
    LrsKey.objects.filter(owner=user, revoked_at__isnull=True).update(revoked_at=now)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    Notice.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    # The audit trail of what the person did (titles of private things included) is theirs alone to read.
    Event.objects.filter(actor=user).delete()

    user.username = f"former-{secrets.token_hex(6)}"
    user.first_name, user.last_name = FORMER_FIRST, FORMER_LAST
    user.email = ""
    user.job_title = ""
    user.availability_note = ""
    # Team and manager stay: they decide who sees what the person shared ("my team", "my manager"), and that
    # audience is what shared content keeps. People lists show active accounts only.
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: Django checks the password hash on each request
    user.save()
    user.skills.clear()
    user.interests.clear()

    def remove_files() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                pass  # a file already gone is what we wanted

    transaction.on_commit(remove_files)
    return plan


# --- preferences and notices

def preference_get(*, user: Any) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


@transaction.atomic
def preference_update(*, user: Any, weekly_goal_nudge: bool, nudge_by_email: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"weekly_goal_nudge": bool(weekly_goal_nudge), "nudge_by_email": bool(nudge_by_email)})
    return pref


def notice_create(*, user: Any, text: str, url: str = "") -> Notice:
    if url and not url.startswith("/"):
        raise ValidationError({"url": "A notice links only to a page of this site."})
    notice = Notice(user=user, text=text[:300], url=url)
    notice.full_clean()
    notice.save()
    return notice


def notices_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    qs = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- weekly goal nudges

def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


NUDGE_TEXT = "Time for your weekly look at your goals: what moved, what is next?"


def _goals_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("goals:list")
    except NoReverseMatch:
        return "/goals/"


def _settings_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("account:notifications")
    except NoReverseMatch:
        return "/account/notifications/"


def weekly_goal_nudges_due(*, today: dt.date | None = None) -> list[int]:
    """Nudge everyone who has an active goal and has not opted out, once per week. Returns the user ids nudged now;
    running it again the same week nudges nobody (NudgeSent's unique constraint decides, also across workers)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    if not apps.is_installed("learnflow.goals"):
        return []
    from learnflow.goals.models import Goal, GoalStatus

    today = today or timezone.localdate()
    week = week_start_of(today)
    User = get_user_model()
    people = (User.objects.filter(is_active=True, goals__status=GoalStatus.ACTIVE).distinct()
              .exclude(notification_preference__weekly_goal_nudge=False)
              .exclude(pk__in=NudgeSent.objects.filter(week_start=week, kind="weekly_goal_review")
                       .values("user_id"))
              .select_related("notification_preference"))
    nudged: list[int] = []
    url = _goals_url()
    for person in people.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                sent = NudgeSent.objects.create(user=person, week_start=week, kind="weekly_goal_review")
                count = Goal.objects.filter(owner=person, status=GoalStatus.ACTIVE).count()
                text = f"{NUDGE_TEXT} ({count} active goal{'s' if count != 1 else ''})"
                notice_create(user=person, text=text, url=url)
                pref = getattr(person, "notification_preference", None)
                if person.email and (pref is None or pref.nudge_by_email):
                    send_mail(subject="Your weekly goal review", from_email=settings.DEFAULT_FROM_EMAIL,
                              recipient_list=[person.email],
                              message=f"Hello {person.display_name},\n\n{text}\n\n{settings.SITE_URL}{url}\n\n"
                                      f"You can turn these reminders off at {settings.SITE_URL}{_settings_url()}")
                    sent.emailed = True
                    sent.save(update_fields=["emailed"])
        except IntegrityError:
            continue  # another worker nudged this person this week a moment ago
        nudged.append(person.pk)
    return nudged


# --- importing one's own "all my data" archive from the web

def account_import_upload(*, user: Any, upload: Any) -> Any:
    """Import an uploaded Learnflow data archive into the signed-in person's own account: the code path of
    `learnflow import FILE.zip` (archive.account_import), with its checks (safe zip, manifest, checksums) and its
    all-or-nothing transaction. Whoever the archive names, it is imported into `user` only."""
    from learnflow.account import archive
    from learnflow.core.services import event_record

    if upload is None:
        raise ValidationError({"file": "Choose the .zip archive you downloaded from “Download all my data”."})
    limit = max_archive_upload_bytes()
    if upload.size > limit:
        raise ValidationError({"file": f"The file is {upload.size:,} bytes; an archive may be at most "
                                       f"{limit:,} bytes. Nothing was imported."})
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        source: Any = path()
    else:
        upload.seek(0)
        source = upload.file
    report = archive.account_import(source=source, username=user.username)
    event_record(actor=user, verb="imported", obj=user,
                 data={"goals": report.goals, "statements": report.statements, "portfolios": report.portfolios})
    return report
