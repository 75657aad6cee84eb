"""Benchmark the Learnflow LRS over HTTP: ingest throughput and query latency.

    # against a server you started (learnflow serve, gunicorn …):
    python bench/lrs_bench.py ingest --url http://127.0.0.1:8000/xapi --key KEY:SECRET --clients 1,8 --batches 200
    python bench/lrs_bench.py query  --url http://127.0.0.1:8000/xapi --key KEY:SECRET --requests 200

    # or let the script start a fresh server (gunicorn, 2 workers) on a throw-away database:
    python bench/lrs_bench.py all --spawn sqlite  --seed 1000000
    python bench/lrs_bench.py all --spawn postgres --seed 1000000   # DATABASE_URL for a scratch database

Ingest posts batches of 100 realistic statements (2,000 people, 25 verbs, 5,000 activities,
registrations, parent/grouping context, results) from N concurrent clients, each on its
own keep-alive connection, and checks afterwards that every statement it was told was
stored is there (not one failed request, not one lost statement). Query measures p50/p95
of GET by agent, verb, activity and since (limit 25) with the store already filled.
Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

VERBS = [f"http://adlnet.gov/expapi/verbs/{v}" for v in (
    "experienced", "attended", "attempted", "completed", "passed", "failed", "answered", "interacted",
    "launched", "initialized", "terminated", "progressed", "commented", "shared", "registered", "scored",
    "mastered", "suspended", "resumed", "preferred", "asked", "imported", "exited", "voided-not", "logged-in")]
PEOPLE = 2000
ACTIVITIES = 5000
COURSES = 50


def make_statement(rng: random.Random) -> dict:
    person = rng.randrange(PEOPLE)
    course = rng.randrange(COURSES)
    activity = rng.randrange(ACTIVITIES)
    statement = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {"objectType": "Agent", "name": f"Person {person}", "mbox": f"mailto:person{person}@example.com"},
        "verb": {"id": rng.choice(VERBS), "display": {"en-US": "did"}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.com/activities/{activity}",
                   "definition": {"name": {"en-US": f"Activity {activity}"},
                                  "type": "http://adlnet.gov/expapi/activities/lesson"}},
        "context": {
            "registration": str(uuid.UUID(int=(person * 1000 + course), version=4)),
            "platform": "Example LMS",
            "contextActivities": {
                "parent": [{"id": f"https://lms.example.com/courses/{course}/module/{activity % 10}"}],
                "grouping": [{"id": f"https://lms.example.com/courses/{course}"}],
            },
        },
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - rng.randrange(86400 * 30))),
    }
    if rng.random() < 0.5:
        raw = rng.randrange(101)
        statement["result"] = {"score": {"raw": raw, "min": 0, "max": 100, "scaled": raw / 100},
                               "success": raw >= 60, "completion": True, "duration": f"PT{rng.randrange(3600)}S"}
    return statement


class Client:
    def __init__(self, base_url: str, key: str) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("the benchmark only talks to a server on this machine (loopback)")
        self.host, self.port, self.prefix = parts.hostname, parts.port or 80, parts.path.rstrip("/")
        self.headers = {"Authorization": "Basic " + base64.b64encode(key.encode()).decode(),
                        "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


# ----------------------------------------------------------------------------- CPU accounting (Linux /proc)

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """utime + stime of each process (all its threads), in seconds."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, IndexError, ValueError):
            pass
    return out


class ServerCpu:
    """CPU spent by the app server (a process and its children) and, for PostgreSQL, by the backends serving
    its database; ``delta()`` answers seconds since ``start()``."""

    def __init__(self, pid: int | None, pg_dsn: str | None = None) -> None:
        self.pid, self.pg_dsn = pid, pg_dsn
        self.before: dict[int, float] = {}

    def _pids(self) -> tuple[list[int], list[int]]:
        app = _descendants(self.pid) if self.pid else []
        db: list[int] = []
        if self.pg_dsn:
            out = subprocess.run(["psql", self.pg_dsn, "-Atc",
                                  "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()"], capture_output=True, text=True)
            db = [int(line) for line in out.stdout.split() if line.strip().isdigit()]
        return app, db

    def start(self) -> None:
        app, db = self._pids()
        self.before = _cpu_seconds(app + db)

    def delta(self) -> tuple[float, float]:
        app, db = self._pids()
        now_app, now_db = _cpu_seconds(app), _cpu_seconds(db)
        return (sum(v - self.before.get(p, 0.0) for p, v in now_app.items()),
                sum(v - self.before.get(p, 0.0) for p, v in now_db.items()))


