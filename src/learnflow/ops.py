"""Operations: configuration check, online backup and restore.

A backup is one .tar.gz holding
    manifest.json                 what is inside (format, Learnflow version, database vendor, created_at, counts)
    database/learnflow.sqlite3    a consistent snapshot taken with SQLite's online backup API, or
    database/learnflow.pgdump     `pg_dump --format=custom` (PostgreSQL's own consistent snapshot)
    media/…                       the uploaded files (MEDIA_ROOT)
    secret_key                    the data folder's secret key (absent when LEARNFLOW_SECRET_KEY is used)
The archive contains the secret key and everybody's journal: it is written readable by its owner only.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from learnflow import __version__

BACKUP_FORMAT = 1
SQLITE_MEMBER = "database/learnflow.sqlite3"
PG_MEMBER = "database/learnflow.pgdump"
MANIFEST = "manifest.json"
SECRET_KEY_MEMBER = "secret_key"
MEDIA_PREFIX = "media/"
# Restores refuse archives beyond these sizes rather than fill a disk (override for very large installations).
RESTORE_MAX_BYTES = int(os.environ.get("LEARNFLOW_RESTORE_MAX_GB", "100")) * 1024**3
RESTORE_MAX_MEMBERS = 2_000_000
MANIFEST_MAX_BYTES = 1024 * 1024

Problem = tuple[str, str]


class OpsError(ValueError):
    """An operation refused or failed for a reason the operator can act on; the message says what to do."""


# --------------------------------------------------------------------------------------------------------------------
# Backup


def backup_create(*, target: Path) -> str:
    from django.conf import settings
    from django.db import connection

    target = Path(target).expanduser().resolve()
    if target.exists() and target.is_dir():
        raise OpsError(f"{target} is a folder; give the name of the archive to write, e.g. {target / 'learnflow.tar.gz'}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise OpsError(f"Backups support SQLite and PostgreSQL; this database is {vendor}.")

    # Stage next to the target so that the final rename is atomic and large snapshots do not fill /tmp.
    with tempfile.TemporaryDirectory(prefix=".learnflow-backup-", dir=target.parent) as staging:
        staging_dir = Path(staging)
        if vendor == "sqlite":
            db_file = staging_dir / "learnflow.sqlite3"
            counts = _sqlite_snapshot(Path(settings.DATABASES["default"]["NAME"]), db_file)
            db_member = SQLITE_MEMBER
        else:
            db_file = staging_dir / "learnflow.pgdump"
            _pg_dump(settings.DATABASES["default"], db_file)
            counts = _orm_counts()
            db_member = PG_MEMBER

        partial = staging_dir / "archive.tar.gz"
        media_root = Path(settings.MEDIA_ROOT)
        secret_file = Path(settings.DATA_DIR) / "secret_key"
        key_in_env = bool(os.environ.get("LEARNFLOW_SECRET_KEY"))
        entries = 0
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
            tar.add(db_file, arcname=db_member, recursive=False)
            entries += 1
            # The media copy starts after the database snapshot: every file the snapshot refers to was written
            # before its row was committed, so it is here unless it was deleted in between.
            media_files, media_bytes = _add_media(tar, media_root)
            entries += media_files
            if not key_in_env and secret_file.is_file():
                tar.add(secret_file, arcname=SECRET_KEY_MEMBER, recursive=False)
                entries += 1
            counts.update(media_files=media_files, media_bytes=media_bytes)
            manifest = {
                "format": BACKUP_FORMAT,
                "application": "learnflow",
                "version": __version__,
                "database": {"vendor": vendor, "member": db_member},
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "counts": counts,
                "secret_key": "environment (not included)" if key_in_env else
                ("included" if secret_file.is_file() else "missing"),
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            entries += 1
        os.replace(partial, target)
    size = target.stat().st_size
    return (f"Wrote {target} ({_human(size)}, {entries} entries: {vendor} database with {counts.get('people', 0)} people "
            f"and {counts.get('entries', 0)} journal entries, {counts['media_files']} uploaded files"
            f"{', secret key' if manifest['secret_key'] == 'included' else ''}). It contains everyone's journal and "
            f"the secret key: keep it somewhere only operators can read.")


def _count_tables() -> dict[str, str]:
    from learnflow.journal.models import Entry, EntryAttachment
    from learnflow.org.models import Team, User

    return {"people": User._meta.db_table, "teams": Team._meta.db_table, "entries": Entry._meta.db_table,
            "attachments": EntryAttachment._meta.db_table}


def _sqlite_snapshot(source: Path, dest: Path) -> dict[str, int]:
    """Copy a live SQLite database, WAL content included, without blocking writers.

    The backup API copies every page in one step inside one read transaction: in WAL mode readers never block
    writers, so the app keeps writing and the copy is the database as of one committed moment."""
    if not source.exists():
        raise OpsError(f"There is no database at {source} yet; nothing to back up.")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
        # A self-contained file: the restored server switches it back to WAL when it opens it.
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise OpsError(f"The database snapshot failed SQLite's integrity check ({verdict}); the live database "
                           "may be damaged. Nothing was written.")
        counts = {}
        for name, table in _count_tables().items():
            try:
                counts[name] = dst.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            except sqlite3.OperationalError:  # not migrated yet
                counts[name] = 0
        return counts
    finally:
        src.close()
        dst.close()


def _orm_counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for name, table in _count_tables().items():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OpsError(f"PostgreSQL backups and restores need the `{name}` program, which is not on PATH. Install the "
                       "PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client, at least the server's "
                       "major version), then run this again.")
    return path


def _pg_dump(db: dict, dest: Path) -> None:
    # pg_dump reads one consistent snapshot and takes no locks that block the app's reads or writes.
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", "--dbname",
         db["NAME"]], env=_pg_env(db), capture_output=True, text=True)
    if result.returncode != 0:
        raise OpsError(f"pg_dump failed: {result.stderr.strip() or result.returncode}")


def _add_media(tar: tarfile.TarFile, media_root: Path) -> tuple[int, int]:
    files = total = 0
    if not media_root.is_dir():
        return 0, 0
    for folder, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(folder) / filename
            try:
                info = path.lstat()
            except FileNotFoundError:  # deleted while we walk: its row is gone too
                continue
            if not stat.S_ISREG(info.st_mode):  # symlinks and the like are never part of a backup
                continue
            arcname = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
            try:
                with path.open("rb") as fh:
                    member = tar.gettarinfo(arcname=arcname, fileobj=fh)
                    member.mode, member.uid, member.gid, member.uname, member.gname = 0o600, 0, 0, "", ""
                    tar.addfile(member, fh)
            except FileNotFoundError:
                continue
            files += 1
            total += member.size
    return files, total


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size, member.mode, member.mtime = len(data), 0o600, int(datetime.now(timezone.utc).timestamp())
    tar.addfile(member, io.BytesIO(data))


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


# --------------------------------------------------------------------------------------------------------------------
# Restore


@dataclass(frozen=True)
class _Target:
    data_dir: Path
    vendor: str
    sqlite_path: Path | None
    pg: dict | None

    @property
    def media_root(self) -> Path:
        return self.data_dir / "media"


def _restore_target(data_dir: Path | None, database_url: str | None) -> _Target:
    # Restore runs without Django set up: importing the settings would create a fresh secret key in the folder.
    data_dir = Path(data_dir or os.environ.get("LEARNFLOW_DATA_DIR") or (Path.cwd() / "data")).expanduser().resolve()
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    if not url:
        return _Target(data_dir, "sqlite", data_dir / "learnflow.sqlite3", None)
    import dj_database_url

    db = dj_database_url.parse(url)
    if db["ENGINE"].endswith("sqlite3"):
        return _Target(data_dir, "sqlite", Path(db["NAME"]).expanduser().resolve(), None)
    if db["ENGINE"].endswith("postgresql"):
        return _Target(data_dir, "postgresql", None, db)
    raise OpsError(f"Restores support SQLite and PostgreSQL; DATABASE_URL points to {db['ENGINE']}.")


def backup_restore(*, source: Path, data_dir: Path | None = None, database_url: str | None = None) -> str:
    """Bring a backup back into an EMPTY data folder (LEARNFLOW_DATA_DIR) and, for PostgreSQL, an empty database."""
    source = Path(source).expanduser().resolve()
    if not source.is_file():
        raise OpsError(f"No backup file at {source}.")
    target = _restore_target(data_dir, database_url)
    _refuse_unless_empty(target)
    try:
        tar = tarfile.open(source, mode="r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise OpsError(f"{source} is not a Learnflow backup (.tar.gz): {exc}.") from exc
    with tar:
        members = _checked_members(tar)
        manifest = _read_manifest(tar, members)
        if manifest["database"]["vendor"] != target.vendor:
            raise OpsError(f"This backup holds a {manifest['database']['vendor']} database but the target is "
                           f"{target.vendor}; set or unset DATABASE_URL to match the backup.")
        if target.pg is not None and _pg_has_tables(target.pg):
            raise OpsError(f"Not restored: the PostgreSQL database “{target.pg['NAME']}” already has tables. Restore "
                           "only goes into an empty database; create a new one and point DATABASE_URL at it.")
        total = sum(m.size for m in members.values())
        target.data_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(target.data_dir).free
        if total > free:
            raise OpsError(f"Not enough free space in {target.data_dir}: the backup needs {_human(total)}, "
                           f"{_human(free)} is free.")
        # Extract into a staging folder inside the data folder, then move into place: a failed restore leaves
        # the folder as empty as it was.
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=target.data_dir))
        try:
            for name, member in members.items():
                _extract(tar, member, staging / name)
            db_member = staging / manifest["database"]["member"]
            if not db_member.is_file():
                raise OpsError("The backup has no database file; it is incomplete.")
            if target.vendor == "sqlite":
                _sqlite_verify(db_member)
                target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(db_member, target.sqlite_path)
            else:
                _pg_restore(target.pg, db_member)
            if (staging / "media").is_dir():
                if target.media_root.is_dir():  # holds no files (checked above), perhaps empty folders
                    shutil.rmtree(target.media_root)
                shutil.move(staging / "media", target.media_root)
            key = staging / SECRET_KEY_MEMBER
            if key.is_file():
                os.chmod(key, 0o600)
                os.replace(key, target.data_dir / "secret_key")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    counts = manifest.get("counts", {})
    note = ""
    if manifest.get("secret_key") != "included":
        note = " The backup has no secret key: set LEARNFLOW_SECRET_KEY to the old one, or people sign in again."
    return (f"Restored the backup of {manifest.get('created_at', '?')} (Learnflow {manifest.get('version', '?')}, "
            f"{target.vendor}: {counts.get('people', '?')} people, {counts.get('entries', '?')} journal entries, "
            f"{counts.get('media_files', '?')} uploaded files) into {target.data_dir}. Start it with `learnflow serve`, "
            f"which applies any newer migrations.{note}")


def _refuse_unless_empty(target: _Target) -> None:
    found = []
    if target.sqlite_path is not None:
        for suffix in ("", "-wal"):
            candidate = Path(f"{target.sqlite_path}{suffix}")
            if candidate.exists() and candidate.stat().st_size > 0:
                found.append(f"a database ({candidate})")
                break
    if target.media_root.is_dir() and any(p.is_file() or p.is_symlink() for p in target.media_root.rglob("*")):
        found.append(f"uploaded files ({target.media_root})")
    if found:
        raise OpsError(f"Not restored: the target already has {' and '.join(found)}. Restore only goes into an empty "
                       "data folder (LEARNFLOW_DATA_DIR), so that nothing is overwritten. Point "
                       "LEARNFLOW_DATA_DIR at a new folder, or move the existing data away first.")


def _pg_has_tables(db: dict) -> bool:
    import psycopg

    kwargs = {k.lower(): db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    try:
        with psycopg.connect(dbname=db["NAME"], connect_timeout=10, **kwargs) as conn:
            row = conn.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchone()
    except psycopg.Error as exc:
        raise OpsError(f"Cannot reach the PostgreSQL database “{db['NAME']}”: {exc}".strip()) from exc
    return row[0] > 0


def _checked_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Every member, checked before anything is written: plain relative names we expect, regular files only."""
    members: dict[str, tarfile.TarInfo] = {}
    total = 0
    for member in tar:
        if len(members) >= RESTORE_MAX_MEMBERS:
            raise OpsError("Not restored: the archive has more files than any Learnflow backup would.")
        name = member.name
        path = PurePosixPath(name)
        if (not name or name.startswith("/") or "\\" in name or "\x00" in name or path.is_absolute()
                or any(part in ("..", "") for part in name.split("/"))):
            raise OpsError(f"Not restored: the archive contains an unsafe path “{name}”.")
        if member.isdir():
            continue
        if not member.isreg():
            raise OpsError(f"Not restored: “{name}” is a link or special file; Learnflow backups contain only plain files.")
        if not (name in (MANIFEST, SECRET_KEY_MEMBER, SQLITE_MEMBER, PG_MEMBER) or name.startswith(MEDIA_PREFIX)):
            raise OpsError(f"Not restored: unexpected file “{name}” in the archive; is this a Learnflow backup?")
        if name in members:
            raise OpsError(f"Not restored: “{name}” appears twice in the archive.")
        total += member.size
        if total > RESTORE_MAX_BYTES:
            raise OpsError(f"Not restored: the archive unpacks to more than {_human(RESTORE_MAX_BYTES)} "
                           "(raise LEARNFLOW_RESTORE_MAX_GB if that is expected).")
        members[name] = member
    return members


