"""Every read of statements. Each filter is an index lookup (see models.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import connections, router
from django.db.models import Q, QuerySet

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


@dataclass(frozen=True)
class StatementRow:
    """What a statements page needs of a stored statement."""

    seq: int
    stored: dt.datetime
    full_json: str
    has_attachments: bool


class _Sql:
    """A WHERE clause under construction, with its parameters."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.qn = connection.ops.quote_name
        self.where: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.where.append(condition)
        self.params.extend(params)

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.connection.features.has_native_uuid_field else value.hex

    def moment(self, value: dt.datetime) -> Any:
        return self.connection.ops.adapt_datetimefield_value(value)


def _visibility(sql: _Sql, key: LrsKey) -> None:
    """``statements_visible_to`` as SQL on ``s``."""
    if key.owner_id:
        if key.trusted:
            sql.add("(s.person_id = %s OR s.key_id = %s)", key.owner_id, key.pk)
        else:
            sql.add("s.person_id = %s", key.owner_id)
    else:
        sql.add(f"s.key_id IN (SELECT k.id FROM {sql.qn(LrsKey._meta.db_table)} k WHERE k.org_tool = %s)",
                key.org_tool)


def _index_in(sql: _Sql, model: type, column: str, value: str, related: bool) -> None:
    condition = f"s.seq IN (SELECT x.statement_id FROM {sql.qn(model._meta.db_table)} x WHERE x.{column} = %s"
    if related:
        sql.add(condition + ")", value)
    else:
        sql.add(condition + " AND x.related = %s)", value, False)


def _filter_conditions(sql: _Sql, f: StatementFilters, driver: tuple[type, str, str, bool] | None = None) -> None:
    """agent / activity / verb / registration as conditions on ``s`` (the driver's own filter left out)."""
    if f.agent_ifi and (driver is None or driver[0] is not StatementAgent):
        _index_in(sql, StatementAgent, "ifi", f.agent_ifi, f.related_agents)
    if f.activity and (driver is None or driver[0] is not StatementActivity):
        _index_in(sql, StatementActivity, "iri", f.activity, f.related_activities)
    if f.verb:
        sql.add("s.verb_iri = %s", f.verb)
    if f.registration:
        sql.add("s.registration = %s", sql.uuid(f.registration))


def _referencing_seqs(f: StatementFilters) -> list[int]:
    """Statements whose object is a StatementRef to a statement matching ``f``: read from the partial index
    on object_statement (few rows), each checked against its target by its unique id."""
    connection = connections[router.db_for_read(Statement)]
    sql = _Sql(connection)
    statements = sql.qn(Statement._meta.db_table)
    _filter_conditions(sql, f)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.seq FROM {statements} r WHERE r.object_statement IS NOT NULL AND EXISTS "
            f"(SELECT 1 FROM {statements} s WHERE s.id = r.object_statement AND {' AND '.join(sql.where)}) LIMIT %s",
            [*sql.params, REFERENCING_MAX])
        return [seq for (seq,) in cursor.fetchall()]


def _page_sql(*, key: LrsKey, f: StatementFilters, after: tuple[str, int] | None, limit: int,
              driver: tuple[type, str, str, bool] | None, seqs: list[int] | None = None) -> list[StatementRow]:
    """One ordered index range: ``driver`` (model, column, value, related) reads the agent or activity
    index table, whose ``(column, related, stored, statement)`` index yields the page in order, joined to
    the statement by primary key; without a driver the statement table's own indexes serve."""
    connection = connections[router.db_for_read(Statement)]
    sql = _Sql(connection)
    statements = sql.qn(Statement._meta.db_table)
    if driver is not None:
        model, column, value, related = driver
        # SQLite: CROSS JOIN pins the index table as the outer loop (its planner could otherwise start from
        # the statements and sort); PostgreSQL plans the inner join itself.
        join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
        source = f"{sql.qn(model._meta.db_table)} i {join} {statements} s ON s.seq = i.statement_id"
        sql.add(f"i.{column} = %s AND i.related = %s", value, related)
        stored, seq = "i.stored", "i.statement_id"
    else:
        source, stored, seq = f"{statements} s", "s.stored", "s.seq"
    sql.add("NOT s.voided")
    _visibility(sql, key)
    if seqs is not None:
        sql.add(f"s.seq IN ({', '.join(['%s'] * len(seqs))})", *seqs)
    _filter_conditions(sql, f, driver)
    if f.since:
        sql.add(f"{stored} > %s", sql.moment(f.since))
    if f.until:
        sql.add(f"{stored} <= %s", sql.moment(f.until))
    if after is not None:
        stored_after = sql.moment(dt.datetime.fromisoformat(after[0]))
        # The bound on ``stored`` alone makes the position a range of the index; the OR only sorts out
        # statements stored in the same instant.
        op = ">" if f.ascending else "<"
        sql.add(f"{stored} {op}= %s AND ({stored} {op} %s OR {seq} {op} %s)", stored_after, stored_after, after[1])
    direction = "ASC" if f.ascending else "DESC"
    query = (f"SELECT s.seq, s.stored, s.full_json, s.has_attachments FROM {source} "
             f"WHERE {' AND '.join(sql.where)} ORDER BY {stored} {direction}, {seq} {direction} LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(query, [*sql.params, limit])
        rows = cursor.fetchall()
    return [StatementRow(seq_, _moment(stored_), full_json, bool(attachments))
            for seq_, stored_, full_json, attachments in rows]


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite: naive UTC text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _drivers(f: StatementFilters) -> list[tuple[type, str, str, bool] | None]:
    """The ordered index ranges whose union is the answer. ``related_*=true`` reads both ``related`` ranges
    of the index and merges them (a statement has one row per agent or activity, so no duplicates)."""
    if f.agent_ifi:
        return [(StatementAgent, "ifi", f.agent_ifi, related) for related in (False, True)[: 1 + f.related_agents]]
    if f.activity:
        return [(StatementActivity, "iri", f.activity, related)
                for related in (False, True)[: 1 + f.related_activities]]
    return [None]


def statement_query(*, key: LrsKey, filters: StatementFilters, after: tuple[str, int] | None = None
                    ) -> tuple[list[StatementRow], str | None]:
    """Statements matching ``filters`` (voided ones left out), one page, and a ``more`` token or None.

    Statements whose object is a StatementRef to a matching statement match too
    (one level), as the spec asks for every filter except since/until/limit.
    """
    page_size = min(filters.limit or MAX_LIMIT, MAX_LIMIT)
    pages = [_page_sql(key=key, f=filters, after=after, limit=page_size + 1, driver=driver)
             for driver in _drivers(filters)]
    if any((filters.agent_ifi, filters.verb, filters.activity, filters.registration)):
        # Statements pointing at a match are found from the partial index on object_statement (few rows),
        # each checked against its target by primary key, then merged here: an OR in SQL, or an IN over
        # every matching id, would cost a scan or one probe per match.
        referencing_seqs = _referencing_seqs(filters)
        if referencing_seqs:
            unfiltered = StatementFilters(since=filters.since, until=filters.until, ascending=filters.ascending)
            pages.append(_page_sql(key=key, f=unfiltered, after=after, limit=page_size + 1, driver=None,
                                   seqs=referencing_seqs))
    if len(pages) == 1:
        matched = pages[0]
    else:
        merged = {row.seq: row for page in pages for row in page}
        matched = sorted(merged.values(), key=lambda r: (r.stored, r.seq), reverse=not filters.ascending)
    page = matched[: page_size + 1]
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