def ingest(url: str, key: str, clients: int, batches: int, batch_size: int, seed: int,
           cpu: ServerCpu | None = None) -> dict:
    rng = random.Random(seed)
    bodies = []
    for _ in range(batches):
        batch = [make_statement(rng) for _ in range(batch_size)]
        bodies.append(([s["id"] for s in batch], json.dumps(batch).encode()))
    failures, stored_ids, lock = [], [], threading.Lock()
    queue = list(enumerate(bodies))

    def worker() -> None:
        client = Client(url, key)
        while True:
            with lock:
                if not queue:
                    return
                _, (ids, body) = queue.pop()
            status, content = client.request("POST", "/statements", body)
            with lock:
                if status == 200 and json.loads(content) == ids:
                    stored_ids.extend(ids)
                else:
                    failures.append((status, content[:200]))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    if cpu:
        cpu.start()
    client_cpu = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    app_cpu, db_cpu = cpu.delta() if cpu else (None, None)
    lost = _count_missing(url, key, stored_ids)
    n = max(len(stored_ids), 1)
    result = {"clients": clients, "statements": len(stored_ids), "seconds": round(elapsed, 2),
              "per_second": round(len(stored_ids) / elapsed), "failed_requests": len(failures), "lost": lost,
              "first_failure": failures[0] if failures else None,
              "client_cpu_us_per_statement": round(client_cpu / n * 1e6)}
    if app_cpu is not None:
        result["server_cpu_us_per_statement"] = round(app_cpu / n * 1e6)
        if cpu and cpu.pg_dsn:
            result["postgres_cpu_us_per_statement"] = round(db_cpu / n * 1e6)
    return result


def _count_missing(url: str, key: str, ids: list[str], sample: int = 0) -> int:
    """Statements answered 200 to their POST but not found afterwards: every one (``sample`` 0), or a sample."""
    client = Client(url, key)
    missing = 0
    for sid in (random.Random(1).sample(ids, min(sample, len(ids))) if sample else ids):
        status, _ = client.request("GET", "/statements?" + urlencode({"statementId": sid, "format": "ids"}))
        missing += status != 200
    return missing


