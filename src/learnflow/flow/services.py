"""Every write of the knowledge flow: following, digest preferences, the private feed's address, and building and
sending digests."""
from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from html import escape  # the standard library's: Django's lazy-aware one costs three times as much here
from typing import Any, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from learnflow.flow import sources as flow_sources
from learnflow.flow.models import Digest, DigestItem, DigestPreference, Follow, Frequency

PERIOD = {Frequency.DAILY: dt.timedelta(days=1), Frequency.WEEKLY: dt.timedelta(days=7)}
# A scheduled run a few minutes early must still find the person due.
DUE_SLACK = dt.timedelta(hours=1)
# Someone back from a long pause gets the last month, not everything since.
MAX_WINDOW = dt.timedelta(days=31)
# A digest one reads in a few minutes; the rest stays in the person's flow page and feed.
MAX_ITEMS = 30
BATCH = 500
# What was shared with the person first, then other sources' items (communities), then the library.
KIND_ORDER = {"entry": 0, "goal": 1, "resource": 3}


def is_followable_curator(person: Any) -> bool:
    return bool(person is not None and person.is_active and person.is_lnd)


def _reader_required(user: Any) -> None:
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in first.")


# --- following --------------------------------------------------------------------------------------------------

@transaction.atomic
def follow_add(*, user: Any, topic: Any = None, curator: Any = None, source: str = "", ref: str = "") -> Follow:
    """Follow one topic, curator (L&D or admin) or item of a registered source. Following twice is harmless."""
    _reader_required(user)
    if sum(bool(x) for x in (topic, curator, source)) != 1:
        raise ValidationError({"target": "Follow one topic, one curator or one community at a time."})
    if curator is not None:
        if curator.pk == user.pk:
            raise ValidationError({"curator": "You cannot follow yourself."})
        if not is_followable_curator(curator):
            raise ValidationError({"curator": "Only curators (L&D and admins) can be followed."})
        existing = Follow.objects.filter(user=user, curator=curator).first()
    elif topic is not None:
        existing = Follow.objects.filter(user=user, topic=topic).first()
    else:
        if source not in {s.name for s in flow_sources.sources()}:
            raise ValidationError({"source": "Nothing of that kind can be followed."})
        ref = str(ref).strip()
        if not ref or len(ref) > 100:
            raise ValidationError({"ref": "Say what to follow."})
        existing = Follow.objects.filter(user=user, source=source, ref=ref).first()
    if existing is not None:
        return existing
    follow = Follow(user=user, topic=topic, curator=curator, source=source if not (topic or curator) else "",
                    ref=ref if source else "")
    follow.full_clean()
    follow.save()
    return follow


@transaction.atomic
def follow_remove(*, user: Any, topic: Any = None, curator: Any = None, source: str = "", ref: str = "") -> bool:
    """Stop following; returns whether something was followed."""
    _reader_required(user)
    qs = Follow.objects.filter(user=user)
    if topic is not None:
        qs = qs.filter(topic=topic)
    elif curator is not None:
        qs = qs.filter(curator=curator)
    elif source:
        qs = qs.filter(source=source, ref=str(ref).strip())
    else:
        raise ValidationError({"target": "Say what to stop following."})
    deleted, _ = qs.delete()
    return bool(deleted)


# --- preferences and the private feed ---------------------------------------------------------------------------

def preference_of(user: Any) -> DigestPreference:
    """The person's preference, unsaved defaults if they never chose."""
    pref = DigestPreference.objects.filter(user=user).first()
    return pref or DigestPreference(user=user)


@transaction.atomic
def digest_preference_update(*, user: Any, frequency: str, by_email: bool) -> DigestPreference:
    _reader_required(user)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "Choose daily, weekly or off."})
    pref, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    pref.frequency = frequency
    pref.by_email = by_email
    pref.full_clean()
    pref.save()
    return pref


def feed_token(feed_id: str) -> str:
    """The secret half of the feed's address. Derived (HMAC with the site's SECRET_KEY) rather than stored, so a
    copy of the database alone does not open anybody's feed."""
    return salted_hmac("learnflow.flow.atom", feed_id, algorithm="sha256").hexdigest()[:40]


def feed_token_valid(feed_id: str, token: str) -> bool:
    return constant_time_compare(feed_token(feed_id), token)


@transaction.atomic
def feed_regenerate(*, user: Any) -> DigestPreference:
    """A new private feed address; the old one stops working at once."""
    _reader_required(user)
    pref, _ = DigestPreference.objects.select_for_update().get_or_create(user=user)
    pref.feed_id = secrets.token_hex(16)
    pref.save(update_fields=["feed_id", "updated_at"])
    return pref


