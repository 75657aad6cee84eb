"""Full-text search on the database itself: SQLite FTS5 by default, PostgreSQL text search at scale.

Visibility is applied inside the query: callers pass a queryset that is already `visible_to(viewer)` and this
module only narrows and ranks it, so a match the viewer may not see is never read into Python.

Indexes are declared in INDEXED (table → columns) and created by each app's migration through `install`.
SQLite keeps an external-content FTS5 table in step with triggers; PostgreSQL uses a GIN expression index.

At scale (a million entries, issue 2's benchmark) the SQLite side is shaped by two facts:

- a common word matches most rows of the whole table, while the rows a person may search are few (their own
  journal, or what is shared with them). So the FTS table also holds, as plain tokens, the columns listed in
  NARROWING (owner and visibility). `search` reads the equality conditions on those columns out of the queryset's
  own WHERE clause and adds them to the MATCH expression, so the index itself returns only the candidates. The
  queryset's conditions still decide what is returned: the narrowing is a superset of them, never a replacement.
- ranking must be one pass: the matches and their scores come from a single FTS query, joined to the queryset
  once, instead of an `IN (…)` list plus one FTS lookup per row for the score; and the score is one that costs
  no more than the narrowed matches (see `_sqlite_search`), not bm25, whose document frequencies cost a read of
  each word's whole posting list.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any, Iterable

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import Col, Expression, RawSQL
from django.db.models.functions import TruncDate
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, LessThan, LessThanOrEqual
from django.db.models.sql.constants import INNER
from django.db.models.sql.where import AND, OR, WhereNode

INDEXED: dict[str, tuple[str, ...]] = {
    "journal_entry": ("title", "body"),
    "library_resource": ("title", "summary", "body", "curator_note"),
}
# Columns whose values are also indexed as tokens (SQLite), so conditions on them narrow a search inside the index.
NARROWING: dict[str, tuple[str, ...]] = {
    "journal_entry": ("author_id", "visibility"),
    "library_resource": ("status", "author_id"),
}
# The date a search can be limited to, also indexed as a token: its month. A date range then narrows inside the index
# like an owner does (an OR of the months it covers), instead of reading matches in id order and rejecting those
# outside the range, which in a journal filled in any order can be most of them.
MONTHS: dict[str, str] = {
    "journal_entry": "learned_on",
    "library_resource": "published_at",
}
_MAX_MONTHS = 36  # a wider range narrows little: leave it to the queryset
# Rank weight per indexed column, in INDEXED order: a match in the title counts ten times one in the body.
WEIGHTS: dict[str, tuple[float, ...]] = {
    "journal_entry": (10.0, 1.0),
    "library_resource": (10.0, 3.0, 1.0, 1.0),
}
# A narrowing value is indexed as a token of its own: "0z", a letter per column, then the value without separators
# ("team" in `visibility` is the token 0zvteam, June 2026 in `learned_on` is 0zl202606). Indexed as the bare value it
# would share its posting list with the word: `{visibility} : "team"` then reads the 887,000 entries that say "team"
# and checks each one's column (45 ms at a million entries), where the token of its own is the 4% of entries shared
# with a team, read without positions. "0z" starts no word anyone searches for, and words() drops any that does, so
# a query typed in the search box never reads these tokens.
_TOKEN_PREFIX = "0z"
# Prefix lengths FTS5 keeps their own posting lists for. Without them a prefix query ("tea*", typed while searching)
# first merges the posting lists of every completion (tea, teach, team, teams, …) into one, which for a common
# prefix is most of the index (0.7 s at a million entries); with them the prefix is read like one word, lazily and
# skipped through in step with the narrowing tokens. Longer prefixes have few completions each.
PREFIX_LENGTHS = (2, 3, 4)
MIN_PREFIX = 2  # a single letter is not yet a search for anything
PG_CONFIG = "english"
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_NARROWING_VALUES = 500


def _pg_document(table: str, alias: str | None = None) -> str:
    prefix = f"{alias or table}."
    weights = "ABCD"
    parts = [f"setweight(to_tsvector('{PG_CONFIG}', coalesce({prefix}{col}, '')), '{weights[min(i, 3)]}')"
             for i, col in enumerate(INDEXED[table])]
    return " || ".join(parts)


def boosted(table: str) -> tuple[str, ...]:
    """The text columns that weigh more than 1 (the title, a resource's summary)."""
    return tuple(c for c, w in zip(INDEXED[table], WEIGHTS.get(table, ())) if w > 1.0)


def _token_columns(table: str) -> tuple[str, ...]:
    return NARROWING.get(table, ()) + ((MONTHS[table],) if table in MONTHS else ())


def _fts_columns(table: str) -> tuple[str, ...]:
    return INDEXED[table] + _token_columns(table)


def _boost_columns(table: str) -> tuple[str, ...]:
    return boosted(table) + _token_columns(table)


def boost_table(table: str) -> str | None:
    """A second, small FTS5 table over the boosted columns alone (SQLite). "Do all the words match in the title" is
    asked of every candidate a ranked search reads; asked of the main index it walks the posting lists of the
    words in title and body together and checks every position's column (24 ms for two common words at a million
    entries), while a title-only index has lists a tenth as long and no column to check."""
    return f"{table}_boost_fts" if boosted(table) else None


def _column_code(column: str) -> str:
    return column[0]


def narrowing_token(column: str, value: Any) -> str:
    """The token a narrowing column's value is indexed as (the same rule as `_token_sql`)."""
    return _TOKEN_PREFIX + _column_code(column) + str(value).replace("_", "")


def month_token(column: str, year: int, month: int) -> str:
    return f"{_TOKEN_PREFIX}{_column_code(column)}{year:04d}{month:02d}"


def _token_sql(table: str, column: str, row: str = "") -> str:
    # The SQL twin of narrowing_token and month_token, used by the triggers and the content view; NULL stays NULL
    # (no token). Dates and datetimes are ISO text in SQLite: the month is characters 1-4 and 6-7.
    prefix = f"'{_TOKEN_PREFIX}{_column_code(column)}'"
    if MONTHS.get(table) == column:
        return f"{prefix} || substr({row}{column}, 1, 4) || substr({row}{column}, 6, 2)"
    return f"{prefix} || replace({row}{column}, '_', '')"


def _indexed_values(table: str, columns: tuple[str, ...], row: str = "") -> list[str]:
    """What is indexed for each FTS column: the text columns as they are, the narrowing columns as tokens."""
    tokens = _token_columns(table)
    return [_token_sql(table, c, row) if c in tokens else f"{row}{c}" for c in columns]


def _content_view(table: str) -> str:
    # FTS5 reads an external-content table's columns for 'rebuild', snippet() and 'delete-all': a view gives it
    # the narrowing tokens as they were indexed, while the table itself keeps plain values. Both FTS tables of a
    # content table read their own columns of the same view.
    return f"{table}_fts_content"


def _fts5_create(table: str, fts: str | None = None, columns: tuple[str, ...] | None = None) -> str:
    prefix = " ".join(str(n) for n in PREFIX_LENGTHS)
    return (f"CREATE VIRTUAL TABLE {fts or table + '_fts'} USING fts5({', '.join(columns or _fts_columns(table))}, "
            f"content='{_content_view(table)}', content_rowid='id', "
            f"tokenize='porter unicode61 remove_diacritics 2', prefix='{prefix}')")


def _fts_tables(table: str) -> list[tuple[str, tuple[str, ...]]]:
    """(FTS table, its columns) for every FTS5 table over `table`: the main index, then the boost index."""
    out = [(f"{table}_fts", _fts_columns(table))]
    boost = boost_table(table)
    if boost:
        out.append((boost, _boost_columns(table)))
    return out


def install(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    fts = f"{table}_fts"
    if vendor == "sqlite":
        all_columns = _fts_columns(table)
        view_columns = ", ".join(f"{value} AS {column}"
                                 for value, column in zip(_indexed_values(table, all_columns), all_columns))
        sources = ", ".join(INDEXED[table] + _token_columns(table))
        inserts, deletes = [], []
        for name, columns in _fts_tables(table):
            cols = ", ".join(columns)
            new = ", ".join(_indexed_values(table, columns, "new."))
            old = ", ".join(_indexed_values(table, columns, "old."))
            inserts.append(f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new});")
            deletes.append(f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old});")
        statements = [
            f"CREATE VIEW {_content_view(table)} AS SELECT id, {view_columns} FROM {table}",
            *[_fts5_create(table, name, columns) for name, columns in _fts_tables(table)],
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {' '.join(inserts)} END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {' '.join(deletes)} END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {sources} ON {table} BEGIN "
            f"{' '.join(deletes)} {' '.join(inserts)} END",
            *[f"INSERT INTO {name}({name}) VALUES ('rebuild')" for name, _ in _fts_tables(table)],
        ]
    elif vendor == "postgresql":
        statements = [f"CREATE INDEX IF NOT EXISTS {fts}_gin ON {table} USING GIN (({_pg_document(table)}))"]
    else:
        statements = []
    for sql in statements:
        schema_editor.execute(sql)