def _read_manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict:
    member = members.get(MANIFEST)
    if member is None or member.size > MANIFEST_MAX_BYTES:
        raise OpsError("Not restored: the archive has no manifest.json; it is not a Learnflow backup.")
    try:
        manifest = json.loads(tar.extractfile(member).read())
        vendor, db_member = manifest["database"]["vendor"], manifest["database"]["member"]
    except (ValueError, KeyError, TypeError) as exc:
        raise OpsError("Not restored: the backup's manifest.json is unreadable.") from exc
    if manifest.get("application") != "learnflow" or manifest.get("format") != BACKUP_FORMAT:
        raise OpsError(f"Not restored: this is not a Learnflow backup of format {BACKUP_FORMAT}.")
    if (vendor, db_member) not in (("sqlite", SQLITE_MEMBER), ("postgresql", PG_MEMBER)):
        raise OpsError(f"Not restored: unknown database “{vendor}” in the manifest.")
    return manifest


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        # Never more than the header promised, whatever the compressed stream holds.
        remaining = member.size
        while remaining > 0:
            chunk = source.read(min(remaining, 1024 * 1024))
            if not chunk:
                raise OpsError(f"Not restored: the archive is truncated at “{member.name}”.")
            out.write(chunk)
            remaining -= len(chunk)


