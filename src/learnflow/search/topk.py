"""The best few matches of a large, mostly visible set, without scoring every match (SQLite).

`fulltext.search` scores every row that matches and then sorts: one pass, right when the rows a person may search
are few (their journal). The library is the opposite case: almost every resource is published, so a common word
matches most of 100,000 rows, and scoring and sorting all of them to show 20 costs hundreds of milliseconds.

The score is a step function — 1 for a match plus each boosted column's extra weight (fulltext.WEIGHTS) when the
words match inside that column — so the ranking is a short list of tiers (title and summary, title only, summary
only, anywhere else), each ordered newest first, which is exactly `-rank, -pk`. FTS5 walks a MATCH in rowid order
lazily, so `ORDER BY rowid DESC LIMIT n` per tier reads only as many matches as are shown. A tier of boosted columns
must be read to its end before the next one starts (fewer than 20 titles match), so those tiers are read from the
small index of the boosted columns alone, where that end is near. The queryset (visibility and filters) still
decides which candidates are returned; the narrowing tokens (owner, visibility, status, month) keep the candidates a
close superset.
When the queryset's filters reject most candidates (a narrow date range, a rare type), this gives up after a bounded
number of candidates and the caller uses the one-pass search instead.

(Written for the library and journal search in search.selectors; the same shape would sit well in fulltext.py.)
"""
from __future__ import annotations

import json
from itertools import combinations
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from learnflow.search import fulltext

MAX_CANDIDATES = 4_000


def _tiers(table: str, query: str, narrowing: str | None) -> list[tuple[float, str, str]]:
    """(rank, FTS table, MATCH) per tier, best first. The tiers of the boosted columns are read from their own small
    index (fulltext.boost_table); the last tier, "anywhere", from the main index, whose candidates the caller skips
    when an earlier tier already had them."""
    expression = fulltext._fts5_expression(query, table)
    words_part = expression.partition(" : ")[2]
    boosts = [(column, weight - 1.0) for column, weight in zip(fulltext.INDEXED[table],
                                                               fulltext.WEIGHTS.get(table, ())) if weight > 1.0]
    narrowed = [f"({narrowing})"] if narrowing else []

    def within(column: str) -> str:
        return "{" + column + "} : " + words_part

    tiers = []
    boost = fulltext.boost_table(table)
    for size in range(len(boosts), 0, -1):
        for chosen in combinations(boosts, size):
            names = {c for c, _ in chosen}
            match = ("(" + " AND ".join(narrowed + [f"({within(c)})" for c, _ in boosts if c in names]) + ")"
                     + "".join(f" NOT ({within(c)})" for c, _ in boosts if c not in names))
            tiers.append((1.0 + sum(w for _, w in chosen), boost, match))
    tiers.sort(key=lambda t: -t[0])
    tiers.append((1.0, f"{table}_fts", " AND ".join(narrowed + [f"({expression})"])))
    return tiers


def top_matches(qs: QuerySet, query: str, limit: int) -> list[tuple[int, float]] | None:
    """(pk, rank) of the best `limit` rows of `qs` matching `query`, best first, ranked as fulltext.search ranks;
    None when this path does not apply (not SQLite, or the filters are too selective for it)."""
    if connection.vendor != "sqlite" or not fulltext.words(query) or limit <= 0:
        return None
    table = qs.model._meta.db_table
    try:
        tiers = _tiers(table, query, fulltext._narrowing(qs, table))
    except (AttributeError, TypeError, KeyError):  # the full-text module changed shape: use its own search
        return None
    batch = max(2 * limit, 50)
    found: list[tuple[int, float]] = []
    # Every candidate an earlier (boosted) tier read: the last tier reads the main index, where they match again.
    # The last tier is only reached when every earlier one was read to its end, so this set is complete then.
    earlier: set[int] = set()
    scanned = 0
    allowed_of = _allowed_checker(qs)
    with connection.cursor() as cursor:
        for number, (rank, fts, match) in enumerate(tiers):
            last = number == len(tiers) - 1
            below = None
            while len(found) < limit:
                sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
                params: list[Any] = [match]
                if below is not None:
                    sql += " AND rowid < %s"
                    params.append(below)
                cursor.execute(sql + " ORDER BY rowid DESC LIMIT %s", [*params, batch])
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    break
                fresh = [pk for pk in ids if pk not in earlier] if last else ids
                if not last:
                    earlier.update(ids)
                allowed = allowed_of(cursor, fresh) if fresh else set()
                found += [(pk, rank) for pk in fresh if pk in allowed][: limit - len(found)]
                scanned += len(ids)
                if len(ids) < batch:
                    break
                if scanned > MAX_CANDIDATES and len(found) < limit:
                    return None
                below = ids[-1]
                batch = min(batch * 2, 1_000)  # the filters reject many: fewer, larger reads
            if len(found) >= limit:
                break
    return found


def _allowed_checker(qs: QuerySet):
    """A function (cursor, ids) -> the ids `qs` allows. The queryset is compiled to SQL once, with the ids as one
    JSON parameter read by json_each: a visibility queryset costs about a millisecond to clone, filter and compile,
    and a ranked search checks several batches of candidates against it."""
    marker = "[]"
    sql, params = (qs.order_by().filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [marker]))
                   .values_list("pk", flat=True).query.sql_with_params())
    params = list(params)
    at = len(params) - 1 - params[::-1].index(marker)  # the last one: filter() adds its condition after the others

    def allowed(cursor: Any, ids: list[int]) -> set[int]:
        params[at] = json.dumps(ids)
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}

    return allowed


def top_objects(qs: QuerySet, query: str, limit: int) -> list[Any]:
    """The rows themselves (with `.rank`), best first: through `top_matches` where it applies, else
    fulltext.search."""
    ranked = top_matches(qs, query, limit)
    if ranked is None:
        return list(fulltext.search(qs, query)[:limit])
    ranks = dict(ranked)
    rows = {obj.pk: obj for obj in qs.filter(pk__in=list(ranks))}
    out = []
    for pk, rank in ranked:
        obj = rows.get(pk)
        if obj is not None:
            obj.rank = rank
            out.append(obj)
    return out
