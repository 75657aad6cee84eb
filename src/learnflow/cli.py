"""The `learnflow` command. Operator commands run against the data folder (LEARNFLOW_DATA_DIR) or DATABASE_URL;
`log` talks to a running server over the API with a personal token."""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Learnflow: everyday learning at work.", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        # Fresh planner statistics: without them SQLite picks a poor index for the feeds (measured by
        # bench/journal.py). analysis_limit keeps this to milliseconds on a large database.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("PRAGMA optimize=0x10002")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(int(os.environ.get("LEARNFLOW_WORKERS", "2")), help="App server processes."),
    threads: int = typer.Option(int(os.environ.get("LEARNFLOW_THREADS", "4")), help="Threads per process."),
    task_worker: bool = typer.Option(True, help="Also run the background task worker (database queue)."),
) -> None:
    """Apply pending migrations, then serve Learnflow with a production WSGI server."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    from learnflow.account.tasks import recurring_kick

    # Recurring jobs (digests, feeds, reminders, the concierge queue) keep themselves queued; this starts any that
    # are not yet, e.g. on a fresh install or after the queue was emptied. Safe from several app servers at once.
    recurring_kick()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    typer.echo(f"Learnflow is running at {url}  (data: {settings.DATA_DIR}; stop with Ctrl+C)")
    from learnflow.server import run

    run(host=host, port=port, workers=workers, threads=threads, task_worker=task_worker)


@app.command()
def demo() -> None:
    """Create the demo organisation (idempotent: running it again changes nothing)."""
    _django()
    _migrate()
    from learnflow.demo import DEMO_PASSWORD, demo_seed

    created, summary = demo_seed()
    typer.echo(summary if created else "Demo organisation already present; nothing changed.")
    typer.echo(f"Demo logins (password for all: {DEMO_PASSWORD}): ann (member), boss (manager), "
               f"lena (L&D), root (admin)")


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    _django()
    _migrate(verbosity=1)


@app.command()
def createuser(
    username: str,
    password: str = typer.Option(..., "--password", help="Initial password."),
    role: str = typer.Option("member", help="member, manager, lnd or admin."),
    team: Optional[str] = typer.Option(None, help="Team name (created if missing)."),
    manager: Optional[str] = typer.Option(None, help="Username of the person's manager."),
    email: str = typer.Option("", help="Email address."),
) -> None:
    """Create a person."""
    _django()
    _migrate()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from learnflow.core.errors import validation_fields
    from learnflow.org.models import User
    from learnflow.org.services import team_get_or_create, user_create

    try:
        with transaction.atomic():
            boss = None
            if manager:
                boss = User.objects.filter(username=manager).first()
                if boss is None:
                    raise ValidationError({"manager": f"No person with username “{manager}”."})
            user = user_create(username=username, password=password, role=role,
                               team=team_get_or_create(name=team) if team else None, manager=boss, email=email)
    except ValidationError as exc:
        _fail("Not created: " + "; ".join(f"{e['field'] or 'error'}: {e['message']}" for e in validation_fields(exc)))
    typer.echo(f"Created {user.username} ({user.get_role_display()}).")


@app.command()
def token(username: str, name: str = typer.Option("CLI token", help="A name to recognise it by.")) -> None:
    """Print a new personal API token for USERNAME."""
    _django()
    from learnflow.org.models import User
    from learnflow.org.services import api_token_create

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        _fail(f"No active person with username “{username}”.")
    _, raw = api_token_create(user=user, name=name)
    typer.echo(raw)


@app.command()
def log(
    text: str = typer.Argument(..., help="What you learned (one line; more lines become the details)."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="A tag; repeat for more."),
    way: str = typer.Option("daily_work", help="How you learned it (see GET /api/journal/ways)."),
    minutes: Optional[int] = typer.Option(None, help="Minutes spent."),
    visibility: str = typer.Option("private", help="private, manager, team or organisation."),
    server: str = typer.Option(os.environ.get("LEARNFLOW_SERVER", "http://127.0.0.1:8000"), help="Learnflow URL."),
    api_token: str = typer.Option(os.environ.get("LEARNFLOW_TOKEN", ""), "--token",
                                  help="Personal API token (or set LEARNFLOW_TOKEN)."),
) -> None:
    """Log a learning from the terminal, against a running Learnflow server."""
    if not api_token:
        _fail("No token: pass --token or set LEARNFLOW_TOKEN (create one on your profile page).", 2)
    title, _, body = text.strip().partition("\n")
    payload = {"title": title.strip(), "body": body.strip(), "tags": tag, "way": way, "visibility": visibility}
    if minutes is not None:
        payload["minutes"] = minutes
    request = urllib.request.Request(
        server.rstrip("/") + "/api/journal/entries", data=json.dumps(payload).encode(), method="POST",
        headers={"Authorization": f"Bearer {api_token}", "Content-Type": "application/json",
                 "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            entry = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", "")
        except ValueError:
            detail = ""
        _fail(f"Not logged ({exc.code}): {detail or exc.reason}")
    except urllib.error.URLError as exc:
        _fail(f"Could not reach {server}: {exc.reason}")
    typer.echo(f"Logged #{entry['id']}: {entry['title']} ({entry['visibility']}) {server.rstrip('/')}{entry['url']}")


@app.command()
def check() -> None:
    """Report configuration problems in plain words."""
    _django()
    from learnflow.ops import config_check

    problems = config_check()
    for level, message in problems:
        typer.echo(f"{level.upper()}: {message}")
    if any(level == "error" for level, _ in problems):
        raise typer.Exit(1)
    if not problems:
        typer.echo("OK: no configuration problems found.")


@app.command()
def backup(file: Path = typer.Argument(..., help="Archive to write (.tar.gz).")) -> None:
    """Take a consistent online snapshot of the database and uploaded files."""
    _django()
    from learnflow.ops import backup_create

    try:
        typer.echo(backup_create(target=file))
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def restore(file: Path = typer.Argument(..., help="Archive written by `learnflow backup`.")) -> None:
    """Restore a backup into an empty data folder."""
    from learnflow.ops import backup_restore

    try:
        typer.echo(backup_restore(source=file))
    except ValueError as exc:
        _fail(str(exc))


@app.command("import-people")
def import_people(
    file: Path = typer.Argument(..., help="CSV: username, first_name, last_name, email, role, team, parent_team, "
                                           "manager, job_title, skills (semicolon separated)."),
    password: Optional[str] = typer.Option(
        None, "--password", help="Initial password for people the file creates (must pass the password rules). "
                                 "Without it, each new person gets a one-time set-password link, printed here."),
    check_only: bool = typer.Option(False, "--check", help="Only check the file; import nothing."),
) -> None:
    """Import people and teams from CSV: all rows or none; importing again updates instead of duplicating."""
    _django()
    _migrate()
    from learnflow.org.csv_import import people_csv_check, people_csv_import

    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"Cannot read {file}: {exc.strerror}.")
    if check_only:
        plan = people_csv_check(data=data)
        if not plan.ok:
            _fail("Not valid, nothing imported:\n" + "\n".join(f"  {e}" for e in plan.errors))
        teams = f" and create the teams {', '.join(plan.new_teams)}" if plan.new_teams else ""
        typer.echo(f"Valid: would create {len(plan.new_usernames)} and update {len(plan.existing_usernames)} "
                   f"people{teams}.")
        return
    result = people_csv_import(data=data, password=password)
    if not result.ok:
        _fail("Nothing imported:\n" + "\n".join(f"  {e}" for e in result.errors))
    typer.echo(result.summary())
    if result.set_password_links:
        typer.echo("Send each new person their one-time link to choose a password:")
        for username, link in result.set_password_links.items():
            typer.echo(f"  {username}: {link}")


@app.command("export")
def export_(
    username: str,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="File to write; standard output if omitted. "
                                       "A .zip file gets all the person's data (journal, goals, statements …)."),
    fmt: str = typer.Option("json", "--format", help="json or markdown (journal only)."),
) -> None:
    """Export a person's journal as JSON or Markdown, or all their data as a .zip archive (--out FILE.zip)."""
    _django()
    if out is not None and out.suffix.lower() == ".zip":
        from learnflow.account.archive import export_archive_cli

        export_archive_cli(username=username, out=out)
        return
    from learnflow.journal.portability import export_cli

    export_cli(username=username, out=out, fmt=fmt)


