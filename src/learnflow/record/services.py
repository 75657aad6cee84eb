"""Writes to a person's learning record: sharing a recorded activity, reflecting on it, LRS keys, forwarding."""
from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from learnflow.core.services import event_record
from learnflow.core.visibility import Visibility
from learnflow.journal.models import Entry, Way
from learnflow.journal.services import entry_create
from learnflow.lrs.models import LrsKey, Statement
from learnflow.record.emit import SYSTEM_TOOL
from learnflow.record.models import ForwardItem, ForwardTarget, StatementReflection, StatementShare
from learnflow.record.selectors import describe

log = logging.getLogger(__name__)

MAX_ATTEMPTS_BACKOFF = 12  # after this, retry once an hour; never give up silently
BATCH = 50


def _own_statement(*, owner: Any, statement_id: Any) -> Statement:
    statement = Statement.objects.filter(id=statement_id, person_id=owner.pk, voided=False).first()
    if statement is None:
        raise PermissionDenied("Only the person the activity is about can do that.")
    return statement


@transaction.atomic
def statement_share(*, owner: Any, statement_id: Any, visibility: str, note: str = "") -> StatementShare:
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": f"“{visibility}” is not a visibility."})
    if visibility == Visibility.PRIVATE and note.strip():
        raise ValidationError({"note": "A note on why it is worth sharing needs the activity to be shared."})
    statement = _own_statement(owner=owner, statement_id=statement_id)
    share, _ = StatementShare.objects.select_for_update().get_or_create(statement=statement,
                                                                        defaults={"owner": owner})
    share.visibility, share.note = visibility, note.strip()[:500]
    share.full_clean()
    share.save()
    if visibility != Visibility.PRIVATE and forward_enqueue_shared(statement=statement):
        from learnflow.record.tasks import forward_kick

        transaction.on_commit(forward_kick)
    elif visibility == Visibility.PRIVATE:
        forward_withdraw(statement=statement)
    return share


_WAY_BY_TYPE = {
    "course": Way.ONLINE_COURSE, "module": Way.ONLINE_COURSE, "lesson": Way.ONLINE_COURSE,
    "assessment": Way.ONLINE_COURSE, "simulation": Way.EXPERIMENTING, "video": Way.MEDIA, "media": Way.MEDIA,
    "podcast": Way.MEDIA, "file": Way.READING, "link": Way.WEB_SEARCH, "meeting": Way.COLLEAGUES,
    "book": Way.READING, "article": Way.READING, "webinar": Way.EVENTS, "event": Way.EVENTS,
}


@transaction.atomic
def statement_reflect(*, owner: Any, statement_id: Any) -> Entry:
    """Turn a recorded activity into a (private) journal entry linked to it, to reflect on. Once per statement:
    a second click opens the same entry."""
    statement = _own_statement(owner=owner, statement_id=statement_id)
    existing = StatementReflection.objects.filter(statement=statement, entry__author=owner).select_related(
        "entry").first()
    if existing:
        return existing.entry
    view = describe(statement)
    title = f"{view.verb.capitalize()} {view.object_name}".strip()[:200] or "Recorded activity"
    result = "; ".join(f"{k}: {v}" for k, v in view.result)
    body = "\n\n".join(p for p in (view.description, f"Result — {result}" if result else "") if p)
    entry = entry_create(author=owner, title=title, body=body, way=_WAY_BY_TYPE.get(view.object_type.lower(),
                                                                                   Way.ONLINE_COURSE),
                         learned_on=statement.timestamp.date(), source="xapi")
    StatementReflection.objects.create(entry=entry, statement=statement)
    return entry


# --- LRS keys for a person's own tools (admins make organisation-level ones).

@transaction.atomic
def person_lrs_key_create(*, owner: Any, label: str):
    from learnflow.lrs.services import lrs_key_create

    label = label.strip()[:120] or "My tool"
    return lrs_key_create(owner=owner, label=label)


@transaction.atomic
def org_lrs_key_create(*, actor: Any, tool: str, label: str = "", trusted: bool = True):
    from learnflow.lrs.services import lrs_key_create

    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("Only admins create keys for organisation-level tools.")
    tool = tool.strip()[:120]
    if not tool:
        raise ValidationError({"tool": "Name the tool, e.g. “Company LMS”."})
    if tool == SYSTEM_TOOL:
        raise ValidationError({"tool": f"“{SYSTEM_TOOL}” is reserved for Learnflow's own statements."})
    return lrs_key_create(org_tool=tool, label=label or tool, trusted=trusted)


