"""The LRS's hot statements, run on the database driver's own cursor (inside Django's connection, transaction
and error wrapping).

Django's wrappers cost more than the inserts on the ingest path:

* SQLite: the wrapper rewrites ``%s`` to ``?`` with a regular expression on every call (about 4% of a batch for a
  1,600-placeholder INSERT); here the rewrite is done once per SQL text.
* PostgreSQL: Django's psycopg backend binds parameters on the client by default (``ClientCursor``): every element of
  the ``unnest`` arrays was quoted in Python by ``re.sub``, about a third of the app's CPU per statement. Here the
  parameters go to the server as parameters (``psycopg.Cursor``); ``%b`` placeholders send an array in binary. The
  statements are not prepared (``prepare=False``), so a transaction-pooling proxy such as PgBouncer works as with
  Django's own cursors; planning an ``INSERT … SELECT FROM unnest`` costs about a microsecond per statement.

And ``sqlite_write_queue``: the order in which concurrent SQLite writers get in (see its docstring).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler queues the writers
    fcntl = None  # type: ignore[assignment]


def execute(cursor: Any, sql: str, params: Sequence[Any], *, many: bool = False) -> Any:
    """Run ``sql`` (``%s`` placeholders) for the connection of Django cursor ``cursor``; answers the driver cursor
    to fetch the results from. Errors are Django's (``IntegrityError`` and so on), as through the wrapper."""
    connection = cursor.db
    connection.validate_no_broken_transaction()
    if connection.vendor == "sqlite":
        raw = cursor.cursor
        with connection.wrap_database_errors:
            (sqlite3.Cursor.executemany if many else sqlite3.Cursor.execute)(raw, _qmark(sql), params)
        return raw
    if connection.vendor == "postgresql":
        import psycopg

        raw = psycopg.Cursor(connection.connection)
        with connection.wrap_database_errors:
            if many:
                raw.executemany(sql, params)
            else:
                raw.execute(sql, params, prepare=False)
        return raw
    if many:
        cursor.executemany(sql, params)
    else:
        cursor.execute(sql, params)
    return cursor


@functools.lru_cache(maxsize=128)
def _qmark(sql: str) -> str:
    # The SQL given here is built by the LRS apps and holds no literal % or ?.
    return sql.replace("%s", "?")


# ----------------------------------------------------------------------------- SQLite writers queue in the kernel

class FileQueue:
    """An exclusive lock held by one thread of one process at a time, across every process that opens ``path``.

    Waiting threads sleep in the kernel (``flock``) and the next one wakes the moment the lock is released.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()  # flock is per open file: threads of one process queue here first
        self._fd: int | None = None
        self._pid = 0

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            if self._fd is None or self._pid != os.getpid():
                # A forked child must not share its parent's open file: the lock would be theirs together.
                self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_queues: dict[str, FileQueue] = {}
_queues_lock = threading.Lock()


@contextlib.contextmanager
def sqlite_write_queue(connection: Any) -> Iterator[None]:
    """Around a write transaction the caller is about to open on ``connection``: on a SQLite file, writers of every
    app-server process and thread wait their turn here rather than in SQLite.

    SQLite lets one writer in at a time and makes the others poll (its busy handler sleeps 1, 2, 5 … 100 ms between
    tries), so with eight clients posting batches the CPU and the wall clock went to waiting and retrying: 280 µs of
    app CPU per statement against 140 µs with one client, and fewer statements per second with more clients. Queued
    here they go in back to back (docs/LRS.md, Storage design and "Session 5").

    No-op on other databases, on an in-memory database (one process), where ``fcntl`` is missing (Windows), and
    inside a transaction that is already open: that transaction may hold SQLite's write lock while another process
    holds this queue and waits for SQLite, so taking the queue there could only wait for the busy timeout.
    """
    if connection.vendor != "sqlite" or fcntl is None or connection.in_atomic_block or connection.is_in_memory_db():
        yield
        return
    path = f"{connection.settings_dict['NAME']}.write-queue"
    with _queues_lock:
        queue = _queues.get(path) or _queues.setdefault(path, FileQueue(path))
    with queue.hold():
        yield