@app.command("import")
def import_(
    username: str = typer.Argument(..., metavar="USERNAME FILE | FILE.zip",
                                   help="Whose journal to import into, or a data archive (.zip) to load."),
    file: Optional[Path] = typer.Argument(None, help="A Learnflow JSON export or a jrnl JSON export."),
    private: bool = typer.Option(False, "--private", help="Import every entry as private (journal files)."),
    as_username: Optional[str] = typer.Option(None, "--as", help="Load a .zip archive into this username instead "
                                              "of the one in its manifest (created if missing)."),
) -> None:
    """Import entries into USERNAME's journal (Learnflow JSON or jrnl JSON), or load a "download all my data"
    archive: `learnflow import FILE.zip [--as USERNAME]`."""
    _django()
    if file is None and username.lower().endswith(".zip"):
        _migrate()
        from learnflow.account.archive import import_archive_cli

        import_archive_cli(file=Path(username), as_username=as_username)
        return
    if file is None:
        _fail("Give USERNAME FILE to import a journal file, or FILE.zip to load a data archive.", 2)
    from learnflow.journal.portability import import_cli

    import_cli(username=username, file=file, private_only=private)


lrs_key_app = typer.Typer(help="xAPI (LRS) credentials.", no_args_is_help=True)
app.add_typer(lrs_key_app, name="lrs-key")


