"""Put the same xAPI load on any LRS and print one JSON object: ingest throughput, batch latency,
failed requests, lost statements, and (optionally) query latency. Written to compare Learnflow's
LRS with ADL's Python LRS (see docs/ADL_LRS_COMPARISON.md); it speaks plain xAPI over HTTP Basic.

    python bench/lrs_compare.py --url http://127.0.0.1:8900/xapi --auth USER:PASSWORD \\
        --clients 1,4,8 --batches 30 --version 1.0.3 --query 50

Each client is a thread with its own connection (kept alive if the server keeps it alive; a
server that closes after every response gets a fresh connection per request, never a retry: a
POST is sent once, and whatever answer it gets is what counts). Every client posts --batches
batches of 100 statements (varied actors by mbox and by account, verbs from ADL's vocabulary,
activities with definitions and interactions, context with registration and contextActivities,
results). Statement ids are set by the client, so afterwards the script reads back everything
stored since the run started (paged GET with `since`, following `more`) and counts what was
acknowledged but is missing (lost) and what was stored although its request failed (a batch must
be stored whole or not at all). Every loop is bounded by count and by time; only loopback hosts
are contacted.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlencode, urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")

# ADL's verb vocabulary (http://adlnet.gov/expapi/verbs/…), with the weights a course platform sees:
# many "experienced"/"progressed", fewer completions and assessments.
VERBS = {
    "experienced": 20, "progressed": 12, "attempted": 8, "completed": 8, "answered": 10, "launched": 6,
    "initialized": 6, "terminated": 6, "passed": 4, "failed": 2, "scored": 3, "interacted": 5, "attended": 2,
    "commented": 1, "shared": 1, "registered": 1, "mastered": 1, "suspended": 1, "resumed": 1, "asked": 1,
    "responded": 1, "exited": 1, "preferred": 1, "imported": 1,
}
VERB_NAMES, VERB_WEIGHTS = list(VERBS), list(VERBS.values())
SCORED_VERBS = {"completed", "passed", "failed", "scored", "mastered", "progressed"}
ACTIVITY_TYPES = ["lesson", "module", "media", "assessment", "simulation", "link", "meeting", "performance"]
LANGS = ["en-US", "en-GB", "de-DE", "fr-FR"]
PEOPLE = 1500
COURSES = 40
ACTIVITIES = 3000
PLATFORM_HOME = "https://lms.example.com"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / max by linear interpolation between the nearest ranks."""
    ordered = sorted(samples_ms) or [float("nan")]

    def at(p: float) -> float:
        k = (len(ordered) - 1) * p
        lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

    return {"p50": at(0.50), "p95": at(0.95), "max": ordered[-1]}


def adl_verb(name: str) -> dict:
    return {"id": f"http://adlnet.gov/expapi/verbs/{name}", "display": {"en-US": name}}


def actor_for(person: int) -> dict:
    # Three in five tools identify people by e-mail, the rest by their account on a platform.
    if person % 5 < 3:
        return {"objectType": "Agent", "name": f"Learner {person}", "mbox": f"mailto:learner{person}@example.com"}
    return {"objectType": "Agent", "name": f"Learner {person}",
            "account": {"homePage": "https://sso.example.com", "name": f"u{person:05d}"}}


