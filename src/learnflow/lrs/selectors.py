"""Every read of statements. Each filter is an index lookup (see models.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet

from learnflow.lrs import indexing
from learnflow.lrs.http import XapiError
from learnflow.lrs.models import LrsKey, Statement, StatementActivity, StatementAgent

MAX_LIMIT = 500
MORE_SALT = "learnflow.lrs.more"
MORE_MAX_AGE = 7 * 24 * 3600  # the spec asks for at least 24 hours


def statements_visible_to(key: LrsKey) -> QuerySet[Statement]:
    """A person's own key reads that person's statements; tool keys read the whole store."""
    qs = Statement.objects.all()
    if key.owner_id and not key.trusted:
        qs = qs.filter(person_id=key.owner_id)
    return qs


def statement_get(*, key: LrsKey, statement_id: str, voided: bool) -> Statement | None:
    try:
        sid = uuid.UUID(statement_id)
    except ValueError:
        raise XapiError(400, "statementId is not a UUID") from None
    return statements_visible_to(key).filter(id=sid, voided=voided).first()


@dataclass
class StatementFilters:
    agent_ifi: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 0
    ascending: bool = False

    def as_token(self) -> dict[str, Any]:
        return {
            "a": self.agent_ifi, "v": self.verb, "ac": self.activity,
            "r": str(self.registration) if self.registration else None,
            "ra": self.related_activities, "rg": self.related_agents,
            "s": self.since.isoformat() if self.since else None,
            "u": self.until.isoformat() if self.until else None,
            "l": self.limit, "asc": self.ascending,
        }

    @classmethod
    def from_token(cls, data: dict[str, Any]) -> StatementFilters:
        return cls(
            agent_ifi=data["a"], verb=data["v"], activity=data["ac"],
            registration=uuid.UUID(data["r"]) if data["r"] else None,
            related_activities=data["ra"], related_agents=data["rg"],
            since=dt.datetime.fromisoformat(data["s"]) if data["s"] else None,
            until=dt.datetime.fromisoformat(data["u"]) if data["u"] else None,
            limit=data["l"], ascending=data["asc"],
        )


def _matching(base: QuerySet[Statement], f: StatementFilters) -> QuerySet[Statement]:
    qs = base
    if f.agent_ifi:
        rows = StatementAgent.objects.filter(statement=OuterRef("seq"), ifi=f.agent_ifi)
        if not f.related_agents:
            rows = rows.filter(related=False)
        qs = qs.filter(Exists(rows))
    if f.activity:
        rows = StatementActivity.objects.filter(statement=OuterRef("seq"), iri=f.activity)
        if not f.related_activities:
            rows = rows.filter(related=False)
        qs = qs.filter(Exists(rows))
    if f.verb:
        qs = qs.filter(verb_iri=f.verb)
    if f.registration:
        qs = qs.filter(registration=f.registration)
    return qs


def statement_query(*, key: LrsKey, filters: StatementFilters, after: tuple[str, int] | None = None
                    ) -> tuple[list[Statement], str | None]:
    """Statements matching ``filters`` (voided ones left out), one page, and a ``more`` token or None.

    Statements whose object is a StatementRef to a matching statement match too
    (one level), as the spec asks for every filter except since/until/limit.
    """
    visible = statements_visible_to(key)
    has_content_filter = any((filters.agent_ifi, filters.verb, filters.activity, filters.registration))
    matched = _matching(visible, filters)
    if has_content_filter:
        targets = _matching(Statement.objects.all(), filters).values("id")
        qs = visible.filter(Q(seq__in=matched.values("seq")) | Q(object_statement__in=targets))
    else:
        qs = matched
    qs = qs.filter(voided=False)
    if filters.since:
        qs = qs.filter(stored__gt=filters.since)
    if filters.until:
        qs = qs.filter(stored__lte=filters.until)
    if after is not None:
        stored_after, seq_after = dt.datetime.fromisoformat(after[0]), after[1]
        if filters.ascending:
            qs = qs.filter(Q(stored__gt=stored_after) | Q(stored=stored_after, seq__gt=seq_after))
        else:
            qs = qs.filter(Q(stored__lt=stored_after) | Q(stored=stored_after, seq__lt=seq_after))
    order = ("stored", "seq") if filters.ascending else ("-stored", "-seq")
    page_size = min(filters.limit or MAX_LIMIT, MAX_LIMIT)
    page = list(qs.order_by(*order).only("seq", "stored", "full_json", "has_attachments")[: page_size + 1])
    more = None
    if len(page) > page_size:
        page = page[:page_size]
        last = page[-1]
        more = signing.dumps({"f": filters.as_token(), "after": [last.stored.isoformat(), last.seq]},
                             salt=MORE_SALT, compress=True)
    return page, more


def decode_more(token: str) -> tuple[StatementFilters, tuple[str, int]]:
    try:
        data = signing.loads(token, salt=MORE_SALT, max_age=MORE_MAX_AGE)
    except signing.BadSignature:
        raise XapiError(400, "the 'more' token is invalid or has expired") from None
    return StatementFilters.from_token(data["f"]), tuple(data["after"])  # type: ignore[return-value]


def agent_filter_ifi(agent: dict[str, Any]) -> str:
    ifi = indexing.agent_ifi(agent)
    if ifi is None:
        raise XapiError(400, "the agent parameter needs an identifier (mbox, mbox_sha1sum, openid or account)")
    return ifi