def rebuild(cursor: Any, table: str) -> None:
    """Re-read every FTS5 index of `table` from its content (after a bulk load with the triggers dropped)."""
    for name, _ in _fts_tables(table):
        cursor.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")


def uninstall(schema_editor: Any, table: str) -> None:
    fts = f"{table}_fts"
    if schema_editor.connection.vendor == "sqlite":
        for sql in (f"DROP TRIGGER IF EXISTS {fts}_ai", f"DROP TRIGGER IF EXISTS {fts}_ad",
                    f"DROP TRIGGER IF EXISTS {fts}_au", f"DROP TABLE IF EXISTS {fts}_vocab",
                    f"DROP TABLE IF EXISTS {fts}", f"DROP TABLE IF EXISTS {table}_boost_fts",
                    f"DROP VIEW IF EXISTS {_content_view(table)}"):
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {fts}_gin")


def reinstall(schema_editor: Any, table: str) -> None:
    """Bring an existing index to the current column layout (a no-op when it already has it)."""
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            current = []
            for name, columns in _fts_tables(table):
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
                row = cursor.fetchone()
                current.append(row is not None and row[0] == _fts5_create(table, name, columns))
            if all(current):
                return
    uninstall(schema_editor, table)
    install(schema_editor, table)


def words(query: str) -> list[str]:
    # A word starting like a narrowing token is nobody's word (see _TOKEN_PREFIX).
    return [w for w in _WORD.findall(query or "") if not w.lower().startswith(_TOKEN_PREFIX)][:12]


