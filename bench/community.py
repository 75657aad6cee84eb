"""Community benchmark: generates an organisation with communities of practice and their history, then times the
community page (HTML, as a signed-in member) and a post with its replies.

    python bench/community.py                 # 10,000 people, 200,000 posts/replies/interactions, ~300 communities
    python bench/community.py --scale 0.05    # the same shape at 5%: a quick run
    python bench/community.py --reuse         # measure again on the data generated last time

The data goes into its own data folder (--db, default under the system temp directory), never the repository's
data/. The schema comes from the project's migrations; rows are written in big batches (bench/journal.py's Writer:
executemany on SQLite, COPY on PostgreSQL). Of the `--activity` rows, ~40% are posts, ~50% replies (each reply also
an Interaction for the concierge, as the product records it) and ~10% "useful" reactions. Community sizes and
activity follow a Zipf spread (a few large communities, many small ones); 70% open, 20% closed, 10% hidden.
Each person is a member of 1–8 communities.

Requests go through the real stack with Django's test Client, each as a member picked at random from the
community measured. Target (issue 6): community page p95 ≤ 50 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import signed_in_client, time_requests, Zipf, data_dir_for, django_setup, percentiles, timed  # noqa: E402

TARGET_MS = 50.0
TARGETS = {"community page": TARGET_MS}

WORDS = """query index review deploy incident customer renewal retro workshop feedback coaching accessibility
keyboard contrast schema migration backfill report dashboard onboarding hiring interview roadmap discount pricing
facilitation agenda decision meeting latency cache queue worker test flaky release checklist design story
estimate sprint budget forecast contract negotiation security token privacy audit""".split()
KINDS = ["working_on", "learned", "stuck", "question", "question", "learned"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def generate(args, log) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from journal import FIRST, LAST, Writer

    rng = random.Random(args.seed)
    writer = Writer(connection)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    t0 = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-500000")

    people = args.people
    n_teams = max(1, math.ceil(people / 10))
    password = make_password("bench-password-1")
    joined = writer.stamp(now - dt.timedelta(days=800))
    teams = [(t + 1, f"Team {t + 1}", f"team-{t + 1}", "", None) for t in range(n_teams)]
    users = []
    for i in range(people):
        pk = i + 1
        team_index = i // 10
        manager = team_index * 10 + 1
        role = "admin" if pk == 1 else "manager" if pk == manager else "member"
        users.append((pk, password, None, role == "admin", f"p{pk:06d}", rng.choice(FIRST), rng.choice(LAST),
                      f"p{pk:06d}@bench.example", role == "admin", True, joined, role, "", "available", "", "UTC",
                      None if pk == manager else manager, team_index + 1))
    with transaction.atomic():
        writer.rows("org_team", ["id", "name", "slug", "description", "parent_id"], teams)
        writer.rows("org_user", ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                 "last_name", "email", "is_staff", "is_active", "date_joined", "role", "job_title",
                                 "availability", "availability_note", "timezone", "manager_id", "team_id"], users)

    # --- communities and memberships (Zipf sizes: a few large, many small)
    n_comm = args.communities
    popularity = Zipf(list(range(1, n_comm + 1)), s=0.9)
    members: dict[int, set[int]] = {c: set() for c in range(1, n_comm + 1)}
    for person in range(1, people + 1):
        for c in set(popularity.draw(rng, rng.randint(1, 8))):
            members[c].add(person)
    for c, ms in members.items():
        if not ms:
            ms.add(rng.randint(1, people))
    access_of = {c: ("open" if r < 0.7 else "closed" if r < 0.9 else "hidden")
                 for c, r in ((c, rng.random()) for c in members)}
    membership_rows, mpk = [], 0
    for c, ms in members.items():
        for i, person in enumerate(sorted(ms)):
            mpk += 1
            membership_rows.append((mpk, c, person, "facilitator" if i < 2 else "member",
                                    writer.stamp(now - dt.timedelta(days=rng.randint(1, 700)))))
    # --- activity: posts, replies (+ interactions), reactions, spread by community activity (∝ members)
    n_posts = int(args.activity * 0.4)
    n_replies = int(args.activity * 0.5)
    n_reactions = args.activity - n_posts - n_replies
    weights = [len(members[c]) for c in range(1, n_comm + 1)]
    member_lists = {c: sorted(ms) for c, ms in members.items()}
    sentences = [_sentence(rng, rng.randint(6, 18)) + "." for _ in range(3000)]
    post_community = rng.choices(range(1, n_comm + 1), weights=weights, k=n_posts)
    post_times = sorted(rng.random() ** 0.7 * 700 for _ in range(n_posts))[::-1]  # days ago, oldest first
    post_rows, post_author, post_time = [], {}, {}
    post_counts = {c: 0 for c in members}
    for pk, (c, days) in enumerate(zip(post_community, post_times), start=1):
        author = rng.choice(member_lists[c])
        created = now - dt.timedelta(days=days)
        kind = rng.choice(KINDS)
        title = _sentence(rng, rng.randint(4, 10))[:200] if kind == "question" or rng.random() < 0.5 else ""
        body = "\n\n".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
        post_rows.append([pk, writer.uid(uuid.UUID(int=rng.getrandbits(128), version=4)), c, author, kind, title,
                          body, " ".join(body.split())[:300], None, None, None, 0, None, None, 0, 0, writer.stamp(created), writer.stamp(created)])
        post_author[pk], post_time[pk] = author, created
        post_counts[c] += 1
    reply_rows, interaction_rows = [], []
    replies_of: dict[int, int] = {}
    for rpk in range(1, n_replies + 1):
        post = rng.randint(1, n_posts)
        c = post_community[post - 1]
        author = rng.choice(member_lists[c])
        at = post_time[post] + dt.timedelta(hours=rng.randint(1, 96))
        reply_rows.append((rpk, post, None, author, rng.choice(sentences), 0, writer.stamp(at)))
        replies_of[post] = replies_of.get(post, 0) + 1
        interaction_rows.append((rpk, author, post_author[post], "reply", "", "community.reply", str(rpk),
                                 writer.stamp(at)))
    for post, n in replies_of.items():
        row = post_rows[post - 1]
        row[14] = n
    reaction_rows, seen = [], set()
    useful_posts: dict[int, int] = {}
    while len(reaction_rows) < n_reactions:
        post = rng.randint(1, n_posts)
        user = rng.choice(member_lists[post_community[post - 1]])
        if (user, post) in seen or user == post_author[post]:
            if len(seen) > n_reactions * 3:
                break
            seen.add((user, post))
            continue
        seen.add((user, post))
        reaction_rows.append((len(reaction_rows) + 1, user, post, None, writer.stamp(now)))
        useful_posts[post] = useful_posts.get(post, 0) + 1
    for post, n in useful_posts.items():
        post_rows[post - 1][15] = n
    community_rows = [(c, f"Community {c} of practice", f"community-{c}", _sentence(rng, 20), access_of[c], None,
                       writer.stamp(now - dt.timedelta(days=720)), len(members[c]), post_counts[c]) for c in members]
    batch = 20_000
    with transaction.atomic():
        writer.rows("community_community", ["id", "name", "slug", "description", "access", "created_by_id",
                                            "created_at", "member_count", "post_count"], community_rows)
    for start in range(0, len(membership_rows), batch):
        with transaction.atomic():
            writer.rows("community_membership", ["id", "community_id", "user_id", "role", "joined_at"],
                        membership_rows[start:start + batch])
    post_cols = ["id", "uid", "community_id", "author_id", "kind", "title", "body", "excerpt", "share_id", "resource_id",
                 "discussion_id", "position", "opens_at", "accepted_reply_id", "reply_count", "useful_count",
                 "created_at", "last_activity_at"]
    for start in range(0, len(post_rows), batch):
        with transaction.atomic():
            writer.rows("community_post", post_cols, [tuple(r) for r in post_rows[start:start + batch]])
    for start in range(0, len(reply_rows), batch):
        with transaction.atomic():
            writer.rows("community_reply", ["id", "post_id", "parent_id", "author_id", "body", "useful_count",
                                            "created_at"], reply_rows[start:start + batch])
            writer.rows("concierge_interaction", ["id", "helper_id", "helped_id", "kind", "about", "source_type",
                                                  "source_id", "at"], interaction_rows[start:start + batch])
    for start in range(0, len(reaction_rows), batch):
        with transaction.atomic():
            writer.rows("community_reaction", ["id", "user_id", "post_id", "reply_id", "created_at"],
                        reaction_rows[start:start + batch])
    with connection.cursor() as cursor:
        # Half the questions that got replies have an accepted one: their first reply.
        cursor.execute("UPDATE community_post SET accepted_reply_id = (SELECT min(r.id) FROM community_reply r "
                       "WHERE r.post_id = community_post.id) WHERE kind = 'question' AND reply_count > 0 "
                       "AND id % 2 = 0")
        if connection.vendor == "postgresql":
            for table in ("org_team", "org_user", "community_community", "community_membership", "community_post",
                          "community_reply", "community_reaction", "concierge_interaction"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"seconds": time.perf_counter() - t0, "communities": n_comm, "memberships": len(membership_rows),
            "posts": len(post_rows), "replies": len(reply_rows), "reactions": len(reaction_rows),
            "interactions": len(interaction_rows)}


def measure(args, log) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from learnflow.community.models import Community, Membership, Post
    from learnflow.org.models import User

    rng = random.Random(args.seed + 1)
    by_size = list(Community.objects.order_by("-post_count").values_list("pk", "slug", "post_count", "access"))
    largest = by_size[0]
    typical = by_size[len(by_size) // 2]
    hidden = next((c for c in by_size if c[3] == "hidden"), largest)
    log(f"communities measured: largest {largest[1]} ({largest[2]:,} posts), typical {typical[1]} "
        f"({typical[2]:,} posts), hidden {hidden[1]} ({hidden[2]:,} posts)")

    def members_of(community_id: int, k: int = 30) -> list[Client]:
        ids = list(Membership.objects.filter(community_id=community_id).values_list("user_id", flat=True)[:500])
        out = []
        for user in User.objects.filter(pk__in=rng.sample(ids, k=min(k, len(ids)))):
            out.append(signed_in_client(user))
        return out

    groups = {c[0]: members_of(c[0]) for c in {largest, typical, hidden}}
    # Facilitators see more (requests to join, with their count): a page of its own.
    facilitators = [signed_in_client(u) for u in User.objects.filter(
        pk__in=Membership.objects.filter(community_id=largest[0], role="facilitator").values("user_id"))]
    outsider = next((c for c in by_size if c[3] == "open"), largest)
    outsiders = [signed_in_client(u) for u in User.objects.exclude(
        pk__in=Membership.objects.filter(community_id=outsider[0]).values("user_id")).order_by("pk")[:30]]
    busy_post = Post.objects.filter(community_id=largest[0]).order_by("-reply_count").values_list("pk", flat=True)[0]

    scenarios = [
        ("community page", f"community page, largest ({largest[2]:,} posts)", groups[largest[0]],
         lambda c: c.get(f"/communities/{largest[1]}/")),
        ("community page", "community page, typical", groups[typical[0]], lambda c: c.get(f"/communities/{typical[1]}/")),
        ("community page", "community page, hidden (member)", groups[hidden[0]],
         lambda c: c.get(f"/communities/{hidden[1]}/")),
        ("community page", "community page, largest (facilitator)", facilitators,
         lambda c: c.get(f"/communities/{largest[1]}/")),
        ("community page", "community page, open (not a member)", outsiders,
         lambda c: c.get(f"/communities/{outsider[1]}/")),
        ("community page", "community page 5, largest", groups[largest[0]],
         lambda c: c.get(f"/communities/{largest[1]}/?page=5")),
        ("post", "post with the most replies", groups[largest[0]],
         lambda c: c.get(f"/communities/{largest[1]}/posts/{busy_post}/")),
        ("list", "communities index", groups[typical[0]], lambda c: c.get("/communities/")),
    ]
    if args.only:
        scenarios = [s for s in scenarios if any(o in s[1] for o in args.only)]
    results = []
    for kind, label, group, request in scenarios:
        row = {"kind": kind, "label": label, **time_requests(request, group, rng=rng, requests=args.requests,
                                                       warmup=args.warmup, label=label)}
        results.append(row)
        log(format_row(row))
    return results


def format_row(row: dict) -> str:
    target = TARGETS.get(row["kind"])
    verdict = "" if target is None else ("  ok" if row["p95"] <= target else f"  OVER {target:.0f} ms")
    return (f"{row['label'][:44]:<44} {row['n']:>5} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} "
            f"{row['rps']:>7.1f} {row['queries']:>4} {row['cpu_p50']:>7.1f} {row['cpu_p95']:>7.1f}{verdict}")


HEADER = (f"{'scenario':<44} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7} {'SQL':>4} {'cpu50':>7} "
          f"{'cpu95':>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--activity", type=int, default=200_000, help="posts + replies + reactions")
    parser.add_argument("--communities", type=int, default=300)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply people, activity and communities")
    parser.add_argument("--db", help="data folder for the benchmark (default: one under the temp directory)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--only", action="append")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.scale != 1.0:
        args.people = max(50, int(args.people * args.scale))
        args.activity = max(500, int(args.activity * args.scale))
        args.communities = max(5, int(args.communities * args.scale))

    def log(message: str) -> None:
        print(message, flush=True)

    folder = data_dir_for(args.db, f"learnflow-bench-community-{args.people}p-{args.activity}a")
    if not args.reuse and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    django_setup(folder)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_post")
        existing = cursor.fetchone()[0]
    marker = folder / "bench.json"
    if args.reuse and existing:
        log(f"reusing {existing:,} posts")
    else:
        log(f"generating {args.people:,} people, {args.communities} communities, {args.activity:,} posts/replies/"
            f"reactions …")
        stats = generate(args, log)
        marker.write_text(json.dumps(stats))
        log("generated in {seconds:.1f} s: {communities} communities, {memberships:,} memberships, {posts:,} posts, "
            "{replies:,} replies (+{interactions:,} interactions), {reactions:,} reactions".format(**stats))
    log("\n" + HEADER)
    results = measure(args, log)
    failed = [r for r in results if r["kind"] in TARGETS and r["p95"] > TARGETS[r["kind"]]]
    log("\nall targets met" if not failed else f"\n{len(failed)} scenario(s) over target")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
