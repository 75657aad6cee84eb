"""Building every person's weekly digest (issue 5): 10,000 people, 100,000 resources, 1,000,000 journal entries.

    .venv/bin/python bench/digests.py                 # the full scale (generation takes a few minutes)
    .venv/bin/python bench/digests.py --scale 0.05    # 500 people, 5,000 resources, 50,000 entries: a quick run
    .venv/bin/python bench/digests.py --reuse --db /tmp/lf-digests   # measure again on data generated before

Generates its own data in a data folder of its own (never the repository's data/): departments of ten teams of ten
with a manager each, every 97th person in L&D; 200 topics in a two-level tree; resources over two years (97%
published, the rest in review or drafts) on one or two topics each, most by curators; journal entries over two
years, 10% shared (3% with the manager, 4% with the team, 3% with the organisation); three goals a person, 15%
shared; each person follows one to five topics (Zipf: popular topics are followed most) and sometimes a curator;
10% chose daily digests, 5% none. Rows go in with executemany (the journal's and library's full-text triggers are
dropped while loading and put back afterwards; the search index is not needed here and is left unfilled).

Then it times `flow.services.digests_build` for everyone due — the scheduled task's code — with the emails rendered
and handed to Django's in-memory mail backend (no network). It prints the total, per-person p50/p95 (each person's
share of their batch's queries plus their own assembly and email rendering), throughput, and the number of SQL
queries. Target: every person's weekly digest ≤ 60 s in total.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Zipf, data_dir_for, django_setup, percentiles  # noqa: E402

FIRST = "Ada Alan Barbara Grace Katherine Linus Margaret Dennis Frances Edsger Radia Ken Anita Tim".split()
LAST = "Lovelace Turing Liskov Hopper Johnson Torvalds Hamilton Ritchie Allen Dijkstra Perlman Thompson".split()
WORDS = ("secure coding review threat model accessibility design system data literacy onboarding feedback coaching "
         "pairing testing refactoring observability incident retrospective mentoring facilitation leadership "
         "delegation python sql kubernetes privacy compliance writing negotiation").split()


def _stamp(vendor: str, value: dt.datetime):
    return value if vendor == "postgresql" else value.replace(tzinfo=None).isoformat(" ")


def _rows(cursor, vendor: str, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    if vendor == "postgresql":
        with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join(["%s"] * len(columns))})', rows)


def generate(args, now: dt.datetime, log) -> None:
    from django.db import connection, transaction

    rng = random.Random(args.seed)
    vendor = connection.vendor
    people, n_resources, n_entries = args.people, args.resources, args.entries
    stamp = lambda value: _stamp(vendor, value)  # noqa: E731
    day = (lambda d: d) if vendor == "postgresql" else (lambda d: d.isoformat())  # noqa: E731
    uid = (lambda: uuid.UUID(int=rng.getrandbits(128), version=4)) if vendor == "postgresql" else \
        (lambda: uuid.UUID(int=rng.getrandbits(128), version=4).hex)  # noqa: E731
    saved_triggers: list[str] = []
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name LIKE '%fts%'")
            for name, sql in cursor.fetchall():
                saved_triggers.append(sql)
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')

    # Organisation: teams of ten with a manager, ten teams a department.
    n_teams = max(1, -(-people // 10))
    n_departments = max(1, -(-n_teams // 10))
    teams = [(d + 1, f"Department {d + 1}", f"department-{d + 1}", "", None) for d in range(n_departments)]
    teams += [(n_departments + t + 1, f"Team {t + 1}", f"team-{t + 1}", "", t // 10 + 1) for t in range(n_teams)]
    users, curators = [], []
    joined = stamp(now - dt.timedelta(days=800))
    for i in range(people):
        pk, team_index = i + 1, i // 10
        team_manager = team_index * 10 + 1
        if pk == team_manager:
            head = (team_index // 10) * 100 + 1
            manager_id, role = (None if pk == 1 else (head if head != pk else 1)), "manager"
        else:
            manager_id, role = team_manager, "member"
        if pk == 1:
            role = "admin"
        elif pk % 97 == 0 and role == "member":
            role = "lnd"
        if role in ("lnd", "admin"):
            curators.append(pk)
        users.append((pk, "!", None, False, f"p{pk:06d}", rng.choice(FIRST), rng.choice(LAST),
                      f"p{pk:06d}@bench.example", False, True, joined, role, "", "available", "", "UTC", manager_id,
                      n_departments + team_index + 1))
    topics = []
    for r in range(20):
        topics.append((r * 10 + 1, f"Topic {r + 1}", f"topic-{r + 1}", None, ""))
        topics += [(r * 10 + c + 1, f"Topic {r + 1}.{c}", f"topic-{r + 1}-{c}", r * 10 + 1, "") for c in range(1, 10)]
    with transaction.atomic(), connection.cursor() as cursor:
        _rows(cursor, vendor, "org_team", ["id", "name", "slug", "description", "parent_id"], teams)
        _rows(cursor, vendor, "org_user", ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                           "last_name", "email", "is_staff", "is_active", "date_joined", "role",
                                           "job_title", "availability", "availability_note", "timezone",
                                           "manager_id", "team_id"], users)
        _rows(cursor, vendor, "curation_topic", ["id", "name", "slug", "parent_id", "description"], topics)
    log(f"  {people:,} people, {len(topics)} topics")

    # Resources over two years, denser towards now; most by curators.
    from learnflow.library.models import Resource, ResourceKind, ResourceStatus

    topic_zipf = Zipf([t[0] for t in topics])
    span = dt.timedelta(days=730)
    batch = []
    links = []
    through = Resource.topics.through
    for pk in range(1, n_resources + 1):
        published = now - span * (rng.random() ** 1.3)
        status = ResourceStatus.PUBLISHED if rng.random() < 0.97 else rng.choice(
            [ResourceStatus.IN_REVIEW, ResourceStatus.DRAFT])
        author = rng.choice(curators) if rng.random() < 0.8 else rng.randint(1, people)
        batch.append(Resource(pk=pk, kind=ResourceKind.LINK, title=" ".join(rng.choices(WORDS, k=6)).capitalize(),
                              summary=" ".join(rng.choices(WORDS, k=25)), url=f"https://example.com/r/{pk}",
                              author_id=author, status=status, curator_note="Worth ten minutes.",
                              published_at=published if status == ResourceStatus.PUBLISHED else None))
        for topic_id in set(topic_zipf.draw(rng, rng.choice((1, 1, 2)))):
            links.append(through(resource_id=pk, topic_id=topic_id))
        if len(batch) >= 5000:
            with transaction.atomic():
                Resource.objects.bulk_create(batch)
                through.objects.bulk_create(links)
            batch, links = [], []
    with transaction.atomic():
        Resource.objects.bulk_create(batch)
        through.objects.bulk_create(links)
    log(f"  {n_resources:,} resources")

    # Journal entries: 10% shared. Bodies are left empty: digests never read them.
    entry_cols = ["id", "title", "body", "way", "learned_on", "minutes", "visibility", "share_note",
                  "reflection_happened", "reflection_learned", "reflection_apply", "reflection_differently", "uid",
                  "created_at", "updated_at", "author_id"]
    rows = []
    for pk in range(1, n_entries + 1):
        created = now - span * (rng.random() ** 0.8)
        shared = rng.random()
        visibility = ("private" if shared >= 0.10 else "manager" if shared < 0.03 else "team" if shared < 0.07
                      else "organisation")
        s = stamp(created)
        rows.append((pk, " ".join(rng.choices(WORDS, k=5)).capitalize(), "", "daily_work", day(created.date()),
                     None, visibility, "Saved me a day." if visibility != "private" else "", "", "", "", "", uid(),
                     s, s, rng.randint(1, people)))
        if len(rows) >= 20_000:
            with transaction.atomic(), connection.cursor() as cursor:
                _rows(cursor, vendor, "journal_entry", entry_cols, rows)
            rows = []
            if pk % 200_000 == 0:
                log(f"  {pk:,} entries")
    with transaction.atomic(), connection.cursor() as cursor:
        _rows(cursor, vendor, "journal_entry", entry_cols, rows)
    log(f"  {n_entries:,} entries")

    # Goals (three a person, 15% shared), follows, and digest choices.
    from learnflow.flow.models import DigestPreference, Follow
    from learnflow.goals.models import Goal

    goals = []
    for pk in range(1, people * 3 + 1):
        updated = now - span * (rng.random() ** 0.8)
        shared = rng.random()
        goals.append(Goal(owner_id=(pk - 1) // 3 + 1, title=" ".join(rng.choices(WORDS, k=4)).capitalize(),
                          target_date=(now + dt.timedelta(days=90)).date(),
                          visibility="private" if shared >= 0.15 else rng.choice(["manager", "team", "organisation"]),
                          uid=uuid.UUID(int=rng.getrandbits(128), version=4)))
    with transaction.atomic():
        Goal.objects.bulk_create(goals, batch_size=5000)
    follows, prefs = [], []
    for pk in range(1, people + 1):
        for topic_id in set(topic_zipf.draw(rng, rng.randint(1, 5))):
            follows.append(Follow(user_id=pk, topic_id=topic_id))
        if rng.random() < 0.3:
            curator = rng.choice(curators)
            if curator != pk:
                follows.append(Follow(user_id=pk, curator_id=curator))
        choice = rng.random()
        if choice < 0.15:
            prefs.append(DigestPreference(user_id=pk, frequency="daily" if choice < 0.10 else "off"))
    with transaction.atomic():
        Follow.objects.bulk_create(follows, batch_size=5000)
        DigestPreference.objects.bulk_create(prefs, batch_size=5000)
    with connection.cursor() as cursor:
        # Goals were saved with updated_at = now (auto_now); spread them like the entries.
        if vendor == "sqlite":
            cursor.execute("UPDATE goals_goal "
                           "SET updated_at = datetime('now', '-' || (abs(random()) % 730) || ' days')")
            for sql in saved_triggers:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("UPDATE goals_goal SET updated_at = now() - (random() * 730) * interval '1 day'")
            for table in ("org_team", "org_user", "curation_topic", "journal_entry", "library_resource"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute("VACUUM ANALYZE")
    log(f"  {len(goals):,} goals, {len(follows):,} follows, {len(prefs):,} digest choices")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (0.05 for a quick run)")
    parser.add_argument("--db", help="data folder (default: a fresh one under $TMPDIR, removed afterwards)")
    parser.add_argument("--reuse", action="store_true", help="measure on data generated before in --db")
    parser.add_argument("--batch", type=int, default=500, help="people per batch (one transaction each)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    args.people = max(20, int(10_000 * args.scale))
    args.resources = max(100, int(100_000 * args.scale))
    args.entries = max(1000, int(1_000_000 * args.scale))

    data_dir = data_dir_for(args.db, f"learnflow-bench-digests-{os.getpid()}")
    if not args.reuse and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    django_setup(data_dir)
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from learnflow.flow.models import Digest, DigestItem, DigestPreference

    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now().replace(microsecond=0)
    if args.reuse and DigestPreference.objects.exists():
        log("reusing the data generated before; forgetting the digests of the last run")
        Digest.objects.all().delete()
        DigestPreference.objects.update(last_sent_at=None)
        DigestPreference.objects.filter(frequency="weekly", feed_id__isnull=True).delete()
    else:
        log(f"generating {args.people:,} people, {args.resources:,} resources, {args.entries:,} entries …")
        t = time.perf_counter()
        generate(args, now, log)
        log(f"generated in {time.perf_counter() - t:.1f} s")

    from learnflow.flow.services import digests_build

    from django.urls import reverse

    reverse("flow:index")  # the URLconf is loaded once per process (a worker has it already): not part of the run
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        run = digests_build(now=now, batch=args.batch, timings=True)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    build = percentiles(run.per_person_ms or [0.0])
    email = percentiles(run.email_ms or [0.0])
    print(f"digests: {args.people:,} people, {args.resources:,} resources, {args.entries:,} entries on "
          f"{connection.vendor}; every digest due (weekly, and daily for the 10% who chose it)")
    print(f"total {wall:.2f} s wall, {cpu:.2f} s CPU   {run.people:,} people due, {run.digests:,} digests, "
          f"{run.items:,} items, {run.emailed:,} emails, {queries[0]:,} SQL queries")
    print(f"per person: build p50 {build['p50']:.2f} ms p95 {build['p95']:.2f} ms; email p50 {email['p50']:.2f} ms "
          f"p95 {email['p95']:.2f} ms   throughput {run.people / wall:,.0f} people/s   target: total ≤ 60 s")
    print(f"items per digest {run.items / max(run.digests, 1):.1f}; DigestItem rows {DigestItem.objects.count():,}")
    if not args.db:
        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