def _quoted(value: Any) -> str:
    return '"' + str(value).replace('"', '""') + '"'


def _is_indexed_word(table: str, word: str) -> bool:
    """Whether `word` (stemmed, like every word) occurs in the index at all: one lookup of its posting list."""
    fts = f"{table}_fts"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT 1",
                       ["{" + " ".join(INDEXED[table]) + "} : " + _quoted(word)])
        return cursor.fetchone() is not None


def _fts5_expression(query: str, table: str = "journal_entry", exact_when_indexed: bool = True,
                     columns: tuple[str, ...] | None = None) -> str:
    # Every word quoted (so no FTS syntax gets through from the person's input). Only the text columns are
    # searched, never the narrowing tokens.
    #
    # The last word also matches as a prefix, so results come while typing, but only when it is not a word of its
    # own: FTS5 answers a prefix query by first merging the whole posting list of every completion, which for a
    # common word ("team*") is most of the index (80 ms at a million entries), while a word matched as itself is
    # read lazily and skipped through in step with the other conditions (1 ms). A complete word still finds its
    # other forms through the stemmer (team, teams, teamed).
    tokens = [w.replace('"', "") for w in words(query)]
    if not tokens:
        return ""
    last = tokens[-1]
    as_prefix = len(last) >= MIN_PREFIX and (not exact_when_indexed or not _is_indexed_word(table, last))
    phrases = " AND ".join([f'"{t}"' for t in tokens[:-1]] + [f'"{last}"' + ("*" if as_prefix else "")])
    return "{" + " ".join(columns or INDEXED[table]) + "} : (" + phrases + ")"


