"""Helpers shared by the benchmarks: a fresh data folder, Django set up against it, timing and reporting."""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path
from typing import Callable, Sequence

REPO = Path(__file__).resolve().parents[1]


def data_dir_for(path: str | None, default_name: str) -> Path:
    """The benchmark's own data folder: never the repository's data/ (that holds someone's real journal)."""
    folder = Path(path).expanduser().resolve() if path else Path(tempfile.gettempdir()) / default_name
    if folder == (REPO / "data").resolve() or (REPO / "data").resolve() in folder.parents:
        sys.exit(f"Refusing to benchmark inside {REPO / 'data'}: pass --db with a folder of its own.")
    return folder


def django_setup(data_dir: Path, src: str | None = None) -> None:
    """`src`: another source tree to measure (a checkout with a proposed change applied); default this one."""
    os.environ["LEARNFLOW_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")
    os.environ.pop("LEARNFLOW_DEBUG", None)
    sys.path.insert(0, str(Path(src).resolve() if src else REPO / "src"))
    import django

    django.setup()


class Zipf:
    """Draws items with probability ∝ 1/rank^s: how words (and tags) are spread in real text."""

    def __init__(self, items: Sequence, s: float = 1.07) -> None:
        self.items = list(items)
        self.cum = list(accumulate(1.0 / (rank ** s) for rank in range(1, len(self.items) + 1)))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random, k: int) -> list:
        items, cum, total = self.items, self.cum, self.total
        hi = len(items) - 1
        return [items[min(bisect(cum, rng.random() * total), hi)] for _ in range(k)]


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        if len(ordered) == 1:
            return ordered[0]
        k = (len(ordered) - 1) * p
        lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

    return {"n": len(ordered), "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": ordered[-1],
            "mean": statistics.fmean(ordered)}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def signed_in_client(user):
    """A test Client signed in as `user`, its request handler already started.

    A server process loads its middleware once, at its first request (WhiteNoise then scans every static file: about
    0.2 s). Each test Client has a handler of its own, so without this its first timed request would carry that
    start-up, once per client in the pool: a few per cent of all samples, which is exactly the p95."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get("/healthz")
    return client


def time_requests(request, group: Sequence, *, rng: random.Random, requests: int, warmup: int, label: str = "",
            slowest_sql: int = 0) -> dict:
    """Time `request(client)` for clients drawn from `group`: `warmup` untimed calls, then `requests` timed ones.

    Returns the wall-clock percentiles (ms), requests per second, the CPU time of this process per request (with
    SQLite in-process that is the work itself, without waiting), the number of SQL queries one request makes, and,
    when asked, its `slowest_sql` queries (for --explain)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = request(rng.choice(group))
        assert response.status_code == 200, (label, response.status_code, response.content[:500])
    samples, cpu = [], []
    started = time.perf_counter()
    for _ in range(requests):
        client = rng.choice(group)
        cpu_start = time.process_time()
        samples.append(timed(lambda: request(client)))
        cpu.append((time.process_time() - cpu_start) * 1000.0)
    elapsed = time.perf_counter() - started
    with CaptureQueriesContext(connection) as ctx:
        response = request(rng.choice(group))
    assert response.status_code == 200, (label, response.status_code)
    cpu_pct = percentiles(cpu)
    row = {**percentiles(samples), "rps": len(samples) / elapsed, "queries": len(ctx.captured_queries),
           "cpu_p50": cpu_pct["p50"], "cpu_p95": cpu_pct["p95"]}
    if slowest_sql:
        row["sql"] = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:slowest_sql]
    return row
