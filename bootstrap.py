#!/usr/bin/env python3
"""Learnflow's two quick-start commands, using nothing but the Python standard library.

    python3 bootstrap.py start   # virtualenv, install, migrate, demo organisation, serve
    python3 bootstrap.py test    # virtualenv, install, whole test suite (SQLite, then PostgreSQL if reachable)

Both are safe to run again: the virtualenv is reused while pyproject.toml is unchanged, and the demo
organisation is only created once.
"""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import tempfile
import sys
import venv
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LEARNFLOW_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def say(msg: str) -> None:
    print(f"[learnflow] {msg}", flush=True)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Learnflow needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PY.exists():
        say(f"creating virtualenv in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = (ROOT / "pyproject.toml").read_bytes() + extras.encode()
    stamp = VENV / ".learnflow-installed"
    digest = hashlib.sha256(spec).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    say("installing Learnflow and its dependencies (first run only; takes a minute)")
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", target], check=True)
    stamp.write_text(digest)


def learnflow(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "learnflow"), *args], check=True, env=env)


def start(argv: list[str]) -> int:
    ensure_venv("")
    env = dict(os.environ)
    env.setdefault("LEARNFLOW_DATA_DIR", str(ROOT / "data"))
    learnflow("demo", env=env)
    host = env.get("LEARNFLOW_HOST", "127.0.0.1")
    port = env.get("LEARNFLOW_PORT", "8000")
    try:
        learnflow("serve", "--host", host, "--port", port, *argv, env=env)
    except KeyboardInterrupt:
        pass
    return 0


def postgres_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def test(argv: list[str]) -> int:
    ensure_venv("test,redis")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    # Tests never touch the data folder that `start` serves from.
    env.setdefault("LEARNFLOW_DATA_DIR", tempfile.mkdtemp(prefix="learnflow-test-"))
    workers = ["-n", env.get("LEARNFLOW_TEST_WORKERS", "2")]
    say("running the test suite on SQLite")
    sqlite_rc = subprocess.run([str(PY), "-m", "pytest", *workers, *argv], cwd=ROOT, env=env).returncode
    pg_url = os.environ.get("LEARNFLOW_TEST_POSTGRES_URL", DEFAULT_PG)
    if pg_url.lower() in {"", "off", "none"}:
        say("SKIPPED the PostgreSQL run: LEARNFLOW_TEST_POSTGRES_URL is off")
        return sqlite_rc
    if not postgres_reachable(pg_url):
        say(f"SKIPPED the PostgreSQL run: no PostgreSQL server reachable at {urlparse(pg_url).netloc} "
            "(set LEARNFLOW_TEST_POSTGRES_URL to point at one)")
        return sqlite_rc
    say(f"running the test suite on PostgreSQL ({urlparse(pg_url).netloc})")
    env["DATABASE_URL"] = pg_url
    pg_rc = subprocess.run([str(PY), "-m", "pytest", *workers, *argv], cwd=ROOT, env=env).returncode
    return sqlite_rc or pg_rc


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"start", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return start(rest) if command == "start" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