def activity_for(n: int) -> dict:
    """Activity n, always with the same definition (as a real content package sends it)."""
    course, module = n % COURSES, (n // COURSES) % 8
    iri = f"{PLATFORM_HOME}/courses/{course}/modules/{module}/activities/{n}"
    if n % 6 == 0:
        definition = {
            "name": {"en-US": f"Question {n}"}, "description": {"en-US": f"Knowledge check {n} of course {course}"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice",
            "correctResponsesPattern": ["b"],
            "choices": [{"id": c, "description": {"en-US": f"Option {c.upper()}"}} for c in "abcd"],
        }
    else:
        kind = ACTIVITY_TYPES[n % len(ACTIVITY_TYPES)]
        definition = {"name": {"en-US": f"{kind.title()} {n}", "de-DE": f"{kind.title()} {n} (de)"},
                      "description": {"en-US": f"{kind.title()} {n} in module {module} of course {course}"},
                      "type": f"http://adlnet.gov/expapi/activities/{kind}"}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def activity_iri(n: int) -> str:
    return f"{PLATFORM_HOME}/courses/{n % COURSES}/modules/{(n // COURSES) % 8}/activities/{n}"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_statement(rng: random.Random, now: dt.datetime) -> dict:
    person = rng.randrange(PEOPLE)
    n = rng.randrange(ACTIVITIES)
    course, module = n % COURSES, (n // COURSES) % 8
    verb = rng.choices(VERB_NAMES, VERB_WEIGHTS)[0]
    obj = activity_for(n)
    context: dict = {
        "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{PLATFORM_HOME}/enrolments/{person}/{course}")),
        "platform": "Example LMS",
        "language": rng.choice(LANGS),
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": f"{PLATFORM_HOME}/courses/{course}/modules/{module}"}],
            "grouping": [{"objectType": "Activity", "id": f"{PLATFORM_HOME}/courses/{course}"}],
            "category": [{"objectType": "Activity", "id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
        },
        "extensions": {f"{PLATFORM_HOME}/xapi/extensions/session": f"s-{rng.getrandbits(40):010x}"},
    }
    if rng.random() < 0.1:
        context["instructor"] = actor_for(PEOPLE + rng.randrange(20))
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor_for(person),
        "verb": adl_verb(verb),
        "object": obj,
        "context": context,
        "timestamp": iso(now - dt.timedelta(seconds=rng.randrange(30 * 86400))),
    }
    if verb == "answered" and obj["definition"].get("interactionType") == "choice":
        choice = rng.choice("abcd")
        statement["result"] = {"response": choice, "success": choice == "b", "duration": f"PT{rng.randrange(5, 90)}S"}
    elif verb in SCORED_VERBS:
        raw = rng.randrange(101)
        statement["result"] = {"score": {"raw": raw, "min": 0, "max": 100, "scaled": round(raw / 100, 2)},
                               "success": raw >= 60, "completion": verb != "progressed",
                               "duration": f"PT{rng.randrange(60, 7200)}S"}
    return statement


# ----------------------------------------------------------------------------- HTTP


class Lrs:
    """One client's connection to the LRS under test."""

    def __init__(self, base_url: str, auth: str, version: str, timeout: float, keep_alive: bool = True) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in LOOPBACK:
            raise SystemExit(f"refusing {base_url}: this benchmark only talks to a server on this machine")
        self.host, self.port, self.prefix = parts.hostname, parts.port or 80, parts.path.rstrip("/")
        self.timeout, self.keep_alive = timeout, keep_alive
        self.headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode(),
                        "X-Experience-API-Version": version}
        if not keep_alive:
            self.headers["Connection"] = "close"
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None or not self.keep_alive:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """Exactly one attempt; a broken connection is dropped so the next request opens a new one."""
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        if not path.startswith(self.prefix + "/"):
            path = self.prefix + path
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except BaseException:
            conn.close()
            self.conn = None
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def server_keeps_alive(url: str, auth: str, version: str) -> bool:
    """Two GET /about on one connection: some servers (uWSGI's http-socket) close after every response
    without saying so, and a client must then open a connection per request rather than retry."""
    lrs = Lrs(url, auth, version, timeout=30)
    try:
        for _ in range(2):
            status, _ = lrs.request("GET", "/about")
            if status != 200:
                raise SystemExit(f"GET {url}/about answered {status}")
        return True
    except (ConnectionError, http.client.HTTPException):
        return False
    finally:
        lrs.close()


def about(url: str, auth: str, version: str) -> object:
    lrs = Lrs(url, auth, version, timeout=30, keep_alive=False)
    status, body = lrs.request("GET", "/about")
    return json.loads(body).get("version") if status == 200 else status


# ----------------------------------------------------------------------------- server CPU