def _sqlite_verify(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict == "ok":
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        conn.close()
    if verdict != "ok":
        raise OpsError(f"Not restored: the database in the backup is damaged ({verdict}).")


def _pg_restore(db: dict, dump: Path) -> None:
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", db["NAME"], str(dump)], env=_pg_env(db), capture_output=True, text=True)
    if result.returncode != 0:
        raise OpsError(f"pg_restore failed (nothing was restored): {result.stderr.strip() or result.returncode}")


# --------------------------------------------------------------------------------------------------------------------
# Configuration check

# Django's deployment checks, said the way an operator of Learnflow needs to hear them.
_DJANGO_CHECK_WORDS = {
    "security.W004": None,  # HSTS: folded into the one HTTPS message below
    "security.W008": None,
    "security.W012": None,
    "security.W016": None,
    # Subdomains and preload lists are choices about the whole domain, not about Learnflow: not ours to flag.
    "security.W005": None,
    "security.W021": None,
    "security.W018": None,  # DEBUG: our own check says it
    "security.W009": ("error", "The secret key is short or looks generated by Django's startproject. Remove "
                               "LEARNFLOW_SECRET_KEY to let Learnflow keep a strong one in the data folder, or set a "
                               "random value of at least 50 characters."),
    "security.W020": ("error", "No host names are allowed (LEARNFLOW_ALLOWED_HOSTS is empty): every request will be "
                               "refused."),
}


def config_check() -> list[Problem]:
    """Configuration problems as (level, message), level "error" or "warning"; an empty list means all is well."""
    from django.conf import settings

    problems: list[Problem] = []
    problems += _check_debug(settings)
    problems += _check_site_url(settings)
    problems += _check_data_dir(Path(settings.DATA_DIR))
    problems += _check_secret_key_file(Path(settings.DATA_DIR))
    problems += _check_database()
    problems += _check_email(settings)
    problems += _check_redis(getattr(settings, "REDIS_URL", ""))
    problems += _check_django_deploy()
    return sorted(problems, key=lambda problem: problem[0] != "error")  # errors first, otherwise as found


def _check_debug(settings) -> list[Problem]:
    if settings.DEBUG:
        return [("error", "Debug mode is on (LEARNFLOW_DEBUG): error pages show settings and code to anyone. Turn it "
                          "off outside development.")]
    return []


def _check_site_url(settings) -> list[Problem]:
    from django.http.request import validate_host

    problems: list[Problem] = []
    url = urlsplit(settings.SITE_URL)
    host = url.hostname or ""
    if not url.scheme or not host:
        return [("error", f"LEARNFLOW_SITE_URL “{settings.SITE_URL}” is not a full address such as "
                          "https://learn.example.com.")]
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(("warning", "LEARNFLOW_ALLOWED_HOSTS accepts any host name (*); list the names people use."))
    elif not validate_host(f"[{host}]" if ":" in host else host, settings.ALLOWED_HOSTS):
        problems.append(("error", f"The host of LEARNFLOW_SITE_URL ({host}) is not in LEARNFLOW_ALLOWED_HOSTS "
                                  f"({', '.join(settings.ALLOWED_HOSTS) or 'empty'}): requests to it will be refused."))
    if url.scheme == "https" and not settings.HTTPS:
        problems.append(("error", "LEARNFLOW_SITE_URL is https but LEARNFLOW_HTTPS is off: session and CSRF cookies "
                                  "are sent without the Secure flag. Set LEARNFLOW_HTTPS=1."))
    elif url.scheme == "http" and settings.HTTPS:
        problems.append(("warning", "LEARNFLOW_HTTPS is on but LEARNFLOW_SITE_URL starts with http://; links in "
                                    "emails and exports will point to the insecure address."))
    elif not settings.HTTPS:
        problems.append(("warning", "HTTPS is off (LEARNFLOW_HTTPS): fine on one machine or a trusted network; "
                                    "anywhere else put Learnflow behind TLS and set LEARNFLOW_HTTPS=1."))
    return problems


def _check_data_dir(data_dir: Path) -> list[Problem]:
    if not data_dir.is_dir():
        return [("error", f"The data folder {data_dir} does not exist or is not a folder (LEARNFLOW_DATA_DIR).")]
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-check-"):
            pass
    except OSError as exc:
        return [("error", f"The data folder {data_dir} is not writable ({exc.strerror}): uploads and the database "
                          "need it.")]
    return []


def _check_secret_key_file(data_dir: Path) -> list[Problem]:
    if os.environ.get("LEARNFLOW_SECRET_KEY"):
        return []
    path = data_dir / "secret_key"
    if not path.is_file():
        return [("warning", f"No secret key file at {path}; one is created when Learnflow starts.")]
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return [("error", f"The secret key file {path} can be read by other users (permissions {mode:o}). "
                          f"Run: chmod 600 {path}")]
    return []


def _check_database() -> list[Problem]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure to connect is the operator's to see, in their words
        return [("error", f"The database is unreachable ({exc.__class__.__name__}: {str(exc).strip()[:200]}). "
                          "Check DATABASE_URL, or LEARNFLOW_DATA_DIR for the built-in SQLite database.")]
    problems: list[Problem] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            problems += sqlite_journal_mode_problems(cursor.fetchone()[0])
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        count = "1 database migration is" if len(pending) == 1 else f"{len(pending)} database migrations are"
        problems.append(("warning", f"{count} not applied yet; `learnflow serve` applies them when it starts (or "
                                    "run `learnflow migrate`)."))
    return problems


def sqlite_journal_mode_problems(mode: str) -> list[Problem]:
    mode = mode.lower()
    if mode in ("wal", "memory"):  # an in-memory database (tests) has no journal to speak of
        return []
    return [("warning", f"The SQLite database is in {mode} journal mode, not WAL: readers and writers block each "
                        "other and online backups stall writers. Learnflow sets WAL itself unless the database "
                        "options were changed.")]


def _check_email(settings) -> list[Problem]:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2] if "." in settings.EMAIL_BACKEND else settings.EMAIL_BACKEND
    if backend in ("filebased", "console", "locmem", "dummy"):
        where = f" into {settings.EMAIL_FILE_PATH}" if backend == "filebased" else ""
        return [("warning", f"Email is not sent: it is written{where} by the {backend} backend. Set "
                            "LEARNFLOW_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and LEARNFLOW_SMTP_HOST "
                            "to deliver it.")]
    return []


def _check_redis(url: str) -> list[Problem]:
    if not url:
        return []
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return [("error", f"Redis at LEARNFLOW_REDIS_URL is unreachable ({exc}); the cache and sign-in throttling "
                          "live there, so requests will fail.")]
    return []


def _check_django_deploy() -> list[Problem]:
    from django.core import checks

    problems: list[Problem] = []
    for message in checks.run_checks(include_deployment_checks=True):
        if message.level < checks.WARNING or message.is_silenced():
            continue
        if message.id in _DJANGO_CHECK_WORDS:
            words = _DJANGO_CHECK_WORDS[message.id]
            if words:
                problems.append(words)
            continue
        level = "error" if message.level >= checks.ERROR else "warning"
        hint = f" {message.hint}" if message.hint else ""
        problems.append((level, f"{message.msg}{hint} (Django check {message.id})"))
    return problems