# --- Narrowing: the queryset's own conditions on NARROWING columns (and on its MONTHS date), as an FTS5 expression
# over their tokens. The result is implied by the WHERE clause (a superset of the rows it allows), or None when
# nothing useful is. The tokens are in no column but their own, so they are matched without a column filter (which
# would make FTS5 read and check every position).


@dataclass
class _Range:
    """Bounds on the MONTHS date column, inclusive, from lookups such as learned_on__gte or published_at__date__lte."""
    low: dt.date | None = None
    high: dt.date | None = None


def _narrowing(qs: QuerySet, table: str) -> str | None:
    if not NARROWING.get(table) and table not in MONTHS:
        return None
    query = qs.query
    found = _narrow_node(query.where, query.get_initial_alias(), table, query.alias_map)
    return _month_expression(table, found) if isinstance(found, _Range) else found


def _narrow_node(node: Any, alias: str, table: str, alias_map: dict) -> str | _Range | None:
    if isinstance(node, WhereNode):
        if node.negated:
            return None
        parts = [_narrow_node(child, alias, table, alias_map) for child in node.children]
        if node.connector == AND:
            ranges = [p for p in parts if isinstance(p, _Range)]
            known = [p for p in parts if isinstance(p, str)]
            if ranges:
                lows = [r.low for r in ranges if r.low is not None]
                highs = [r.high for r in ranges if r.high is not None]
                merged = _Range(max(lows) if lows else None, min(highs) if highs else None)
                if not known:
                    return merged
                months = _month_expression(table, merged)
                known += [months] if months else []
            return None if not known else known[0] if len(known) == 1 else "(" + " AND ".join(known) + ")"
        if node.connector == OR and parts:
            parts = [_month_expression(table, p) if isinstance(p, _Range) else p for p in parts]
            if all(p is not None for p in parts):
                return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        return None
    if isinstance(node, (GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual)):
        return _date_bound(node, alias, table)
    if not isinstance(node, (Exact, In)) or not isinstance(node.lhs, Col):
        return None
    values = [node.rhs] if isinstance(node, Exact) else node.rhs
    if not isinstance(values, (list, tuple, set, frozenset)) or not values or len(values) > _MAX_NARROWING_VALUES:
        return None
    values = [getattr(v, "pk", v) for v in values]
    if not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
        return None
    if node.lhs.alias == alias:
        column = node.lhs.target.column
    else:
        # A condition on a table joined through a narrowing column (the owner's manager or team): the few owners
        # it allows, looked up now, narrow the search just as well.
        column, values = _through_join(node.lhs, values, alias, alias_map)
    if column not in NARROWING.get(table, ()) or not values:
        return None
    return "(" + " OR ".join(_quoted(narrowing_token(column, v)) for v in values) + ")"


def _date_bound(node: Any, alias: str, table: str) -> _Range | None:
    lhs = node.lhs
    if isinstance(lhs, TruncDate):  # published_at__date__gte: the date part of a datetime column
        lhs = lhs.lhs
    if not isinstance(lhs, Col) or lhs.alias != alias or lhs.target.column != MONTHS.get(table):
        return None
    value = node.rhs
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc).date() if value.tzinfo else value.date()
    if not isinstance(value, dt.date):
        return None
    if isinstance(node, (GreaterThan, GreaterThanOrEqual)):
        return _Range(low=value)
    return _Range(high=value)