def tree_cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user+system, with reaped children) of a server process and all its descendants, from
    /proc (Linux). On a shared machine throughput swings with everything else that runs; CPU spent per
    statement by the application server does not. Database server processes are not included."""
    if pid is None or not os.path.isdir("/proc"):
        return None
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command name: state ppid … utime(12) stime(13) cutime(14) cstime(15), 1-based from state
        stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    wanted, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (ppid, _) in stats.items() if ppid == parent and p not in wanted]
        wanted.update(children)
        frontier.extend(children)
    return sum(stats[p][1] for p in wanted if p in stats) / os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------- ingest


def build_batches(count: int, size: int, seed: int) -> list[tuple[list[str], bytes]]:
    rng, now = random.Random(seed), dt.datetime.now(dt.timezone.utc)
    batches = []
    for _ in range(count):
        statements = [make_statement(rng, now) for _ in range(size)]
        batches.append(([s["id"] for s in statements], json.dumps(statements).encode()))
    return batches


def ingest(args: argparse.Namespace, clients: int, seed: int, keep_alive: bool) -> dict:
    per_client = [build_batches(args.batches, args.batch_size, seed * 1000 + c) for c in range(clients)]
    outcomes: list[dict] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def client(batches: list[tuple[list[str], bytes]]) -> None:
        lrs = Lrs(args.url, args.auth, args.version, args.timeout, keep_alive)
        start_line.wait()
        for ids, body in batches:
            if time.monotonic() > deadline_box[0]:
                with lock:
                    outcomes.append({"ids": ids, "ok": False, "skipped": True})
                continue
            started = time.perf_counter()
            try:
                status, content = lrs.request("POST", "/statements", body)
                error = None
            except TimeoutError:
                status, content, error = None, b"", "timeout"
            except (OSError, http.client.HTTPException) as exc:
                status, content, error = None, b"", type(exc).__name__
            ms = (time.perf_counter() - started) * 1000
            ok = status == 200 and _acknowledged(content) == ids
            reason = None if ok else (error or (str(status) if not 200 <= status < 300 else "ids-not-acknowledged"))
            with lock:
                outcomes.append({"ids": ids, "ok": ok, "ms": ms, "reason": reason,
                                 "detail": None if ok else content[:300].decode("utf-8", "replace")})
        lrs.close()

    threads = [threading.Thread(target=client, args=(batches,), daemon=True) for batches in per_client]
    for t in threads:
        t.start()
    load_before, cpu_before = os.getloadavg()[0], tree_cpu_seconds(args.server_pid)
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    deadline_box.append(time.monotonic() + args.max_seconds)
    started = time.perf_counter()
    start_line.wait()
    for t in threads:
        # a request can outlive the deadline by at most its own timeout
        t.join(timeout=args.max_seconds + args.timeout + 30)
    seconds = time.perf_counter() - started
    load_after, cpu_after = os.getloadavg()[0], tree_cpu_seconds(args.server_pid)

    sent = [o for o in outcomes if not o.get("skipped")]
    acked = [i for o in sent if o["ok"] for i in o["ids"]]
    failed = [o for o in sent if not o["ok"]]
    latency = percentiles([o["ms"] for o in sent]) if sent else None
    run = {
        "clients": clients, "batches_per_client": args.batches, "batches_sent": len(sent),
        "batches_skipped_at_deadline": len(outcomes) - len(sent),
        "statements_acknowledged": len(acked), "seconds": round(seconds, 2),
        "statements_per_second": round(len(acked) / seconds, 1) if seconds else None,
        "batch_ms": {k: round(latency[k], 1) for k in ("p50", "p95", "max")} if latency else None,
        "failed_requests": len(failed),
        "failures_by_reason": dict(Counter(o["reason"] for o in failed)),
        "first_failure": (failed[0]["reason"], failed[0]["detail"]) if failed else None,
        # the machine is shared: the 1-minute load average says how much else was running
        "loadavg_1min": [round(load_before, 1), round(load_after, 1)],
    }
    if cpu_before is not None and cpu_after is not None:
        run["server_cpu_seconds"] = round(cpu_after - cpu_before, 2)
        run["server_cpu_ms_per_statement"] = round((cpu_after - cpu_before) * 1000 / len(acked), 2) if acked else None
    run["verify"] = verify(args, since, acked, [o["ids"] for o in failed], keep_alive)
    return run


def _acknowledged(content: bytes) -> list[str] | None:
    try:
        ids = json.loads(content)
    except ValueError:
        return None
    return [str(i) for i in ids] if isinstance(ids, list) else None


# ----------------------------------------------------------------------------- read-back


def verify(args: argparse.Namespace, since: dt.datetime, acked: list[str], failed_batches: list[list[str]],
           keep_alive: bool) -> dict:
    """Read back every statement stored since the run began (ids only, ascending, following `more`)."""
    lrs = Lrs(args.url, args.auth, args.version, args.timeout, keep_alive)
    expected = len(acked) + sum(len(b) for b in failed_batches)
    max_pages = expected // 10 + 20
    deadline = time.monotonic() + args.verify_seconds
    found: set[str] = set()
    pages, complete = 0, False
    path = "/statements?" + urlencode({"since": iso(since), "ascending": "true", "format": "ids", "limit": 500})
    while pages < max_pages and time.monotonic() < deadline:
        status, content = lrs.request("GET", path)
        pages += 1
        if status != 200:
            return {"complete": False, "error": f"GET {path} answered {status}: {content[:200]!r}"}
        page = json.loads(content)
        found.update(str(s["id"]) for s in page.get("statements", []))
        more = page.get("more") or ""
        if not more or not page.get("statements"):
            complete = True
            break
        path = _more_path(args.url, more)
    lrs.close()
    lost = [i for i in acked if i not in found]
    # ids from failed requests that are stored anyway: a whole batch means "stored but answered an error",
    # part of one means the batch was not atomic
    stored_after_failure = [sum(i in found for i in ids) for ids in failed_batches]
    return {
        "complete": complete, "pages": pages, "statements_read_back": len(found),
        "lost_statements": len(lost) if complete else None, "lost_example": lost[:3] if complete else None,
        "failed_batches_stored_whole": sum(n == len(b) for n, b in zip(stored_after_failure, failed_batches)),
        "failed_batches_stored_partly": sum(0 < n < len(b) for n, b in zip(stored_after_failure, failed_batches)),
        "statements_stored_from_partly_stored_batches": [n for n, b in zip(stored_after_failure, failed_batches)
                                                         if 0 < n < len(b)],
    }


def _more_path(base_url: str, more: str) -> str:
    parts = urlsplit(more)
    if parts.netloc and parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to follow `more` to {more}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/"):
        path = urlsplit(base_url).path.rstrip("/") + "/" + path
    return path


# ----------------------------------------------------------------------------- queries


def query(args: argparse.Namespace, keep_alive: bool) -> dict:
    rng = random.Random(args.seed + 7)
    lrs = Lrs(args.url, args.auth, args.version, args.timeout, keep_alive)
    since = iso(dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=args.since_window))
    shapes = {
        "agent": lambda: {"agent": json.dumps({k: v for k, v in actor_for(rng.randrange(PEOPLE)).items()
                                               if k in ("mbox", "account")})},
        "verb": lambda: {"verb": adl_verb(rng.choices(VERB_NAMES, VERB_WEIGHTS)[0])["id"]},
        "activity": lambda: {"activity": activity_iri(rng.randrange(ACTIVITIES))},
        "since": lambda: {"since": since},
    }
    out = {}
    deadline = time.monotonic() + args.max_seconds
    for name, params in shapes.items():
        timings, statuses = [], Counter()
        for _ in range(args.query):
            if time.monotonic() > deadline:
                break
            path = "/statements?" + urlencode({**params(), "limit": args.query_limit})
            started = time.perf_counter()
            try:
                status, _ = lrs.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            timings.append((time.perf_counter() - started) * 1000)
            statuses[str(status)] += 1
        p = percentiles(timings) if timings else {"p50": None, "p95": None}
        out[name] = {"requests": len(timings), "statuses": dict(statuses),
                     **{f"{k}_ms": None if p[k] is None else round(p[k], 1) for k in ("p50", "p95")}}
    lrs.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the LRS endpoint, e.g. http://127.0.0.1:8900/xapi")
    parser.add_argument("--auth", required=True, help="HTTP Basic credentials KEY:SECRET (or USER:PASSWORD)")
    parser.add_argument("--clients", default="1", help="concurrent clients; a comma list runs one after another")
    parser.add_argument("--batches", type=int, default=20, help="batches each client posts")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--version", default="1.0.3", help="X-Experience-API-Version sent")
    parser.add_argument("--warmup", type=int, default=0, help="batches posted first by one client, not measured")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one request may take")
    parser.add_argument("--max-seconds", type=float, default=900, help="no new batch after this long, per run")
    parser.add_argument("--verify-seconds", type=float, default=900, help="time allowed for reading back a run")
    parser.add_argument("--query", type=int, default=0, help="GETs per query shape (agent, verb, activity, since)")
    parser.add_argument("--query-limit", type=int, default=25)
    parser.add_argument("--since-window", type=float, default=600, help="the `since` query asks for the last N s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-pid", type=int, help="main process of the server under test: report its CPU use")
    parser.add_argument("--label", default="", help="what is being measured, copied into the output")
    args = parser.parse_args()

    keep_alive = server_keeps_alive(args.url, args.auth, args.version)
    result: dict = {"label": args.label, "url": args.url, "version_sent": args.version,
                    "about_versions": about(args.url, args.auth, args.version), "server_keeps_alive": keep_alive,
                    "batch_size": args.batch_size}
    if args.warmup:
        warm = argparse.Namespace(**{**vars(args), "batches": args.warmup})
        result["warmup"] = {k: v for k, v in ingest(warm, 1, args.seed + 999, keep_alive).items()
                            if k in ("statements_acknowledged", "statements_per_second", "failed_requests")}
    result["ingest"] = []
    for run, clients in enumerate(int(c) for c in args.clients.split(",")):
        result["ingest"].append(ingest(args, clients, args.seed + run, keep_alive))
        print(json.dumps(result["ingest"][-1]), file=sys.stderr, flush=True)
    if args.query:
        result["query"] = query(args, keep_alive)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
