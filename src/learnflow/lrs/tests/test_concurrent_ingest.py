"""Many clients posting at once to a real multi-process server on a SQLite file, as `learnflow serve` runs it:
every batch is stored whole, none is refused, and `stored` follows the order in which batches were written.
And the writers' queue those batches wait in, across processes and threads."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from learnflow.lrs.rawsql import FileQueue

fcntl = pytest.importorskip("fcntl", reason="the writers' queue uses flock (POSIX)")


# ----------------------------------------------------------------------------- the queue

HOLDER = """
import sys
from learnflow.lrs.rawsql import FileQueue
with FileQueue(sys.argv[1]).hold():
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def _is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


def test_queue_held_by_another_process_is_not_free_until_it_lets_go(tmp_path):
    path = tmp_path / "db.sqlite3.write-queue"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not _is_free(path)
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert holder.wait(timeout=30) == 0
        assert _is_free(path)
        with FileQueue(str(path)).hold():  # and this process gets it
            assert not _is_free(path)
    finally:
        holder.kill()


def test_queue_lets_one_thread_in_at_a_time(tmp_path):
    queue = FileQueue(str(tmp_path / "q"))
    inside, most, errors = [0], [0], []
    guard = threading.Lock()

    def work() -> None:
        try:
            for _ in range(200):
                with queue.hold():
                    with guard:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                    with guard:
                        inside[0] -= 1
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and most[0] == 1 and inside[0] == 0


def test_queue_is_released_when_the_body_raises(tmp_path):
    path = tmp_path / "q"
    queue = FileQueue(str(path))
    with pytest.raises(RuntimeError):
        with queue.hold():
            raise RuntimeError("the batch failed")
    assert _is_free(path)
    with queue.hold():
        pass


# ----------------------------------------------------------------------------- a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    """gunicorn, 2 processes x 4 threads (what `learnflow serve` runs), on a fresh SQLite file."""
    data = tmp_path_factory.mktemp("lrs-server")
    env = {**os.environ, "LEARNFLOW_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "learnflow.settings"}
    env.pop("DATABASE_URL", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "django", *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout
    run("migrate", "-v0")
    run("createcachetable")
    key = run("lrs_key", "create", "--org", "concurrency").strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "learnflow.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", "2", "--threads", "4", "--log-level", "warning"], env=env,
                              stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):  # up to a minute: gunicorn answers as soon as a worker has loaded the app
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/xapi/about")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("the server did not start: " + server.stderr.read())
                threading.Event().wait(0.2)
        yield port, key, data / "learnflow.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _batch(client: int, batch: int) -> list[dict]:
    return [{
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:person{client}-{i}@example.com", "name": f"Person {client}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"id": f"https://lms.example.com/activities/{batch}-{i}",
                   "definition": {"name": {"en-US": f"Lesson {i}"}}},
        "context": {"registration": str(uuid.uuid4()),
                    "contextActivities": {"parent": [{"id": f"https://lms.example.com/courses/{client}"}]}},
    } for i in range(100)]


def test_eight_clients_at_once_are_all_stored_and_stored_follows_write_order(sqlite_server):
    port, key, db_path = sqlite_server
    headers = {"Authorization": "Basic " + base64.b64encode(key.encode()).decode(),
               "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    answers: list[tuple[int, list[str], bytes]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for b in range(6):
            batch = _batch(n, b)
            conn.request("POST", "/xapi/statements", body=json.dumps(batch), headers=headers)
            response = conn.getresponse()
            with lock:
                answers.append((response.status, [s["id"] for s in batch], response.read()))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [status for status, _, _ in answers] == [200] * 48, [body[:200] for s, _, body in answers if s != 200]
    assert all(json.loads(body) == ids for _, ids, body in answers)
    with sqlite3.connect(db_path) as db:
        stored = [row[0] for row in db.execute("SELECT stored FROM lrs_statement ORDER BY seq")]
        ids = {row[0] for row in db.execute("SELECT id FROM lrs_statement")}
    assert ids == {uuid.UUID(i).hex for _, batch_ids, _ in answers for i in batch_ids}
    # Each batch is stamped inside the writers' queue, so a later write never carries an earlier time.
    assert stored == sorted(stored)