def _month_expression(table: str, bounds: _Range) -> str | None:
    """The months a date range covers, as an OR of month tokens; None when that would narrow little (an open range
    over an empty table, or more than _MAX_MONTHS months)."""
    column = MONTHS.get(table)
    if column is None:
        return None
    low, high = bounds.low, bounds.high
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # An open end is the oldest or newest date stored (one step down the column's own index), so rows dated
        # anywhere, the future included, stay inside the narrowing.
        for end, fn in (("low", "min"), ("high", "max")):
            if (low if end == "low" else high) is None:
                cursor.execute(f"SELECT {fn}({qn(column)}) FROM {qn(table)}")
                stored = cursor.fetchone()[0]
                if stored is None:
                    return None
                value = dt.date.fromisoformat(str(stored)[:10])
                low, high = (value, high) if end == "low" else (low, value)
    # A day either side: a date in another time zone than UTC (`__date` in the current zone) can be in the
    # neighbouring month of the UTC timestamp the token was made from.
    low, high = low - dt.timedelta(days=1), high + dt.timedelta(days=1)
    if low > high:
        return _quoted(month_token(column, 0, 0))  # an empty range: narrows to nothing
    months = (high.year - low.year) * 12 + high.month - low.month + 1
    if months > _MAX_MONTHS:
        return None
    tokens, year, month = [], low.year, low.month
    for _ in range(months):
        tokens.append(_quoted(month_token(column, year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return "(" + " OR ".join(tokens) + ")"


def _through_join(lhs: Col, values: list, alias: str, alias_map: dict) -> tuple[str | None, list]:
    join = alias_map.get(lhs.alias)
    cols = getattr(join, "join_cols", ())
    if getattr(join, "parent_alias", None) != alias or len(cols) != 1 or getattr(join, "filtered_relation", None):
        return None, []
    local, remote = cols[0]
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(remote)} FROM {qn(join.table_name)} WHERE {qn(lhs.target.column)} IN ({marks}) "
                       f"LIMIT {_MAX_NARROWING_VALUES + 1}", list(values))
        found = [row[0] for row in cursor.fetchall()]
    if len(found) > _MAX_NARROWING_VALUES:
        return None, []
    # No owner at all still narrows: to nothing through this condition ("0" is never an id).
    return local, found or [0]


# --- One-pass ranking: the FTS matches and their scores joined to the queryset as a derived table.


class _MatchJoin:
    """An INNER JOIN of the queryset's table to `(SELECT rowid, score FROM fts WHERE fts MATCH …)`: behaves like
    one of Django's own joins (it is kept by count(), slicing, further filters and prefetches)."""

    join_field = None
    filtered_relation = None
    nullable = False

    def __init__(self, table_name: str, parent_alias: str, table_alias: str | None, fts: str, match: str,
                 boosts: tuple[tuple[float, str], ...], pk_column: str, join_type: str | None = INNER,
                 boost_fts: str | None = None) -> None:
        self.table_name, self.parent_alias, self.table_alias = table_name, parent_alias, table_alias
        self.fts, self.match, self.boosts, self.pk_column, self.join_type = fts, match, boosts, pk_column, join_type
        self.boost_fts = boost_fts or fts

    def as_sql(self, compiler: Any, conn: Any) -> tuple[str, list]:
        qn = compiler.quote_name_unless_alias
        fts = self.fts
        params: list = []
        score = "0"
        # A count (the paginator's) joins the same matches but never reads their rank: leave the scoring out.
        if self._rank_used(compiler.query):
            boost = self.boost_fts
            score = "1.0" + "".join(f" + {weight} * (rowid IN (SELECT rowid FROM {boost} WHERE {boost} MATCH %s))"
                                    for weight, _ in self.boosts)
            params = [boost for _, boost in self.boosts]
        # LIMIT -1 keeps SQLite from flattening the subquery into the join, where it could run one FTS query per row.
        sql = (f"{self.join_type} (SELECT rowid AS hit_id, {score} AS hit_rank FROM {fts} WHERE {fts} MATCH %s "
               f"LIMIT -1) {qn(self.table_alias)} "
               f"ON ({qn(self.table_alias)}.hit_id = {qn(self.parent_alias)}.{conn.ops.quote_name(self.pk_column)})")
        return sql, [*params, self.match]

    def _rank_used(self, query: Any) -> bool:
        names = {name for name, expr in query.annotations.items()
                 if isinstance(expr, _HitRank) and expr.alias == self.table_alias}
        if names & set(query.annotation_select):
            return True
        return any(str(item).lstrip("-") in names for item in query.order_by)

    def relabeled_clone(self, change_map: dict[str, str]) -> "_MatchJoin":
        return _MatchJoin(self.table_name, change_map.get(self.parent_alias, self.parent_alias),
                          change_map.get(self.table_alias, self.table_alias), self.fts, self.match, self.boosts,
                          self.pk_column, self.join_type, self.boost_fts)

    @property
    def identity(self) -> tuple:
        return (self.__class__, self.table_name, self.parent_alias, self.match)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _MatchJoin) and self.identity == other.identity

    def __hash__(self) -> int:
        return hash(self.identity)

    def equals(self, other: object) -> bool:
        return self == other

    def demote(self) -> "_MatchJoin":
        return self

    def promote(self) -> "_MatchJoin":
        return self


