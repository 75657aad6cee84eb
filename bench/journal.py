"""Journal benchmark: generates an organisation and its journals, then times the pages people use every day.

    python bench/journal.py                       # 10,000 people, 1,000,000 entries (issue 2's target)
    python bench/journal.py --small               # 1,000 people, 50,000 entries: a quick run
    python bench/journal.py --reuse               # measure again on the data generated last time
    DATABASE_URL=postgres://… python bench/journal.py --people 2000 --entries 200000

The data goes into its own data folder (--db, default a folder under the system temp directory), never the
repository's data/. The schema comes from the project's migrations; rows are written in big batches (SQLite:
executemany inside one transaction per batch; PostgreSQL: COPY), and the full-text index is filled either by the
triggers (--fts trigger) or by dropping them, loading, and one 'rebuild' (--fts rebuild, the default on SQLite
because it is faster; the triggers are put back afterwards).

Requests go through the real stack (URLs, middleware, sessions, views, templates) with Django's test Client,
each as a signed-in person picked at random from the right group. Targets (issue 2): timeline and own-journal
search p95 ≤ 50 ms, quick capture p95 ≤ 30 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import signed_in_client, time_requests, Zipf, data_dir_for, django_setup, human_bytes, percentiles, timed  # noqa: E402

TARGETS_MS = {"timeline": 50.0, "own search": 50.0, "quick capture": 30.0}

# The most frequent words of a workplace learning journal, roughly by frequency; invented jargon fills the long tail.
COMMON_WORDS = """
learned team how data code review meeting customer process test user design project new better work
using feedback problem time way question tool today colleague first release change system api performance
query error deploy write read book article course video talk conference workshop pairing mentor coach
manager practice habit small step plan goal priority estimate story backlog sprint retro demo incident
postmortem alert monitoring dashboard metric log trace latency cache index database schema migration
postgres sqlite python django javascript css html accessibility keyboard screen reader contrast layout
mobile browser network security password token privacy permission role access audit compliance risk
budget cost invoice contract negotiation sales pitch presentation slide story listening question empathy
conflict decision trade off principle pattern refactor function class module package dependency version
upgrade bug fix regression flaky pipeline build container docker kubernetes cloud server memory cpu disk
queue worker job batch stream event message email chat document wiki onboarding handover knowledge sharing
writing clarity summary outline structure diagram model domain language naming comment docstring typing
lint format style guide checklist template automation script shell terminal git branch merge rebase commit
pull request reviewer approval release notes changelog roadmap strategy vision mission value outcome impact
experiment hypothesis measure result insight analysis spreadsheet chart report forecast trend segment
cohort survey interview research persona journey map workshop facilitation energy focus time boxing delegation
trust safety psychological inclusion diversity hiring interview candidate rubric coaching growth career
promotion skill competency framework certification exam lesson module quiz exercise kata benchmark profile
optimise slow fast index scan join filter sort page limit offset cursor transaction lock deadlock retry
timeout backoff idempotent contract schema validation input output edge case boundary invariant property
""".split()


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(COMMON_WORDS))
    onsets = ["b", "br", "c", "ch", "d", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "r", "s", "st", "t",
              "tr", "v", "w", "z"]
    nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
    codas = ["", "n", "r", "l", "s", "t", "x", "nd", "rk", "st"]
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(onsets) + rng.choice(nuclei) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(codas)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


TAGS = [f"{w}" for w in ("python", "sql", "leadership", "communication", "testing", "security", "design", "data",
                         "ux", "accessibility", "cloud", "sales", "negotiation", "writing", "coaching", "agile",
                         "devops", "ml", "statistics", "finance", "legal", "hiring", "onboarding", "docs")]
SKILLS = ["Python", "SQL", "Public speaking", "Facilitation", "Negotiation", "Data analysis", "Testing",
          "Accessibility", "Product discovery", "People management", "Technical writing", "Security", "Cloud",
          "Customer empathy", "Budgeting", "Statistics", "Leadership", "Design systems", "Coaching", "Hiring"]
WAYS = ["daily_work", "colleagues", "manager_coaching", "professional_networks", "web_search", "reading",
        "video_podcast", "online_course", "classroom", "events", "communities", "experimenting"]
WAY_WEIGHTS = [30, 18, 6, 3, 12, 9, 6, 5, 2, 2, 2, 5]
FIRST = ["Ann", "Tim", "Eve", "Sam", "Lena", "Omar", "Mia", "Noah", "Ines", "Kai", "Yuki", "Ravi", "Zoe", "Luca",
         "Ada", "Ben", "Chloé", "Dev", "Ema", "Finn", "Gita", "Hugo", "Ivy", "Jon"]
LAST = ["Berg", "Costa", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Jansen", "Kowalski", "Lee",
        "Müller", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber"]


# ----------------------------------------------------------------------------------------------------------------
# Generation


class Writer:
    """Bulk rows into one table: executemany on SQLite, COPY on PostgreSQL (the two fastest ordinary ways)."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor

    def rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def stamp(self, value: dt.datetime):
        # Django keeps naive UTC text in SQLite; PostgreSQL takes the aware datetime itself.
        if self.vendor == "postgresql":
            return value
        return value.replace(tzinfo=None).isoformat(" ")

    def day(self, value: dt.date):
        return value if self.vendor == "postgresql" else value.isoformat()

    def uid(self, value: uuid.UUID):
        return value if self.vendor == "postgresql" else value.hex