@transaction.atomic
def lrs_key_set_trusted(*, actor: Any, key: LrsKey, trusted: bool) -> LrsKey:
    """An admin lets a person's tool write statements about others (e.g. a coach's observation app)."""
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("Only admins decide which tools are trusted.")
    key.trusted = trusted
    key.save(update_fields=["trusted"])
    return key


# --- Forwarding to an external LRS: an outbox with retries, so nothing is lost while the target is down.

@transaction.atomic
def forward_target_save(*, actor: Any, target: ForwardTarget) -> ForwardTarget:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("Only admins configure forwarding.")
    if target.pk is None:
        # Only statements from now on: forwarding the whole history is an explicit, separate decision.
        target.scanned_seq = Statement.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    target.full_clean()
    target.save()
    from learnflow.record.tasks import forward_kick

    transaction.on_commit(forward_kick)
    return target


def forward_enqueue_shared(*, statement: Statement) -> int:
    now = timezone.now()
    targets = ForwardTarget.objects.filter(enabled=True, forward_shared=True)
    items = [ForwardItem(target=t, statement=statement, next_attempt_at=now) for t in targets]
    ForwardItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


def _forwardable(target: ForwardTarget, statement_ids: list) -> set:
    """Which of these statements the target may still receive: shared by their owner (when it takes shared ones) or
    selected by its admin rule (never Learnflow's own statements about journals)."""
    allowed = Q(pk__in=[])
    if target.forward_shared:
        allowed |= Q(share__visibility__in=[v for v in Visibility.values if v != Visibility.PRIVATE])
    if target.has_rule:
        allowed |= _rule_q(target) & ~Q(key__org_tool=SYSTEM_TOOL)
    return set(Statement.objects.filter(pk__in=statement_ids).filter(allowed).values_list("pk", flat=True))


def forward_withdraw(*, statement: Statement) -> int:
    """The statement went back to private: what was queued because it was shared, and not sent yet, is dropped."""
    waiting = list(ForwardItem.objects.filter(statement=statement, delivered_at__isnull=True)
                   .select_related("target"))
    gone = [i.pk for i in waiting if statement.pk not in _forwardable(i.target, [statement.pk])]
    if gone:
        ForwardItem.objects.filter(pk__in=gone).delete()
    return len(gone)


def _rule_q(target: ForwardTarget) -> Q:
    q = Q(pk__in=[])
    if target.verbs:
        q |= Q(verb_iri__in=target.verbs)
    if target.activity_prefix.strip():
        q |= Q(object_iri__startswith=target.activity_prefix.strip())
    return q


@transaction.atomic
def forward_scan(*, target: ForwardTarget, limit: int = 5000) -> int:
    """Queue statements stored since the last scan that match the admin's rule. Learnflow's own statements about
    people's journals are never selected by a rule: only their owners share those."""
    target = ForwardTarget.objects.select_for_update().get(pk=target.pk)
    if not target.has_rule:
        return 0
    batch = list(Statement.objects.filter(seq__gt=target.scanned_seq).order_by("seq")
                 .values_list("seq", flat=True)[:limit])
    if not batch:
        return 0
    matching = (Statement.objects.filter(seq__in=batch).filter(_rule_q(target))
                .exclude(key__org_tool=SYSTEM_TOOL).values_list("seq", flat=True))
    now = timezone.now()
    ForwardItem.objects.bulk_create([ForwardItem(target=target, statement_id=seq, next_attempt_at=now)
                                     for seq in matching], ignore_conflicts=True)
    target.scanned_seq = batch[-1]
    target.save(update_fields=["scanned_seq"])
    return len(matching)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 15 * 2 ** min(attempts, MAX_ATTEMPTS_BACKOFF)))


# Answers that mean "this content is refused" rather than "not now" or "not you": a batch so refused is split until
# the statement to blame stands alone and is set aside. Other 4xx (credentials, wrong endpoint, rate limits) and 5xx
# are the target's or the configuration's problem: the whole batch waits with back-off.
REFUSED_STATUSES = {400, 409, 413, 422}