@lrs_key_app.command("create")
def lrs_key_create_cmd(
    username: Optional[str] = typer.Argument(None, help="The person whose tool gets the key."),
    org: Optional[str] = typer.Option(None, "--org", help="Name of an organisation-level tool (an LMS …)."),
    label: str = typer.Option("", help="What the key is for."),
) -> None:
    """Print a new LRS key as KEY:SECRET, for a person's tool or (with --org) an organisation-level tool."""
    _django()
    _migrate()
    from learnflow.lrs.services import lrs_key_create
    from learnflow.org.models import User

    if bool(username) == bool(org):
        _fail("Give either a USERNAME or --org NAME.", 2)
    if org:
        if org.strip().lower() == "learnflow":
            _fail("“Learnflow” is reserved for Learnflow's own statements.", 2)
        issued = lrs_key_create(org_tool=org, label=label or org)
    else:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            _fail(f"No active person with username “{username}”.")
        issued = lrs_key_create(owner=user, label=label or "CLI key")
    typer.echo(str(issued))


@lrs_key_app.command("revoke")
def lrs_key_revoke_cmd(key: str = typer.Argument(..., help="The key (the part before the colon), as `list` shows.")) -> None:
    """Revoke an LRS key: the tool using it is refused from now on (its statements stay). Idempotent."""
    _django()
    _migrate()
    from types import SimpleNamespace

    from learnflow.lrs.models import LrsKey
    from learnflow.lrs.services import lrs_key_revoke

    found = LrsKey.objects.filter(key=key.split(":", 1)[0].strip()).first()
    if found is None:
        _fail(f"No LRS key “{key}”.")
    was_active = found.revoked_at is None
    # Whoever runs the command on the server is its operator: an admin for this purpose.
    lrs_key_revoke(key=found, by=SimpleNamespace(pk=None, is_admin=True))
    typer.echo(f"{found.key} revoked." if was_active else f"{found.key} was already revoked.")


