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
REFERENCING_MAX = 10_000  # statements-pointing-at-a-match considered per query


def statements_visible_to(key: LrsKey) -> QuerySet[Statement]:
    """Statements about a person are part of their private record (core.visibility's first rule).

    A person's key reads that person's statements (a trusted one also what it wrote about others); an
    organisation tool's keys read what that tool wrote. No key reads another tool's records about people, nor
    Learnflow's own statements about people's journals: people share those in Learnflow, and forwarding sends
    what they shared on."""
    qs = Statement.objects.all()
    if key.owner_id:
        visible = Q(person_id=key.owner_id)
        if key.trusted:
            visible |= Q(key_id=key.pk)
        return qs.filter(visible)
    return qs.filter(key_id__in=LrsKey.objects.filter(org_tool=key.org_tool).values("pk"))


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
        rows = StatementAgent.objects.filter(ifi=f.agent_ifi)
        if not f.related_agents:
            rows = rows.filter(related=False)
        qs = qs.filter(seq__in=rows.values("statement_id"))
    if f.activity:
        rows = StatementActivity.objects.filter(iri=f.activity)
        if not f.related_activities:
            rows = rows.filter(related=False)
        qs = qs.filter(seq__in=rows.values("statement_id"))
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
    page_size = min(filters.limit or MAX_LIMIT, MAX_LIMIT)
    matched = _page(_matching(visible, filters), filters, after, page_size)
    if any((filters.agent_ifi, filters.verb, filters.activity, filters.registration)):
        # Statements pointing at a match are found from the partial index on object_statement (few rows),
        # each checked against its target by primary key, then merged here: an OR in SQL, or an IN over
        # every matching id, would cost a scan or one probe per match.
        targets = _matching(Statement.objects.filter(id=OuterRef("object_statement")), filters)
        referencing_seqs = list(
            Statement.objects.filter(object_statement__isnull=False).filter(Exists(targets))
            .values_list("seq", flat=True)[:REFERENCING_MAX]
        )
        if referencing_seqs:
            referencing = _page(visible.filter(seq__in=referencing_seqs), filters, after, page_size)
            merged = {row.seq: row for row in (*matched, *referencing)}
            matched = sorted(merged.values(), key=lambda r: (r.stored, r.seq), reverse=not filters.ascending)
    page = matched[: page_size + 1]
    more = None
    if len(page) > page_size:
        page = page[:page_size]
        last = page[-1]
        more = signing.dumps({"f": filters.as_token(), "after": [last.stored.isoformat(), last.seq]},
                             salt=MORE_SALT, compress=True)
    return page, more


def _page(qs: QuerySet[Statement], filters: StatementFilters, after: tuple[str, int] | None,
          page_size: int) -> list[Statement]:
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
    return list(qs.order_by(*order).only("seq", "stored", "full_json", "has_attachments")[: page_size + 1])


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
