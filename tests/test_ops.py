"""Backup, restore and the configuration check.

Backup and restore run the real `learnflow` command in a subprocess against a data folder of their own (the most
honest test: the same settings an operator gets), while this process writes to the same database."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from io import BytesIO
from pathlib import Path

import pytest

from learnflow import ops

pytestmark = pytest.mark.django_db

SEED = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")
django.setup()
from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from learnflow.org.services import user_create, team_create
from learnflow.journal.services import entry_create, attachment_add
call_command("migrate", interactive=False, verbosity=0)
ann = user_create(username="ann", password=None, team=team_create(name="Engineering"))
entries = [entry_create(author=ann, title=f"Learning {i}") for i in range(20)]
attachment_add(entry=entries[0], actor=ann,
               upload=SimpleUploadedFile("notes.txt", b"evidence of learning", content_type="text/plain"))
"""

INSPECT = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")
django.setup()
from learnflow.org.models import User, Team
from learnflow.journal.models import Entry, EntryAttachment
attachment = EntryAttachment.objects.get()
print(json.dumps({"people": list(User.objects.values_list("username", flat=True)),
                  "entries": Entry.objects.count(), "teams": sorted(Team.objects.values_list("name", flat=True)),
                  "attachment": attachment.file.read().decode()}))
"""


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    # SQLite in the given data folder unless a test passes DATABASE_URL itself.
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LEARNFLOW_SECRET_KEY")}
    environment.update(LEARNFLOW_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="learnflow.settings", **env)
    return subprocess.run(args, env=environment, capture_output=True, text=True, timeout=600)


def learnflow(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "learnflow.cli", *args], data_dir, **env)


def python(code: str, data_dir: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", code], data_dir)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("source")
    result = python(SEED, data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def _team_insert(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("INSERT INTO org_team (name, slug, description) VALUES (?, ?, '')", (name, name))


def _rows(db: Path, sql: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_backup_while_a_write_transaction_is_open_holds_committed_data_only(source, tmp_path):
    writer = sqlite3.connect(source / "learnflow.sqlite3", isolation_level=None, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    _team_insert(writer, "Uncommitted")
    try:
        result = learnflow("backup", str(tmp_path / "b.tar.gz"), data_dir=source)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert result.returncode == 0, result.stderr
    ops.backup_restore(source=tmp_path / "b.tar.gz", data_dir=tmp_path / "restored", database_url="")
    teams = [name for (name,) in _rows(tmp_path / "restored" / "learnflow.sqlite3", "SELECT name FROM org_team")]
    assert "Engineering" in teams and "Uncommitted" not in teams


def test_backup_while_rows_are_being_written_is_a_consistent_snapshot(source, tmp_path):
    started, stop, committed = threading.Event(), threading.Event(), []
    errors: list[Exception] = []

    def write_rows() -> None:
        conn = sqlite3.connect(source / "learnflow.sqlite3", isolation_level=None, timeout=30)
        try:
            while not stop.is_set():
                name = f"Stream {len(committed) + 1:06d}"
                conn.execute("BEGIN IMMEDIATE")
                _team_insert(conn, name)
                conn.execute("COMMIT")
                committed.append(name)
                started.set()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
            started.set()
        finally:
            conn.close()

    thread = threading.Thread(target=write_rows)
    thread.start()
    started.wait()
    before = len(committed)
    try:
        result = learnflow("backup", str(tmp_path / "b.tar.gz"), data_dir=source)
    finally:
        stop.set()
        thread.join()

    assert result.returncode == 0 and not errors, (result.stderr, errors)
    ops.backup_restore(source=tmp_path / "b.tar.gz", data_dir=tmp_path / "restored", database_url="")
    db = tmp_path / "restored" / "learnflow.sqlite3"
    streamed = [n for (n,) in _rows(db, "SELECT name FROM org_team WHERE name LIKE 'Stream %' ORDER BY name")]
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    # Everything committed before the backup began is in it, and what is in it is an unbroken prefix of the writes.
    assert len(streamed) >= before
    assert streamed == committed[:len(streamed)]


def test_restore_by_the_command_brings_back_people_entries_files_and_key(source, tmp_path):
    backup = learnflow("backup", str(tmp_path / "b.tar.gz"), data_dir=source)
    assert backup.returncode == 0, backup.stderr
    assert "b.tar.gz" in backup.stdout and "entries" in backup.stdout

    restored = tmp_path / "restored"
    result = learnflow("restore", str(tmp_path / "b.tar.gz"), data_dir=restored)

    assert result.returncode == 0, result.stderr
    inspect = python(INSPECT, restored)
    assert inspect.returncode == 0, inspect.stderr
    state = json.loads(inspect.stdout)
    assert (state["people"], state["entries"], state["attachment"]) == (["ann"], 20, "evidence of learning")
    assert (restored / "secret_key").read_text() == (source / "secret_key").read_text()


def test_backup_archive_is_readable_by_its_owner_only_and_has_a_manifest(source, tmp_path):
    result = learnflow("backup", str(tmp_path / "b.tar.gz"), data_dir=source)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b.tar.gz").stat().st_mode & 0o077 == 0
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["counts"]["entries"] == 20 and manifest["counts"]["media_files"] == 1
    assert manifest["version"] and manifest["created_at"]


def _archive(path: Path, members: dict[str, bytes], manifest: dict | None = None, extra=None) -> Path:
    manifest = manifest or {"format": 1, "application": "learnflow", "version": "0.1.0", "created_at": "now",
                            "database": {"vendor": "sqlite", "member": "database/learnflow.sqlite3"}, "counts": {}}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, BytesIO(data))
        if extra:
            tar.addfile(extra)
    return path


def _empty_sqlite() -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    buffer = conn.serialize()
    conn.close()
    return buffer


def test_restore_refuses_a_folder_that_already_has_a_database(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    (target / "learnflow.sqlite3").write_bytes(b"existing")
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite()})

    with pytest.raises(ops.OpsError, match="already has a database"):
        ops.backup_restore(source=archive, data_dir=target, database_url="")
    assert (target / "learnflow.sqlite3").read_bytes() == b"existing"


def test_restore_refuses_a_folder_that_already_has_uploaded_files(tmp_path):
    (tmp_path / "data" / "media" / "a").mkdir(parents=True)
    (tmp_path / "data" / "media" / "a" / "f.txt").write_text("x")
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite()})

    with pytest.raises(ops.OpsError, match="uploaded files"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")


def test_restore_refuses_a_path_that_climbs_out_of_the_folder(tmp_path):
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite(),
                                                "media/../../escaped.txt": b"x"})

    with pytest.raises(ops.OpsError, match="unsafe path"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "data" / "learnflow.sqlite3").exists()


def test_restore_refuses_symlinks(tmp_path):
    link = tarfile.TarInfo("media/evil")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite()}, extra=link)

    with pytest.raises(ops.OpsError, match="link or special file"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")
    assert not (tmp_path / "data" / "media").exists()


def test_restore_refuses_an_archive_larger_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ops, "RESTORE_MAX_BYTES", 1000)
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite(),
                                                "media/big.bin": b"\0" * 5000})

    with pytest.raises(ops.OpsError, match="unpacks to more than"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")


def test_restore_refuses_a_tar_that_is_not_a_learnflow_backup(tmp_path):
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        tar.addfile(info, BytesIO(b"{}"))

    with pytest.raises(ops.OpsError, match="unreadable|not a Learnflow backup"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")


def test_restore_refuses_a_sqlite_backup_into_postgresql(tmp_path):
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite()})

    with pytest.raises(ops.OpsError, match="set or unset DATABASE_URL"):
        ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="postgres://nobody@127.0.0.1:1/x")


# --- learnflow check


def _messages(level: str) -> list[str]:
    return [message for lvl, message in ops.config_check() if lvl == level]


def test_check_reports_debug_as_an_error(settings):
    settings.DEBUG = True

    assert any("Debug mode is on" in m for m in _messages("error"))


def test_check_reports_site_host_missing_from_allowed_hosts(settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS = "https://learn.example.com", ["localhost"]

    assert any("learn.example.com" in m and "ALLOWED_HOSTS" in m for m in _messages("error"))


def test_check_reports_https_site_with_https_setting_off(settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS, settings.HTTPS = "https://learn.example.com", ["learn.example.com"], False

    assert any("LEARNFLOW_HTTPS is off" in m for m in _messages("error"))


def test_check_is_quiet_about_https_when_it_is_configured(settings):
    settings.SITE_URL, settings.ALLOWED_HOSTS, settings.HTTPS = "https://learn.example.com", ["learn.example.com"], True
    settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS = True, 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    assert not [m for lvl, m in ops.config_check() if "HTTPS" in m or "https" in m]


def test_check_reports_a_data_folder_it_cannot_write(settings, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    settings.DATA_DIR = not_a_folder

    assert any("data folder" in m for m in _messages("error"))


def test_check_reports_a_secret_key_file_others_can_read(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("LEARNFLOW_SECRET_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "secret_key").write_text("k" * 60)
    (tmp_path / "secret_key").chmod(0o644)

    assert any("chmod 600" in m for m in _messages("error"))


def test_check_accepts_a_private_secret_key_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("LEARNFLOW_SECRET_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "secret_key").write_text("k" * 60)
    (tmp_path / "secret_key").chmod(0o600)

    assert not [m for lvl, m in ops.config_check() if "secret key" in m.lower()]


def test_check_warns_when_sqlite_is_not_in_wal_mode():
    assert ops.sqlite_journal_mode_problems("delete")[0][0] == "warning"
    assert ops.sqlite_journal_mode_problems("wal") == []


def test_check_warns_that_file_email_is_not_sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

    assert any("Email is not sent" in m for m in _messages("warning"))


def test_check_reports_unreachable_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    assert any("Redis" in m for m in _messages("error"))


def test_check_translates_djangos_deployment_findings(settings):
    settings.SECRET_KEY = "django-insecure-short"

    assert any("secret key is short" in m for m in _messages("error"))


def test_check_command_on_a_fresh_folder_warns_of_pending_migrations_and_exits_0(tmp_path):
    result = learnflow("check", data_dir=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING:" in result.stdout and "not applied yet" in result.stdout


def test_check_command_exits_1_when_the_database_is_unreachable(tmp_path):
    result = learnflow("check", data_dir=tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    assert result.returncode == 1
    assert "ERROR: The database is unreachable" in result.stdout


@pytest.fixture
def two_postgres_databases():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL backup round trip: set DATABASE_URL to a PostgreSQL server to run it")
    import dj_database_url
    import psycopg

    server = dj_database_url.parse(url)
    kwargs = {k.lower(): server[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if server.get(k)}
    names = [f"learnflow_ops_{os.getpid()}_{role}" for role in ("source", "target")]
    with psycopg.connect(dbname=server["NAME"], autocommit=True, **kwargs) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    yield [f"{base}/{name}" for name in names]
    with psycopg.connect(dbname=server["NAME"], autocommit=True, **kwargs) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_backup_restores_into_an_empty_database(two_postgres_databases, tmp_path):
    source_url, target_url = two_postgres_databases
    seed = run([sys.executable, "-c", SEED], tmp_path / "source", DATABASE_URL=source_url)
    assert seed.returncode == 0, seed.stderr
    backup = learnflow("backup", str(tmp_path / "b.tar.gz"), data_dir=tmp_path / "source", DATABASE_URL=source_url)
    assert backup.returncode == 0, backup.stderr

    restore = learnflow("restore", str(tmp_path / "b.tar.gz"), data_dir=tmp_path / "target", DATABASE_URL=target_url)

    assert restore.returncode == 0, restore.stderr
    inspect = run([sys.executable, "-c", INSPECT], tmp_path / "target", DATABASE_URL=target_url)
    state = json.loads(inspect.stdout)
    assert (state["people"], state["entries"], state["attachment"]) == (["ann"], 20, "evidence of learning")


def test_restore_accepts_a_folder_with_only_empty_media_folders(tmp_path):
    (tmp_path / "data" / "media" / "attachments").mkdir(parents=True)
    archive = _archive(tmp_path / "b.tar.gz", {"database/learnflow.sqlite3": _empty_sqlite(),
                                                "media/attachments/1/notes.txt": b"evidence"})

    ops.backup_restore(source=archive, data_dir=tmp_path / "data", database_url="")

    assert (tmp_path / "data" / "media" / "attachments" / "1" / "notes.txt").read_bytes() == b"evidence"