class _HitRank(Expression):
    output_field = FloatField()

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias

    def as_sql(self, compiler: Any, conn: Any) -> tuple[str, list]:
        return f"{compiler.quote_name_unless_alias(self.alias)}.hit_rank", []

    def relabeled_clone(self, change_map: dict[str, str]) -> "_HitRank":
        return _HitRank(change_map.get(self.alias, self.alias))

    def get_group_by_cols(self) -> list:
        return [self]


def _sqlite_search(qs: QuerySet, query: str) -> QuerySet:
    """Relevance: 1 for a match, plus each column's extra weight when the words match within that column alone
    (the title: 10), then newest first.

    Not bm25: bm25 needs each word's document frequency, and FTS5 finds it by reading the word's whole posting list
    once per query, which for a common word is most of the index (70 ms at a million entries) even when only a
    handful of the viewer's own entries match. Counting matches per row instead (highlight()) re-reads every
    matched row's text. "Does it match in the title" is one more narrowed FTS query, read once, of the small index
    of the boosted columns (boost_table).
    """
    table = qs.model._meta.db_table
    fts = f"{table}_fts"
    narrowing = _narrowing(qs, table)

    words_part = _fts5_expression(query, table).partition(" : ")[2]  # "(…)", decided once (one lookup)

    def matching(columns: tuple[str, ...] = INDEXED[table]) -> str:
        expression = "{" + " ".join(columns) + "} : " + words_part
        return f"{narrowing} AND {expression}" if narrowing else expression

    weights = WEIGHTS.get(table, ())
    boosts = tuple((weight - 1.0, matching((column,))) for column, weight in zip(INDEXED[table], weights)
                   if weight > 1.0)
    qs = qs.all()
    parent = qs.query.get_initial_alias()
    alias = qs.query.join(_MatchJoin(f"{fts}_hits", parent, None, fts, matching(), boosts, qs.model._meta.pk.column,
                                     boost_fts=boost_table(table)))
    return qs.annotate(rank=_HitRank(alias)).order_by("-rank", "-" + qs.model._meta.pk.attname)


def _pg_tsquery(query: str) -> str:
    """Words only (no tsquery syntax or NUL bytes from the person's input), all required, the last one also as a
    prefix so that results come while typing."""
    tokens = words(query)
    last = f"'{tokens[-1]}'" + (":*" if len(tokens[-1]) >= MIN_PREFIX else "")
    return " & ".join([f"'{w}'" for w in tokens[:-1]] + [last])


