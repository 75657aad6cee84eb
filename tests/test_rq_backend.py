"""At scale the background tasks go through Redis (RQ): the same tasks, queued by the app and run by an RQ worker.

Runs against the Redis at LEARNFLOW_TEST_REDIS_URL (default 127.0.0.1:6379, database 15, emptied first); skips with
a message where none answers or the `redis` extra is not installed."""
from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import textwrap
from urllib.parse import urlparse

import pytest

REDIS_URL = os.environ.get("LEARNFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("django_tasks_rq") is None,
                       reason="the redis extra is not installed (pip install 'learnflow[redis]')"),
    pytest.mark.skipif(not _redis_reachable(), reason=f"no Redis answers at {REDIS_URL}"),
]


def _run(code: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_tasks_go_through_redis_and_an_rq_worker_runs_them(tmp_path):
    env = {**os.environ, "LEARNFLOW_DATA_DIR": str(tmp_path), "LEARNFLOW_REDIS_URL": REDIS_URL,
           "DJANGO_SETTINGS_MODULE": "learnflow.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("LEARNFLOW_TASKS_BACKEND", None)
    out = _run("""
        import django; django.setup()
        from django.conf import settings
        from django.core.management import call_command
        import django_rq
        call_command("migrate", verbosity=0)
        django_rq.get_connection("default").flushdb()
        from learnflow.server import worker_command
        from learnflow.account.tasks import weekly_goal_nudges_send
        result = weekly_goal_nudges_send.enqueue()
        print(settings.TASKS["default"]["BACKEND"]); print(" ".join(worker_command()[3:5])); print(result.id)
    """, env)
    backend, worker, result_id = out.split("\n")[:3]
    assert backend == "django_tasks_rq.RQBackend"
    assert worker == "rqworker default"

    # The worker exactly as `learnflow serve` starts it, but emptying the queue and stopping (--burst).
    command = _run("import django; django.setup(); from learnflow.server import worker_command; "
                   "print('\\n'.join(worker_command()))", env).split("\n")
    command = [c for c in command if c and c != "--with-scheduler"]
    subprocess.run([*command, "--burst"], env=env, check=True, capture_output=True, timeout=300)
    status = _run(f"""
        import django; django.setup()
        from django_tasks import default_task_backend
        result = default_task_backend.get_result({result_id!r})
        print(result.status)
    """, env)
    assert status.strip().endswith("SUCCESSFUL"), status