def generate(args, log) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    rng = random.Random(args.seed)
    writer = Writer(connection)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    today = now.date()
    stats: dict = {}
    t0, cpu0 = time.perf_counter(), time.process_time()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A larger page cache while loading only: the index b-trees are built far faster in memory.
            cursor.execute("PRAGMA cache_size=-1000000")

    # --- Organisation: departments, teams of ~10 with a manager each, managers reporting to department heads.
    people = args.people
    team_size = 10
    n_teams = max(1, math.ceil(people / team_size))
    n_departments = max(1, math.ceil(n_teams / 10))
    password = make_password("bench-password-1")
    teams, users = [], []
    for d in range(n_departments):
        teams.append((d + 1, f"Department {d + 1}", f"department-{d + 1}", "", None))
    for t in range(n_teams):
        teams.append((n_departments + t + 1, f"Team {t + 1}", f"team-{t + 1}", "", t // 10 + 1))
    joined = writer.stamp(now - dt.timedelta(days=800))
    for i in range(people):
        pk = i + 1
        team_index = i // team_size
        team_id = n_departments + team_index + 1
        team_manager = team_index * team_size + 1
        if pk == team_manager:
            head = (team_index // 10) * 10 * team_size + 1  # the first team's manager in each department
            manager_id = None if pk == 1 else (head if head != pk else 1)
            role = "manager"
        else:
            manager_id, role = team_manager, "member"
        if pk == 1:
            role = "admin"
        elif pk % 97 == 0 and role == "member":
            role = "lnd"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        users.append((pk, password, None, role == "admin", f"p{pk:06d}", first, last, f"p{pk:06d}@bench.example",
                      role == "admin", True, joined, role, "", "available", "", "UTC", manager_id, team_id))
    with transaction.atomic():
        writer.rows("org_team", ["id", "name", "slug", "description", "parent_id"], teams)
        writer.rows("org_user", ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                 "last_name", "email", "is_staff", "is_active", "date_joined", "role", "job_title",
                                 "availability", "availability_note", "timezone", "manager_id", "team_id"], users)
        writer.rows("core_tag", ["id", "name"], [(i + 1, name) for i, name in enumerate(TAGS)])
        writer.rows("core_skill", ["id", "name", "description"], [(i + 1, n, "") for i, n in enumerate(SKILLS)])
    stats["org_seconds"] = time.perf_counter() - t0

    # --- How many entries each person has: log-normal, so most have a few dozen and some have thousands.
    weights = [rng.lognormvariate(0, 1.0) for _ in range(people)]
    scale = args.entries / sum(weights)
    counts = [int(w * scale) for w in weights]
    while sum(counts) < args.entries:
        counts[rng.randrange(people)] += 1
    # One entry per (person, day-and-time), sorted by time so ids grow with time as they do in production.
    span_days = 730
    stamps = []
    for author, n in enumerate(counts, start=1):
        for _ in range(n):
            stamps.append((rng.random() ** 0.8, author))  # a little denser towards today
    stamps.sort(reverse=True)

    vocab = vocabulary(args.vocabulary, rng)
    words = Zipf(vocab)
    sentences = [words.draw(rng, rng.randint(6, 16)) for _ in range(20_000)]
    sentences = [" ".join(s).capitalize() + "." for s in sentences]
    tag_zipf, skill_zipf = Zipf(range(1, len(TAGS) + 1)), Zipf(range(1, len(SKILLS) + 1))
    stats["vocabulary"] = vocab

    fts_mode = args.fts if connection.vendor == "sqlite" else "n/a"
    saved_triggers: list[str] = []
    if fts_mode == "rebuild":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name LIKE 'journal_entry_fts_%'")
            saved_triggers = [row[0] for row in cursor.fetchall()]
            for name in ("journal_entry_fts_ai", "journal_entry_fts_ad", "journal_entry_fts_au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    entry_cols = ["id", "title", "body", "way", "learned_on", "minutes", "visibility", "share_note",
                  "reflection_happened", "reflection_learned", "reflection_apply", "reflection_differently", "uid",
                  "created_at", "updated_at", "author_id"]
    batch = args.batch
    entry_rows, tag_rows, skill_rows = [], [], []
    t1 = time.perf_counter()
    pk = 0

    def flush() -> None:
        with transaction.atomic():
            writer.rows("journal_entry", entry_cols, entry_rows)
            writer.rows("journal_entry_tags", ["entry_id", "tag_id"], tag_rows)
            writer.rows("journal_entry_skills", ["entry_id", "skill_id"], skill_rows)
        entry_rows.clear(), tag_rows.clear(), skill_rows.clear()

    for frac, author in reversed(stamps):  # oldest first
        pk += 1
        age = frac * span_days
        created = now - dt.timedelta(days=age, seconds=rng.randrange(86400))
        learned_on = min(created.date(), today)
        title_words = words.draw(rng, rng.randint(3, 9))
        title = " ".join(title_words).capitalize()
        parts = []
        for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4, 5))):
            chunk = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
            style = rng.random()
            if style < 0.15:
                chunk = "- " + chunk.replace(". ", ".\n- ")
            elif style < 0.25:
                first, _, rest = chunk.partition(" ")
                chunk = f"**{first}** {rest}"
            elif style < 0.3:
                chunk = f"`{rng.choice(vocab[:300])}()` — " + chunk
            parts.append(chunk)
        body = "\n\n".join(parts)
        shared = rng.random()
        visibility = ("private" if shared >= 0.10 else "manager" if shared < 0.03 else "team" if shared < 0.07
                      else "organisation")
        note = rng.choice(sentences) if visibility != "private" and rng.random() < 0.5 else ""
        reflect = rng.random() < 0.05
        r = [rng.choice(sentences) if reflect else "" for _ in range(4)]
        way = rng.choices(WAYS, WAY_WEIGHTS)[0]
        minutes = rng.choice((None, None, 5, 10, 15, 30, 45, 60, 90, 120))
        stamp = writer.stamp(created)
        entry_rows.append((pk, title[:200], body, way, writer.day(learned_on), minutes, visibility, note, *r,
                           writer.uid(uuid.UUID(int=rng.getrandbits(128), version=4)), stamp, stamp, author))
        for tag in set(tag_zipf.draw(rng, rng.choice((0, 0, 1, 1, 1, 2, 3)))):
            tag_rows.append((pk, tag))
        for skill in set(skill_zipf.draw(rng, rng.choice((0, 0, 0, 1, 1, 2)))):
            skill_rows.append((pk, skill))
        if len(entry_rows) >= batch:
            flush()
            if pk % (batch * 10) == 0:
                rate = pk / (time.perf_counter() - t1)
                log(f"  {pk:>9,} entries  ({rate:,.0f}/s)")
    flush()
    stats["entries_seconds"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        if fts_mode == "rebuild":
            from learnflow.search import fulltext

            fulltext.rebuild(cursor, "journal_entry")  # the main index and the boosted columns' own
            for sql in saved_triggers:
                cursor.execute(sql)
        if connection.vendor == "postgresql":
            for table in ("org_team", "org_user", "core_tag", "core_skill", "journal_entry"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stats["fts_seconds"] = time.perf_counter() - t2
    stats["fts_mode"] = fts_mode
    stats["total_seconds"] = time.perf_counter() - t0
    stats["cpu_seconds"] = time.process_time() - cpu0
    return stats


# ----------------------------------------------------------------------------------------------------------------
# Measurement


def db_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = Path(settings.DATABASES["default"]["NAME"])
    return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))