def query(url: str, key: str, requests: int) -> dict:
    rng = random.Random(7)
    client = Client(url, key)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    shapes = {
        "agent": lambda: {"agent": json.dumps({"mbox": f"mailto:person{rng.randrange(PEOPLE)}@example.com"})},
        "verb": lambda: {"verb": rng.choice(VERBS)},
        "activity": lambda: {"activity": f"https://lms.example.com/activities/{rng.randrange(ACTIVITIES)}"},
        "since": lambda: {"since": since},
    }
    out = {}
    for name, make in shapes.items():
        timings = []
        for _ in range(requests):
            params = {**make(), "limit": "25"}
            started = time.perf_counter()
            status, _ = client.request("GET", "/statements?" + urlencode(params))
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"GET {params} answered {status}")
        timings.sort()
        out[name] = {"p50_ms": round(statistics.median(timings), 1),
                     "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1)}
    return out


# ----------------------------------------------------------------------------- spawning a server


def spawn(kind: str, port: int, workers: int = 2, threads: int = 4,
          ) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory(prefix="lrs-bench-")
    env = {**os.environ, "LEARNFLOW_DATA_DIR": tmp.name, "DJANGO_SETTINGS_MODULE": "learnflow.settings"}
    if kind == "sqlite":
        env.pop("DATABASE_URL", None)
    elif not env.get("DATABASE_URL"):
        raise SystemExit("--spawn postgres needs DATABASE_URL pointing at a scratch database")
    python = sys.executable
    subprocess.run([python, "-m", "django", "migrate", "-v0"], env=env, check=True)
    subprocess.run([python, "-m", "django", "createcachetable"], env=env, check=True)
    key = subprocess.run([python, "-m", "django", "lrs_key", "create", "--org", "bench"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "learnflow.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads),
         "--log-level", "warning"], env=env)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/xapi/about")
            break
        except OSError:
            time.sleep(0.2)
    return server, key, tmp


def seed_store(url: str, key: str, total: int, clients: int = 4) -> None:
    done = 0
    while done < total:
        n = min(200, (total - done) // 100 or 1)
        result = ingest(url, key, clients, n, 100, seed=10_000 + done)
        done += result["statements"]
        print(f"  seeded {done}/{total} ({result['per_second']}/s)", file=sys.stderr, flush=True)


def seed_direct(total: int) -> None:
    """Fill the store in-process (the server's DATA_DIR / DATABASE_URL in the environment),
    bypassing HTTP and validation, to reach a million statements in minutes. The rows are
    built by the same code the ingest path uses (indexing.py, services._insert_*)."""
    import datetime as dt

    import django

    django.setup()
    from django.db import connection as db
    from django.db import transaction

    from learnflow.lrs import indexing
    from learnflow.lrs.models import LrsKey, StatementActivity, StatementAgent
    from learnflow.lrs.services import (
        _insert_index_rows,
        _insert_statements,
        authority_for,
        format_stored,
    )

    adapt = db.ops.adapt_datetimefield_value
    key = LrsKey.objects.filter(org_tool="bench").first()
    authority = authority_for(key)
    rng = random.Random(2024)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    done = 0
    while done < total:
        chunk = min(5000, total - done)
        with transaction.atomic():
            for offset in range(0, chunk, 500):
                rows, fulls = [], []
                for i in range(min(500, chunk - offset)):
                    n = done + offset + i
                    stored = start + dt.timedelta(seconds=n * 2.5)
                    full = make_statement(rng)
                    full.update(stored=format_stored(stored), authority=authority, version="1.0.0")
                    object_type, object_iri, _ = indexing.object_key(full)
                    rows.append({
                        "id": uuid.UUID(full["id"]), "stored": stored, "timestamp": stored,
                        "verb_iri": full["verb"]["id"], "actor_ifi": indexing.agent_ifi(full["actor"]),
                        "object_type": object_type, "object_iri": object_iri, "object_statement": None,
                        "registration": uuid.UUID(full["context"]["registration"]), "voided": False,
                        "is_voiding": False, "version": "1.0.0", "key_id": key.pk, "person_id": None,
                        "full_json": json.dumps(full, separators=(",", ":")), "has_attachments": False,
                    })
                    fulls.append(full)
                seqs = _insert_statements(rows)
                agents, activities = [], []
                for row, full in zip(rows, fulls):
                    seq, stored = seqs[row["id"].hex], adapt(row["stored"])
                    agents.extend((seq, ifi, rel, stored) for ifi, rel in indexing.agent_rows(full))
                    activities.extend((seq, iri, rel, stored) for iri, rel in indexing.activity_rows(full))
                _insert_index_rows(StatementAgent, "ifi", agents)
                _insert_index_rows(StatementActivity, "iri", activities)
        done += chunk
        if done % 50000 == 0:
            print(f"  seeded {done}/{total}", file=sys.stderr, flush=True)
    # A bulk load outruns autovacuum: without fresh statistics PostgreSQL guesses that many statements
    # are StatementRefs and scans the table instead of using the partial index.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed_sql(total: int) -> None:
    """Fill the store with ``total`` statements generated inside the database (INSERT … SELECT over a
    number series): minutes instead of the better part of an hour for a million on a loaded machine.
    Rows have the shape the ingest path writes — the statement row, its agent rows (actor, and the
    tool's authority as related) and activity rows (object; parent and grouping as related), ``stored``
    on every index row — for the same 2,000 people, 25 verbs, 5,000 activities and 50 courses as
    make_statement; statements carry no result, and people, verbs and activities are spread by
    multiplicative hashing of the row number rather than drawn at random. ``stored`` runs 3 seconds
    apart and ends now."""
    import django

    django.setup()
    from django.db import connection, transaction

    from learnflow.lrs import indexing
    from learnflow.lrs.models import LrsKey
    from learnflow.lrs.services import authority_for

    key = LrsKey.objects.filter(org_tool="bench").first()
    authority = authority_for(key)
    authority_ifi = indexing.agent_ifi(authority)
    start = int(time.time()) - total * 3
    verbs = ", ".join(f"({i}, '{v}')" for i, v in enumerate(VERBS))
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        series = f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {total - 1})"
        num = "SELECT i, (i * 7919 + 13) % 2000 AS p, ((i / 3) * 104729 + 7) % 5000 AS a, (i * 31 + 3) % 50 AS c, " \
              "((i / 7) * 17 + 5) % 25 AS v FROM n"
        moment = f"strftime('%Y-%m-%d %H:%M:%S', {start} + g.i * 3, 'unixepoch')"
        text_moment = f"strftime('%Y-%m-%dT%H:%M:%S.000Z', {start} + g.i * 3, 'unixepoch')"
        obj, cat = "json_object", "||"
        uuid_hex = "printf('%08x0000400080000000%08x', g.i, g.i)"
        uuid_text = "printf('%08x-0000-4000-8000-0000%08x', g.i, g.i)"
        reg_hex = "printf('%032x', g.p * 1000 + g.c)"
        reg_text = "printf('00000000-0000-0000-0000-%012x', g.p * 1000 + g.c)"
        json_path = "json_extract(s.full_json, '$.context.contextActivities.{}[0].id')"
    else:
        series = ""
        num = f"SELECT i, (i * 7919 + 13) % 2000 AS p, ((i / 3) * 104729 + 7) % 5000 AS a, (i * 31 + 3) % 50 AS c, " \
              f"((i / 7) * 17 + 5) % 25 AS v FROM generate_series(0::bigint, {total - 1}) AS i"
        moment = f"to_timestamp({start} + g.i * 3)"
        text_moment = f"to_char(to_timestamp({start} + g.i * 3) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        obj, cat = "json_build_object", "||"
        uuid_hex = "(lpad(to_hex(g.i), 8, '0') || '0000400080000000' || lpad(to_hex(g.i), 8, '0'))::uuid"
        uuid_text = "lpad(to_hex(g.i), 8, '0') || '-0000-4000-8000-0000' || lpad(to_hex(g.i), 8, '0')"
        reg_hex = "lpad(to_hex(g.p * 1000 + g.c), 32, '0')::uuid"
        reg_text = "'00000000-0000-0000-0000-' || lpad(to_hex(g.p * 1000 + g.c), 12, '0')"
        json_path = "(s.full_json::json->'context'->'contextActivities'->'{}'->0->>'id')"
    mbox = f"'mailto:person' {cat} g.p {cat} '@example.com'"
    activity = f"'https://lms.example.com/activities/' {cat} g.a"
    full_json = (
        f"{obj}('id', {uuid_text}, "
        f"'actor', {obj}('objectType', 'Agent', 'name', 'Person ' {cat} g.p, 'mbox', {mbox}), "
        f"'verb', {obj}('id', verbs.iri, 'display', {obj}('en-US', 'did')), "
        f"'object', {obj}('objectType', 'Activity', 'id', {activity}, 'definition', "
        f"{obj}('name', {obj}('en-US', 'Activity ' {cat} g.a), 'type', 'http://adlnet.gov/expapi/activities/lesson')), "
        f"'context', {obj}('registration', {reg_text}, 'platform', 'Example LMS', 'contextActivities', {obj}("
        f"'parent', json_array({obj}('id', 'https://lms.example.com/courses/' {cat} g.c {cat} '/module/' {cat} (g.a % 10))), "
        f"'grouping', json_array({obj}('id', 'https://lms.example.com/courses/' {cat} g.c)))), "
        f"'timestamp', {text_moment}, 'stored', {text_moment}, "
        f"'authority', {obj}('objectType', 'Agent', 'name', %s, 'account', {obj}('homePage', %s, 'name', %s)), "
        f"'version', '1.0.0')"
    )
    if not sqlite:
        full_json = full_json.replace("json_array(", "json_build_array(")
    false, true = ("0", "1") if sqlite else ("false", "true")
    if sqlite:
        head, verbs_from = f"{series}, verbs(k, iri) AS (VALUES {verbs})", "verbs"
    else:
        head, verbs_from = "", f"(VALUES {verbs}) AS verbs(k, iri)"
    with transaction.atomic(), connection.cursor() as raw_cursor:
        class cursor:  # psycopg wants a literal % (modulo) doubled; SQLite's wrapper leaves a lone % alone
            rowcount = -1

            @staticmethod
            def execute(sql: str, params: list | None = None) -> None:
                if not sqlite:
                    sql = sql.replace("%", "%%").replace("%%s", "%s")
                raw_cursor.execute(sql, params)
                cursor.rowcount = raw_cursor.rowcount

        cursor.execute(
            f"{head} INSERT INTO lrs_statement (id, stored, timestamp, verb_iri, actor_ifi, object_type, object_iri, "
            f"object_statement, registration, voided, is_voiding, version, key_id, person_id, full_json, has_attachments) "
            f"SELECT {uuid_hex}, {moment}, {moment}, verbs.iri, 'mbox:' {cat} {mbox}, 'Activity', {activity}, NULL, "
            f"{reg_hex}, {false}, {false}, '1.0.0', %s, NULL, {full_json}, {false} "
            f"FROM ({num}) g JOIN {verbs_from} ON verbs.k = g.v ORDER BY g.i",
            [key.pk, authority["name"], authority["account"]["homePage"], authority["account"]["name"]],
        )
        print(f"  statements: {cursor.rowcount}", file=sys.stderr, flush=True)
        cursor.execute(f"INSERT INTO lrs_statementagent (statement_id, ifi, related, stored) "
                       f"SELECT seq, actor_ifi, {false}, stored FROM lrs_statement ORDER BY seq")
        cursor.execute(f"INSERT INTO lrs_statementagent (statement_id, ifi, related, stored) "
                       f"SELECT seq, %s, {true}, stored FROM lrs_statement ORDER BY seq", [authority_ifi])
        cursor.execute(f"INSERT INTO lrs_statementactivity (statement_id, iri, related, stored) "
                       f"SELECT seq, object_iri, {false}, stored FROM lrs_statement ORDER BY seq")
        for kind in ("parent", "grouping"):
            cursor.execute(f"INSERT INTO lrs_statementactivity (statement_id, iri, related, stored) "
                           f"SELECT s.seq, {json_path.format(kind)}, {true}, s.stored FROM lrs_statement s ORDER BY s.seq")
        print("  index rows written", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "_seed_direct":
        seed_direct(int(sys.argv[2]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "_seed_sql":
        seed_sql(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("ingest", "query", "all"))
    parser.add_argument("--url", default="http://127.0.0.1:8000/xapi")
    parser.add_argument("--key", help="KEY:SECRET of an org-level LRS key")
    parser.add_argument("--spawn", choices=("sqlite", "postgres"), help="start a fresh server on a scratch database")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (--spawn)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per process (--spawn)")
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--batches", type=int, default=100, help="batches of 100 per ingest run")
    parser.add_argument("--warmup", type=int, default=50,
                        help="batches posted (untimed) first, so the 5,000 activities are known as in steady state")
    parser.add_argument("--seed", type=int, default=0, help="statements to store before the query run")
    parser.add_argument("--requests", type=int, default=200, help="GETs per query shape")
    args = parser.parse_args()

    server = tmp = None
    url, key = args.url, args.key
    if args.spawn:
        server, key, tmp = spawn(args.spawn, args.port, args.workers, args.threads)
        url = f"http://127.0.0.1:{args.port}/xapi"
    if not key:
        raise SystemExit("--key KEY:SECRET (or --spawn) is required")
    try:
        results: dict = {"url": url, "database": args.spawn or "as configured"}
        if args.mode in ("ingest", "all"):
            cpu = ServerCpu(server.pid if server else None,
                            os.environ.get("DATABASE_URL") if args.spawn == "postgres" else None)
            if args.warmup:
                ingest(url, key, 4, args.warmup, 100, seed=99)
            results["ingest"] = [ingest(url, key, int(c), args.batches, 100, seed=int(c), cpu=cpu)
                                 for c in args.clients.split(",")]
        if args.mode in ("query", "all"):
            if args.seed and args.spawn:
                env = {**os.environ, "LEARNFLOW_DATA_DIR": tmp.name, "DJANGO_SETTINGS_MODULE": "learnflow.settings"}
                if args.spawn == "sqlite":
                    env.pop("DATABASE_URL", None)
                started = time.perf_counter()
                subprocess.run([sys.executable, __file__, "_seed_direct", str(args.seed)], env=env, check=True)
                results["seeded"] = {"statements": args.seed, "seconds": round(time.perf_counter() - started)}
            elif args.seed:
                seed_store(url, key, args.seed)
            results["query"] = query(url, key, args.requests)
        print(json.dumps(results, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