@transaction.atomic
def feed_revoke(*, user: Any) -> None:
    _reader_required(user)
    DigestPreference.objects.filter(user=user).update(feed_id=None, updated_at=timezone.now())


def feed_path(pref: DigestPreference) -> str:
    return reverse("flow:atom", args=[pref.feed_id, feed_token(pref.feed_id)]) if pref.feed_id else ""


# --- digests ----------------------------------------------------------------------------------------------------

@dataclass
class DigestRun:
    people: int = 0  # considered (due)
    digests: int = 0  # built with at least one item
    items: int = 0
    emailed: int = 0
    per_person_ms: list[float] = field(default_factory=list)  # building (shared queries shared out)
    email_ms: list[float] = field(default_factory=list)  # rendering each email


def _window(pref_last: dt.datetime | None, frequency: str, now: dt.datetime) -> dt.datetime:
    start = pref_last or (now - PERIOD[frequency])
    return max(start, now - MAX_WINDOW)


def _sources_in_digest_order() -> list[flow_sources.Source]:
    # Each source answers newest first; taking the sources in this order gives the digest its order for free.
    return sorted(flow_sources.sources(), key=lambda s: KIND_ORDER.get(s.name, 2))


def digests_due(*, now: dt.datetime, frequency: str | None = None, user_ids: Sequence[int] | None = None):
    """(person, frequency, start) for everyone whose digest is due: active people whose choice is daily or weekly
    (weekly when they never chose) and whose last digest is at least a period old."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    people = User.objects.filter(is_active=True).select_related("digest_preference").order_by("pk")
    if user_ids is not None:
        people = people.filter(pk__in=list(user_ids))
    people = people.exclude(digest_preference__frequency=Frequency.OFF)
    for person in people.iterator(chunk_size=2000):
        pref = getattr(person, "digest_preference", None)
        freq = pref.frequency if pref else Frequency.WEEKLY
        if frequency and freq != frequency:
            continue
        last = pref.last_sent_at if pref else None
        if last is not None and last > now - PERIOD[freq] + DUE_SLACK:
            continue
        yield person, freq, _window(last, freq, now), pref


def digests_build(*, now: dt.datetime | None = None, frequency: str | None = None,
                  user_ids: Sequence[int] | None = None, send_email: bool = True, batch: int = BATCH,
                  timings: bool = False) -> DigestRun:
    """Build (and send) every digest that is due. Set-based: each batch of people costs a handful of queries in
    all (every source answers for the whole batch), whatever its size. Each batch is one transaction; a person's
    items are recorded in DigestItem, whose unique key means no item ever reaches them twice, even when two runs
    overlap. Emails go out after the batch commits."""
    now = now or timezone.now()
    run = DigestRun()
    due = list(digests_due(now=now, frequency=frequency, user_ids=user_ids))
    if not due:
        return run
    # One window for the whole run (the earliest start; each person's own start filters their items), so that
    # the sources read the window's candidates once and every batch shares them.
    start = min(s for _, _, s, _ in due)
    flow_sources.run_cache_start()
    try:
        for n in range(0, len(due), batch):
            _build_batch(due[n:n + batch], start=start, now=now, run=run, send_email=send_email, timings=timings)
    finally:
        flow_sources.run_cache_end()
    return run


def _build_batch(chunk, *, start: dt.datetime, now: dt.datetime, run: DigestRun, send_email: bool,
                 timings: bool) -> None:
    viewers = [person for person, *_ in chunk]
    shared_start = time.perf_counter()
    gathered: dict[int, list[flow_sources.FlowItem]] = {v.pk: [] for v in viewers}
    for source in _sources_in_digest_order():
        for user_id, items in flow_sources.source_items_many(source, viewers=viewers, start=start, end=now).items():
            if items:
                gathered[user_id].extend(items)
    keys = {item.key for items in gathered.values() for item in items}
    sent: set[tuple[int, str]] = set()
    key_list = sorted(keys)
    for n in range(0, len(key_list), 2000):
        sent.update(DigestItem.objects.filter(user_id__in=[v.pk for v in viewers], key__in=key_list[n:n + 2000])
                    .values_list("user_id", "key"))
    shared_ms = (time.perf_counter() - shared_start) * 1000 / max(len(chunk), 1)
    outgoing: list[tuple[Any, Digest, list[flow_sources.FlowItem], bool]] = []
    with transaction.atomic():
        digests, item_rows = [], []
        for person, freq, person_start, pref in chunk:
            t0 = time.perf_counter() if timings else 0.0
            seen: set[str] = set()
            items = []
            for item in gathered[person.pk]:
                if item.published_at < person_start or item.key in seen or (person.pk, item.key) in sent:
                    continue
                seen.add(item.key)
                items.append(item)
                if len(items) >= MAX_ITEMS:
                    break
            if items:
                digest = Digest(user=person, frequency=freq, start=person_start, end=now, item_count=len(items))
                digests.append((digest, items, pref))
            if timings:
                run.per_person_ms.append(shared_ms + (time.perf_counter() - t0) * 1000)
        Digest.objects.bulk_create([d for d, _, _ in digests], batch_size=1000)
        for digest, items, pref in digests:
            item_rows.extend((digest.user_id, digest.pk, i.key, i.kind) for i in items)
        _digest_items_insert(item_rows)
        user_ids = [person.pk for person, *_ in chunk]
        DigestPreference.objects.filter(user_id__in=user_ids).update(last_sent_at=now)
        missing = [person.pk for person, _, _, pref in chunk if pref is None]
        DigestPreference.objects.bulk_create([DigestPreference(user_id=pk, last_sent_at=now) for pk in missing],
                                             ignore_conflicts=True)
        for digest, items, pref in digests:
            by_email = pref.by_email if pref else True
            outgoing.append((digest.user, digest, items, by_email and bool(digest.user.email)))
    run.people += len(chunk)
    run.digests += len(digests)
    run.items += sum(len(items) for _, _, items, _ in outgoing)
    if send_email:
        run.emailed += _send(outgoing, timings=timings, run=run)


def _digest_items_insert(rows: list[tuple[int, int, str, str]]) -> None:
    """The sent-items record, tens of thousands of rows a run: plain executemany (a model instance per row costs
    ten times as much). ON CONFLICT DO NOTHING (SQLite and PostgreSQL): an overlapping run that recorded an item a
    moment ago wins, and ours is then not repeated."""
    if not rows:
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("user_id", "digest_id", "key", "kind"))
    sql = f"INSERT INTO {q(DigestItem._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        for n in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[n:n + 5000])


def _send(outgoing, *, timings: bool, run: DigestRun) -> int:
    messages, emailed = [], []
    for person, digest, items, by_email in outgoing:
        if not by_email:
            continue
        t0 = time.perf_counter()
        messages.append(digest_email(person=person, digest=digest, items=items))
        if timings:
            run.email_ms.append((time.perf_counter() - t0) * 1000)
        emailed.append(digest.pk)
    if not messages:
        return 0
    connection = get_connection(fail_silently=True)
    sent = connection.send_messages(messages) or 0
    if sent:
        Digest.objects.filter(pk__in=emailed).update(emailed=True)
    return sent


def digest_email(*, person: Any, digest: Digest, items: list[flow_sources.FlowItem]) -> EmailMultiAlternatives:
    """Plain text and HTML. Built with string formatting (every value escaped for the HTML part) rather than the
    template engine: a weekly run renders one for each of thousands of people, and this is ten times cheaper."""
    site = settings.SITE_URL
    digest_url = site + reverse("flow:digest", args=[digest.pk])
    settings_url = site + reverse("flow:settings")
    period = "daily" if digest.frequency == Frequency.DAILY else "weekly"
    subject = f"Your {period} learning digest: {len(items)} new item{'s' if len(items) != 1 else ''}"
    text, rows = [f"Hello {person.display_name},", ""], []
    for item in items:
        by = f" ({item.author})" if item.author else ""
        text.append(f"- {item.title}{by}")
        if item.note:
            text.append(f"  {item.note}")
        text.append(f"  {site}{item.url}")
        note = f"<br>{escape(item.note)}" if item.note else ""
        about = escape(item.kind + (f" · {item.author}" if item.author else ""))
        rows.append(f'<li style="margin-bottom:1em"><a href="{escape(site + item.url)}">{escape(item.title)}</a> '
                    f"<small>{about}</small>{note}</li>")
    text += ["", f"Read it in Learnflow: {digest_url}", "",
             f"Change how often you get this, or switch it off: {settings_url}", ""]
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
            f'<body style="font-family:sans-serif;line-height:1.5;max-width:40em">'
            f"<p>Hello {escape(person.display_name)},</p><ul>{''.join(rows)}</ul>"
            f'<p><a href="{escape(digest_url)}">Read it in Learnflow</a> · <a href="{escape(settings_url)}">'
            f"Change how often you get this, or switch it off</a></p></body></html>")
    message = EmailMultiAlternatives(subject=subject, body="\n".join(text), from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[person.email])
    message.attach_alternative(html, "text/html")
    return message


def digests_send_due(*, now: dt.datetime | None = None) -> DigestRun:
    """The scheduled entry point (task and CLI): daily and weekly digests that are due."""
    return digests_build(now=now)