def search(qs: QuerySet, query: str) -> QuerySet:
    """Narrow `qs` to rows matching `query`, annotated with `rank` (higher is better), best first."""
    table = qs.model._meta.db_table
    if not words(query):
        return qs.none()
    vendor = connection.vendor
    if vendor == "sqlite":
        return _sqlite_search(qs, query)
    if vendor == "postgresql":
        doc = _pg_document(table)
        tsq = f"to_tsquery('{PG_CONFIG}', %s)"
        expr = _pg_tsquery(query)
        return qs.filter(RawSQL(f"({doc}) @@ {tsq}", (expr,), output_field=BooleanField())).annotate(
            rank=RawSQL(f"ts_rank(({doc}), {tsq})", (expr,), output_field=FloatField())
        ).order_by("-rank", "-id")
    # Any other database: a plain case-insensitive match, unranked.
    from django.db.models import Q

    cond = Q()
    for word in words(query):
        part = Q()
        for col in INDEXED[table]:
            part |= Q(**{f"{col}__icontains": word})
        cond &= part
    return qs.filter(cond).annotate(rank=RawSQL("0", (), output_field=FloatField())).order_by("-id")


def filter_entries(qs: QuerySet, query: str) -> QuerySet:
    return search(qs, query)


def _marked_to_html(text: str) -> str:
    return html.escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")


_CLUSTER_GAP = 2_000  # ids at most this far apart are read as one range: at most that many matches to step over


def _clusters(ids: list[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    groups = [[ordered[0]]]
    for pk in ordered[1:]:
        if pk - groups[-1][-1] <= _CLUSTER_GAP:
            groups[-1].append(pk)
        else:
            groups.append([pk])
    return groups


def highlights(model: Any, ids: Iterable[int], query: str) -> dict[int, str]:
    """HTML-safe snippets with <mark> around the matched words, for rows already found (and visible)."""
    ids = list(ids)
    table = model._meta.db_table
    if not ids or not words(query):
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = f"{table}_fts"
            expression = _fts5_expression(query, table)
            # FTS5 answers `rowid IN (…)` with one MATCH per id, and each sets out again into every word's posting
            # list (0.35 ms an id for two common words). Over a range, `rowid BETWEEN a AND b` is one walk of the
            # matches inside it (the `+` keeps SQLite from turning the IN list back into one query per id). So ids
            # close together are read as one range, and only the ones far from any other one by id.
            arms, params = [], []
            select = f"SELECT rowid, snippet({fts}, -1, %s, %s, '…', 24) FROM {fts} WHERE {fts} MATCH %s AND "
            apart: list[int] = []
            for group in _clusters(ids):
                if len(group) == 1:
                    apart += group
                    continue
                marks = ", ".join(["%s"] * len(group))
                arms.append(select + f"rowid BETWEEN %s AND %s AND +rowid IN ({marks})")
                params += [_START, _STOP, expression, group[0], group[-1], *group]
            if apart:
                arms.append(select + f"rowid IN ({', '.join(['%s'] * len(apart))})")
                params += [_START, _STOP, expression, *apart]
            cursor.execute(" UNION ALL ".join(arms), params)
        elif connection.vendor == "postgresql":
            col = " || ' — ' || ".join(f"coalesce({c}, '')" for c in INDEXED[table])
            cursor.execute(
                f"SELECT id, ts_headline('{PG_CONFIG}', {col}, to_tsquery('{PG_CONFIG}', %s), "
                f"%s) FROM {table} WHERE id IN ({placeholders})",
                [_pg_tsquery(query), f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2", *ids],
            )
        else:
            return {}
        return {row[0]: _marked_to_html(row[1] or "") for row in cursor.fetchall()}