def _post(target: ForwardTarget, statements: list[dict]) -> None:
    url = target.endpoint.rstrip("/") + "/statements"
    request = urllib.request.Request(url, data=json.dumps(statements).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Experience-API-Version": target.xapi_version,
    })
    if target.username:
        token = base64.b64encode(f"{target.username}:{target.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=15) as response:
        if response.status not in (200, 204):
            raise urllib.error.HTTPError(url, response.status, "unexpected status", response.headers, None)


def _for_export(statement: Statement) -> dict:
    data = json.loads(statement.full_json)
    # The receiving LRS sets its own stored time and authority.
    data.pop("stored", None)
    data.pop("authority", None)
    return data


def _failure(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        try:  # the target's own words on what it refused, when it gave any
            said = (exc.read() or b"")[:300].decode("utf-8", "replace").strip() if exc.fp else ""
        except Exception:  # noqa: BLE001
            said = ""
        return f"HTTP {exc.code} {exc.reason}{': ' + said if said else ''}"[:500]
    reason = getattr(exc, "reason", None) or str(exc) or repr(exc)
    return f"{exc.__class__.__name__}: {reason}"[:500]


def forward_deliver(*, target: ForwardTarget, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send due items in batches. Returns (delivered, failed). Anything going wrong with the target (down, garbage
    answer, server error, a bug of ours) counts as a failed attempt: the batch is retried later with back-off and
    items stay queued until delivered. A batch the target refuses for its content is split so that the statement it
    refuses is set aside (refused, with the reason, for the admin to see) and never holds up the others. Items whose
    statement is no longer to be forwarded (made private again) are dropped before sending."""
    now = now or timezone.now()
    delivered = failed = 0
    while True:
        items = list(ForwardItem.objects.select_related("statement")
                     .filter(target=target, delivered_at__isnull=True, refused_at__isnull=True,
                             next_attempt_at__lte=now)
                     .order_by("statement_id")[:BATCH])
        if not items:
            return delivered, failed
        allowed = _forwardable(target, [i.statement_id for i in items])
        stale = [i.pk for i in items if i.statement_id not in allowed]
        if stale:
            ForwardItem.objects.filter(pk__in=stale, delivered_at__isnull=True).delete()
            items = [i for i in items if i.statement_id in allowed]
        sent, failed_now, healthy = _deliver_batch(target, items, now)
        delivered += sent
        failed += failed_now
        if not healthy:
            return delivered, failed


def _deliver_batch(target: ForwardTarget, items: list, now: dt.datetime) -> tuple[int, int, bool]:
    """Deliver `items`, splitting on a content refusal. Returns (delivered, failed, healthy): a failure other than a
    refusal means the target is not well, and the rest waits for the back-off too."""
    if not items:
        return 0, 0, True
    try:
        _post(target, [_for_export(i.statement) for i in items])
    except Exception as exc:  # noqa: BLE001 - whatever happens talking to one target is that target's failure
        refused = isinstance(exc, urllib.error.HTTPError) and exc.code in REFUSED_STATUSES
        if refused and len(items) > 1:
            half = len(items) // 2
            sent, failed, healthy = _deliver_batch(target, items[:half], now)
            if not healthy:
                _fail(items[half:], exc, now)
                return sent, failed + len(items) - half, False
            sent2, failed2, healthy = _deliver_batch(target, items[half:], now)
            return sent + sent2, failed + failed2, healthy
        if refused:
            item = items[0]
            item.refused_at, item.attempts = now, item.attempts + 1
            item.last_error = f"Refused by the target: {_failure(exc)}"[:500]
            item.save(update_fields=["refused_at", "attempts", "last_error"])
            log.warning("forwarding to %s: statement %s refused (%s)", target.name, item.statement_id, exc)
            return 0, 1, True
        log.warning("forwarding to %s failed: %s", target.name, _failure(exc))
        _fail(items, exc, now)
        return 0, len(items), False
    ForwardItem.objects.filter(pk__in=[i.pk for i in items]).update(delivered_at=now, last_error="")
    return len(items), 0, True


def _fail(items: list, exc: BaseException, now: dt.datetime) -> None:
    for item in items:
        item.attempts += 1
        item.next_attempt_at = now + _backoff(item.attempts)
        item.last_error = _failure(exc)
    ForwardItem.objects.bulk_update(items, ["attempts", "next_attempt_at", "last_error"])


def forward_run() -> dict[str, tuple[int, int]]:
    """One round over every enabled target; one target failing in any way never keeps the others from theirs."""
    results = {}
    for target in ForwardTarget.objects.filter(enabled=True):
        try:
            forward_scan(target=target)
            results[target.name] = forward_deliver(target=target)
        except Exception:  # noqa: BLE001
            log.exception("forwarding to %s failed", target.name)
            results[target.name] = (0, 0)
    return results