@lrs_key_app.command("list")
def lrs_key_list_cmd() -> None:
    """List LRS keys (never their secrets)."""
    _django()
    from learnflow.lrs.models import LrsKey

    for k in LrsKey.objects.select_related("owner").order_by("created_at"):
        who = k.org_tool or k.owner.username
        typer.echo(f"{k.key}\t{who}\t{k.label}\t{'revoked' if k.revoked_at else 'active'}{' trusted' if k.trusted else ''}")


@app.command()
def forward() -> None:
    """Forward due statements to external LRSs now (the background worker also does this by itself)."""
    _django()
    from learnflow.record.services import forward_run

    for name, (delivered, failed) in forward_run().items():
        typer.echo(f"{name}: {delivered} delivered, {failed} not delivered (retried later, or refused by the "
                   f"target: see LRS administration)")


feeds_app = typer.Typer(help="Feeds for curation.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("ingest")
def feeds_ingest_cmd(
    files: list[Path] = typer.Argument(..., help="RSS, Atom or JSON Feed files."),
    topic: str = typer.Option(..., "--topic", help="Topic name (created if it does not exist)."),
) -> None:
    """Ingest local feed files into a topic's curation inbox, through the same path as fetched feeds."""
    _django()
    _migrate()
    from learnflow.curation.cli import feeds_ingest_cli

    if feeds_ingest_cli(topic=topic, files=files):
        raise typer.Exit(1)


library_app = typer.Typer(help="The resource library.", no_args_is_help=True)
app.add_typer(library_app, name="library")


@library_app.command("fetch-images")
def library_fetch_images_cmd(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many resources in this run."),
    queue: bool = typer.Option(False, "--queue", help="Queue the fetches for the worker instead of fetching here."),
) -> None:
    """Fetch the pictures of resources that have an image address but no picture yet and no recorded failure
    (resources from before pictures were stored, or whose fetch was lost), through the same safe fetcher and checks
    as the worker; failures are recorded and not retried. The worker also does this by itself, a batch at a time."""
    _django()
    _migrate()
    from learnflow.library.cli import images_fetch_cli

    if images_fetch_cli(limit=limit, queue=queue):
        raise typer.Exit(1)


@app.command()
def nudges(now: bool = typer.Option(False, "--now", help="Run here instead of queueing for the worker.")) -> None:
    """Queue this week's "review your goals" nudges (safe to run daily from cron: one per person per week)."""
    _django()
    if now:
        from learnflow.account.services import weekly_goal_nudges_due

        typer.echo(f"Nudged {len(weekly_goal_nudges_due())} people.")
        return
    from learnflow.account.tasks import recurring_kick, weekly_goal_nudges_send

    typer.echo(f"Queued weekly goal nudges (task {weekly_goal_nudges_send.enqueue().id}).")
    started = recurring_kick()
    if started:
        typer.echo("Started recurring jobs: " + ", ".join(started) + ".")


@app.command()
def digests(now: bool = typer.Option(False, "--now", help="Build and send here instead of queueing for the worker.")
            ) -> None:
    """Build and send the daily and weekly learning digests that are due (safe to run hourly from cron)."""
    _django()
    from learnflow.flow.cli import digests_send

    digests_send(now=now)


@app.command("notifications-daily")
def notifications_daily(now: bool = typer.Option(False, "--now", help="Send here instead of queueing.")) -> None:
    """Send the daily notification emails (the worker runs this daily by itself; safe to run from cron)."""
    _django()
    if now:
        from learnflow.notifications.services import daily_emails_send

        typer.echo(f"Daily notification emails: {daily_emails_send()}")
        return
    from learnflow.notifications.tasks import daily_emails

    typer.echo(f"Queued the daily notification emails (task {daily_emails.enqueue().id}).")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