def fts_hits(word: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM journal_entry_fts WHERE journal_entry_fts MATCH %s", [f'"{word}"'])
        else:
            cursor.execute("SELECT count(*) FROM journal_entry WHERE to_tsvector('english', title || ' ' || body) "
                           "@@ plainto_tsquery('english', %s)", [word])
        return cursor.fetchone()[0]


def measure(args, meta: dict, log) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from learnflow.org.models import User

    rng = random.Random(args.seed + 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT author_id, count(*) FROM journal_entry GROUP BY author_id")
        counts = dict(cursor.fetchall())
    ordered = sorted(counts.items(), key=lambda kv: kv[1])
    median = ordered[len(ordered) // 2][1]
    typical_ids = [pk for pk, n in ordered if 0.7 * median <= n <= 1.3 * median]
    heavy_ids = [pk for pk, n in ordered[-max(3, len(ordered) // 1000):]]
    log(f"entries per person: median {median}, typical group {len(typical_ids)} people, "
        f"heavy group {len(heavy_ids)} people with {counts[heavy_ids[0]]}–{counts[heavy_ids[-1]]} entries")

    pool = 40

    def clients(ids: list[int]) -> list[Client]:
        chosen = rng.sample(ids, k=min(pool, len(ids)))
        out = []
        for user in User.objects.filter(pk__in=chosen):
            out.append(signed_in_client(user))
        return out

    typical, heavy = clients(typical_ids), clients(heavy_ids)

    vocab = meta["vocabulary"]
    common, medium, rare = vocab[1], vocab[150], vocab[2500]
    two_words = f"{vocab[3]} {vocab[40]}"
    hits = {w: fts_hits(w) for w in (common, medium, rare)}
    log("search words and how many entries (of all) contain them: "
        + ", ".join(f"{w!r} {n:,}" for w, n in hits.items()))

    capture_counter = [0]

    def quick(client: Client):
        capture_counter[0] += 1
        return client.post("/journal/quick/", {"title": f"Bench capture {capture_counter[0]} about {rng.choice(vocab[:500])}",
                                               "way": "daily_work"}, HTTP_HX_REQUEST="true")

    scenarios = [
        ("timeline", "timeline (typical person)", typical, lambda c: c.get("/journal/")),
        ("timeline", "timeline (heavy person)", heavy, lambda c: c.get("/journal/")),
        ("timeline", "timeline page 3 (typical)", typical, lambda c: c.get("/journal/?page=3")),
        ("own search", f"own search common {common!r}", typical, lambda c: c.get("/journal/", {"q": common})),
        ("own search", f"own search medium {medium!r}", typical, lambda c: c.get("/journal/", {"q": medium})),
        ("own search", f"own search rare {rare!r}", typical, lambda c: c.get("/journal/", {"q": rare})),
        ("own search", f"own search two words {two_words!r}", typical,
         lambda c: c.get("/journal/", {"q": two_words})),
        ("own search", f"own search common, heavy {common!r}", heavy, lambda c: c.get("/journal/", {"q": common})),
        ("own search", "own search htmx (typing)", typical,
         lambda c: c.get("/journal/", {"q": vocab[8][:3]}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline-results")),
        ("search", f"/search common {common!r}", typical, lambda c: c.get("/search", {"q": common})),
        ("search", f"/search rare {rare!r}", typical, lambda c: c.get("/search", {"q": rare})),
        ("search", f"/search two words {two_words!r}", typical, lambda c: c.get("/search", {"q": two_words})),
        ("feed", "team feed", typical, lambda c: c.get("/journal/team/")),
        ("feed", "organisation feed", typical, lambda c: c.get("/journal/organisation/")),
        ("quick capture", "quick capture (htmx POST)", typical, quick),
    ]
    if args.only:
        scenarios = [s for s in scenarios if any(o in s[1] for o in args.only)]

    high_water = _high_water()
    results = []
    try:
        for kind, label, group, request in scenarios:
            row = {"kind": kind, "label": label, **time_requests(request, group, rng=rng, requests=args.requests,
                                                           warmup=args.warmup, label=label,
                                                           slowest_sql=3 if args.explain else 0)}
            results.append(row)
            log(format_row(row))
    finally:
        _roll_back_to(high_water)
    return results


def _high_water() -> dict:
    """The highest integer primary key of every table: what the run adds (captures, their events, the xAPI
    statements mirroring them …) is deleted again afterwards, so a --reuse run starts from the same data."""
    from django.apps import apps
    from django.db import connection, models

    marks = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if model._meta.managed and not model._meta.proxy and isinstance(pk, (models.AutoField, models.BigAutoField)):
                table, column = model._meta.db_table, pk.column
                if table == "django_session" or table in marks:
                    continue
                cursor.execute(f'SELECT max("{column}") FROM "{table}"')
                marks[table] = (column, cursor.fetchone()[0] or 0)
    return marks


def _roll_back_to(marks: dict) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table, (column, high) in marks.items():
            cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [high])


def format_row(row: dict) -> str:
    target = TARGETS_MS.get(row["kind"])
    verdict = "" if target is None else ("  ok" if row["p95"] <= target else f"  OVER {target:.0f} ms")
    return (f"{row['label'][:44]:<44} {row['n']:>5} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} "
            f"{row['max']:>7.1f} {row['rps']:>7.1f} {row['queries']:>4} {row['cpu_p50']:>7.1f} {row['cpu_p95']:>7.1f}"
            f"{verdict}")


HEADER = (f"{'scenario':<44} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'req/s':>7} {'SQL':>4} "
          f"{'cpu50':>7} {'cpu95':>7}")


def explain(rows: list[dict], log) -> None:
    from django.db import connection

    for row in rows:
        for q in row.get("sql", []):
            log(f"\n-- {row['label']}: {float(q['time']) * 1000:.1f} ms\n{q['sql'][:600]}")
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                try:
                    cursor.execute(prefix + q["sql"])
                    for line in cursor.fetchall():
                        log("   " + " | ".join(str(x) for x in line))
                except Exception as exc:  # a statement that cannot be explained (e.g. an INSERT on PG) is skipped
                    log(f"   (no plan: {exc.__class__.__name__})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--small", action="store_true", help="1,000 people and 50,000 entries")
    parser.add_argument("--db", help="data folder for the benchmark (default: one under the temp directory)")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure on data generated before, if it is there")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--fts", choices=("rebuild", "trigger"), default="rebuild",
                        help="fill the SQLite full-text index by one rebuild after loading, or row by row")
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--vocabulary", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--only", action="append", help="run only scenarios whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print the slowest SQL of each scenario and its plan")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--src", help="measure another source tree (e.g. a copy with a proposed patch applied)")
    args = parser.parse_args()
    if args.small:
        args.people, args.entries = 1_000, 50_000

    def log(message: str) -> None:
        print(message, flush=True)

    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    folder = data_dir_for(args.db, f"learnflow-bench-{args.people}p-{args.entries}e")
    marker = folder / "bench.json"
    if not args.reuse and folder.exists() and not on_postgres:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    django_setup(folder, args.src)

    from django.core.management import call_command
    from django.db import connection

    import learnflow

    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}; code: {Path(learnflow.__file__).parent}")
    call_command("migrate", verbosity=0)
    meta = json.loads(marker.read_text()) if marker.exists() else None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM journal_entry")
        existing = cursor.fetchone()[0]
    if meta and args.reuse and existing:
        log(f"reusing {existing:,} entries generated in {meta['stats']['total_seconds']:.0f} s")
    else:
        if existing:
            sys.exit("The database already has entries: give a fresh one (or --reuse to measure on them).")
        log(f"generating {args.people:,} people and {args.entries:,} entries (full-text index by "
            f"{args.fts if connection.vendor == 'sqlite' else 'GIN index'}) …")
        stats = generate(args, log)
        meta = {"people": args.people, "entries": args.entries, "vocabulary": stats.pop("vocabulary"),
                "stats": stats}
        marker.write_text(json.dumps(meta))
        log(f"generated in {stats['total_seconds']:.1f} s (organisation {stats['org_seconds']:.1f} s, entries "
            f"{stats['entries_seconds']:.1f} s, full-text index / finish {stats['fts_seconds']:.1f} s; "
            f"{stats['cpu_seconds']:.0f} s of CPU in this process)")
    log(f"database size: {human_bytes(db_size())}")
    if args.generate_only:
        return
    log("\n" + HEADER)
    results = measure(args, meta, log)
    if args.explain:
        explain(results, log)
    failed = [r for r in results if r["kind"] in TARGETS_MS and r["p95"] > TARGETS_MS[r["kind"]]]
    log("\nall targets met" if not failed else f"\n{len(failed)} scenario(s) over target")
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": {k: v for k, v in meta.items() if k != "vocabulary"},
                                               "results": [{k: v for k, v in r.items() if k != "sql"}
                                                           for r in results]}, indent=2))


if __name__ == "__main__":
    main()
