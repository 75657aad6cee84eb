"""Full-text search on the database itself: SQLite FTS5 by default, PostgreSQL text search at scale.

Visibility is applied inside the query: callers pass a queryset that is already `visible_to(viewer)` and this
module only narrows and ranks it, so a match the viewer may not see is never read into Python.

Indexes are declared in INDEXED (table → columns) and created by each app's migration through `install`.
SQLite keeps an external-content FTS5 table in step with triggers; PostgreSQL uses a GIN expression index.
"""
from __future__ import annotations

import html
import re
from typing import Any, Iterable

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

INDEXED: dict[str, tuple[str, ...]] = {
    "journal_entry": ("title", "body"),
}
PG_CONFIG = "english"
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


def _pg_document(table: str, alias: str | None = None) -> str:
    prefix = f"{alias or table}."
    weights = "ABCD"
    parts = [f"setweight(to_tsvector('{PG_CONFIG}', coalesce({prefix}{col}, '')), '{weights[min(i, 3)]}')"
             for i, col in enumerate(INDEXED[table])]
    return " || ".join(parts)


def install(schema_editor: Any, table: str) -> None:
    columns = INDEXED[table]
    vendor = schema_editor.connection.vendor
    fts = f"{table}_fts"
    if vendor == "sqlite":
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        statements = [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
            f"tokenize='porter unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]
    elif vendor == "postgresql":
        statements = [f"CREATE INDEX IF NOT EXISTS {fts}_gin ON {table} USING GIN (({_pg_document(table)}))"]
    else:
        statements = []
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(schema_editor: Any, table: str) -> None:
    fts = f"{table}_fts"
    if schema_editor.connection.vendor == "sqlite":
        for sql in (f"DROP TRIGGER IF EXISTS {fts}_ai", f"DROP TRIGGER IF EXISTS {fts}_ad",
                    f"DROP TRIGGER IF EXISTS {fts}_au", f"DROP TABLE IF EXISTS {fts}"):
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {fts}_gin")


def words(query: str) -> list[str]:
    return _WORD.findall(query or "")[:12]


def _fts5_expression(query: str) -> str:
    # Every word quoted (so no FTS syntax gets through from the person's input); the last one as a prefix, so
    # results come while typing.
    tokens = [w.replace('"', "") for w in words(query)]
    if not tokens:
        return ""
    return " ".join(f'"{t}"' for t in tokens[:-1]) + (" " if len(tokens) > 1 else "") + f'"{tokens[-1]}"*'


def search(qs: QuerySet, query: str) -> QuerySet:
    """Narrow `qs` to rows matching `query`, annotated with `rank` (higher is better), best first."""
    table = qs.model._meta.db_table
    if not words(query):
        return qs.none()
    vendor = connection.vendor
    if vendor == "sqlite":
        expr = _fts5_expression(query)
        fts = f"{table}_fts"
        return qs.filter(
            id__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (expr,))
        ).annotate(
            rank=RawSQL(f"(SELECT -bm25({fts}, 10.0, 1.0) FROM {fts} WHERE {fts} MATCH %s AND rowid = {table}.id)",
                        (expr,), output_field=FloatField())
        ).order_by("-rank", "-id")
    if vendor == "postgresql":
        doc = _pg_document(table)
        tsq = f"websearch_to_tsquery('{PG_CONFIG}', %s)"
        return qs.filter(RawSQL(f"({doc}) @@ {tsq}", (query,), output_field=BooleanField())).annotate(
            rank=RawSQL(f"ts_rank(({doc}), {tsq})", (query,), output_field=FloatField())
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
            cursor.execute(
                f"SELECT rowid, snippet({fts}, %s, %s, %s, '…', 24) FROM {fts} "
                f"WHERE {fts} MATCH %s AND rowid IN ({placeholders})",
                [-1, _START, _STOP, _fts5_expression(query), *ids],
            )
        elif connection.vendor == "postgresql":
            col = " || ' — ' || ".join(f"coalesce({c}, '')" for c in INDEXED[table])
            cursor.execute(
                f"SELECT id, ts_headline('{PG_CONFIG}', {col}, websearch_to_tsquery('{PG_CONFIG}', %s), "
                f"%s) FROM {table} WHERE id IN ({placeholders})",
                [query, f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2", *ids],
            )
        else:
            return {}
        return {row[0]: _marked_to_html(row[1] or "") for row in cursor.fetchall()}
