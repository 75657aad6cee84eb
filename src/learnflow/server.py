"""The production server behind `learnflow serve`: gunicorn (threads, several processes) on POSIX, waitress on
Windows, plus the background task worker for the database queue."""
from __future__ import annotations

import os
import subprocess
import sys


def worker_command() -> list[str] | None:
    """The task worker for the configured queue: the database queue's db_worker, or an RQ worker (with its scheduler,
    which runs the recurring jobs' delayed runs) when tasks go through Redis. None for the immediate backend."""
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        return [sys.executable, "-m", "django", "db_worker", "--interval", "2"]
    if backend.startswith("django_tasks_rq"):
        return [sys.executable, "-m", "django", "rqworker", "default", "--with-scheduler",
                "--job-class", "django_tasks_rq.backend.Job"]
    return None


def _task_worker() -> subprocess.Popen | None:
    # One worker process next to the web server; at scale operators run workers themselves (see README).
    command = worker_command()
    if command is None:
        return None
    return subprocess.Popen(command, env={**os.environ, "DJANGO_SETTINGS_MODULE": "learnflow.settings"})


def run(*, host: str, port: int, workers: int, threads: int, task_worker: bool) -> None:
    worker = _task_worker() if task_worker else None
    try:
        if os.name == "nt":
            from waitress import serve

            from learnflow.wsgi import application

            serve(application, host=host, port=port, threads=max(4, threads))
            return
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
                self.cfg.set("timeout", 60)
                self.cfg.set("graceful_timeout", 10)
                self.cfg.set("accesslog", os.environ.get("LEARNFLOW_ACCESS_LOG") or None)
                self.cfg.set("forwarded_allow_ips", os.environ.get("LEARNFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1"))

            def load(self):
                from learnflow.wsgi import application

                return application

        Server().run()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
