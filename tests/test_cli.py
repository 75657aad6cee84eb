"""The `learnflow` command as operators and people use it: createuser, token, demo (idempotent) and log."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnflow.cli import app
from learnflow.journal.models import Entry
from learnflow.org.models import ApiToken, User

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 at its production cost (100 MB per hash) makes 40 demo people take minutes; not what these test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


def learnflow(*args: str):
    return runner.invoke(app, list(args))


# --- createuser


def test_createuser_makes_a_person_who_can_sign_in(db):
    result = learnflow("createuser", "nora", "--password", "a long unusual passphrase")
    assert result.exit_code == 0, result.output
    assert "Created nora" in result.output
    nora = User.objects.get(username="nora")
    assert nora.role == "member" and nora.check_password("a long unusual passphrase")


def test_createuser_sets_role_team_and_manager(db):
    learnflow("createuser", "mo", "--password", "a long unusual passphrase", "--role", "manager", "--team", "Data")
    result = learnflow("createuser", "nora", "--password", "a long unusual passphrase", "--team", "Data",
                       "--manager", "mo")
    assert result.exit_code == 0, result.output
    nora = User.objects.select_related("team", "manager").get(username="nora")
    assert (nora.team.name, nora.manager.username, nora.manager.role) == ("Data", "mo", "manager")


def test_createuser_admin_gets_into_the_django_admin(db):
    learnflow("createuser", "ops", "--password", "a long unusual passphrase", "--role", "admin")
    ops = User.objects.get(username="ops")
    assert ops.is_staff and ops.is_superuser


def test_createuser_refuses_a_taken_username_and_says_so(db):
    learnflow("createuser", "nora", "--password", "a long unusual passphrase")
    result = learnflow("createuser", "NORA", "--password", "another long passphrase")
    assert result.exit_code == 1
    assert "taken" in result.output
    assert User.objects.filter(username__iexact="nora").count() == 1


def test_createuser_refuses_an_unknown_role(db):
    result = learnflow("createuser", "nora", "--password", "a long unusual passphrase", "--role", "king")
    assert result.exit_code == 1 and "role" in result.output
    assert not User.objects.filter(username="nora").exists()


def test_createuser_refuses_a_weak_password(db):
    result = learnflow("createuser", "nora", "--password", "12345")
    assert result.exit_code == 1 and "password" in result.output
    assert not User.objects.filter(username="nora").exists()


def test_createuser_with_an_unknown_manager_creates_neither_person_nor_team(db):
    result = learnflow("createuser", "nora", "--password", "a long unusual passphrase", "--team", "Ghosts",
                       "--manager", "nobody")
    assert result.exit_code == 1 and "nobody" in result.output
    assert not User.objects.filter(username="nora").exists()
    from learnflow.org.models import Team

    assert not Team.objects.filter(name="Ghosts").exists()


# --- token


def test_token_prints_a_working_token(org, client):
    result = learnflow("token", "ann")
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith("lf_")
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == "ann"


def test_token_prints_a_new_token_each_time(org):
    assert learnflow("token", "ann").output != learnflow("token", "ann").output
    assert ApiToken.objects.filter(user=org.ann).count() == 2


def test_token_for_an_unknown_person_fails_plainly(db):
    result = learnflow("token", "nobody")
    assert result.exit_code == 1 and "nobody" in result.output


# --- demo


def test_demo_seeds_an_organisation(db):
    result = learnflow("demo")
    assert result.exit_code == 0, result.output
    assert 35 <= User.objects.count() <= 50
    assert User.objects.filter(role="manager").exists() and User.objects.filter(role="lnd").exists()
    assert Entry.objects.count() >= 200
    assert "ann" in result.output and "learnflow-demo" in result.output


def test_demo_run_twice_neither_duplicates_nor_wipes(db):
    learnflow("demo")
    people, entries = User.objects.count(), Entry.objects.count()
    ann = User.objects.get(username="ann")
    from learnflow.journal.services import entry_create

    entry_create(author=ann, title="Logged between the two runs")
    result = learnflow("demo")
    assert result.exit_code == 0, result.output
    assert "already present" in result.output
    assert User.objects.count() == people
    assert Entry.objects.count() == entries + 1
    assert Entry.objects.filter(title="Logged between the two runs").exists()


# --- log, against a running server


@pytest.fixture
def server_user(transactional_db):
    # live_server runs in another thread on the test database: the person must be committed, not in a test transaction.
    from learnflow.org.services import api_token_create, user_create

    user = user_create(username="lou", password=None)
    _, raw = api_token_create(user=user, name="terminal")
    return user, raw


def test_log_creates_an_entry_on_the_server(live_server, server_user):
    user, raw = server_user
    result = learnflow("log", "Learned git bisect\nIt finds the bad commit in log2(n) steps", "--tag", "git",
                       "--tag", "Debugging", "--minutes", "15", "--server", live_server.url, "--token", raw)
    assert result.exit_code == 0, result.output
    entry = Entry.objects.get(author=user)
    assert result.output.startswith(f"Logged #{entry.pk}: Learned git bisect (private)")
    assert entry.body == "It finds the bad commit in log2(n) steps"
    assert sorted(t.name for t in entry.tags.all()) == ["debugging", "git"]
    assert (entry.minutes, entry.visibility) == (15, "private")


def test_log_can_share_and_set_the_way(live_server, server_user):
    user, raw = server_user
    result = learnflow("log", "Pairing on the migration", "--way", "colleagues", "--visibility", "team",
                       "--server", live_server.url, "--token", raw)
    assert result.exit_code == 0, result.output
    entry = Entry.objects.get(author=user)
    assert (entry.way, entry.visibility) == ("colleagues", "team")


def test_log_takes_the_token_from_the_environment(live_server, server_user):
    user, raw = server_user
    env = {**os.environ, "LEARNFLOW_TOKEN": raw, "LEARNFLOW_SERVER": live_server.url}
    done = subprocess.run([sys.executable, "-m", "learnflow.cli", "log", "From a real terminal"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Entry.objects.filter(author=user, title="From a real terminal").exists()


def test_log_with_a_revoked_token_fails_and_says_why(live_server, server_user):
    user, raw = server_user
    from learnflow.org.services import api_token_revoke

    api_token_revoke(user=user, token_id=ApiToken.objects.get(user=user).pk)
    result = learnflow("log", "Will not land", "--server", live_server.url, "--token", raw)
    assert result.exit_code == 1
    assert "401" in result.output
    assert not Entry.objects.exists()


def test_log_with_a_bad_way_fails_naming_the_field(live_server, server_user):
    _, raw = server_user
    result = learnflow("log", "Osmosis", "--way", "osmosis", "--server", live_server.url, "--token", raw)
    assert result.exit_code == 1 and "way" in result.output
    assert not Entry.objects.exists()


def test_log_without_a_token_fails_before_calling_anything(monkeypatch):
    monkeypatch.delenv("LEARNFLOW_TOKEN", raising=False)
    result = learnflow("log", "No token", "--token", "")
    assert result.exit_code == 2 and "token" in result.output.lower()


def test_log_to_a_server_that_is_not_there_says_so(server_user):
    _, raw = server_user
    result = learnflow("log", "Nobody home", "--server", "http://127.0.0.1:9", "--token", raw)
    assert result.exit_code == 1 and "Could not reach" in result.output


# --- lrs-key revoke


def test_lrs_key_revoke_stops_the_key_and_list_says_so(org, client):
    import base64
    import json

    created = learnflow("lrs-key", "create", "--org", "Company LMS")
    assert created.exit_code == 0, created.output
    credentials = created.output.strip().splitlines()[-1]
    key = credentials.split(":", 1)[0]
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode(),
            "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    assert client.get("/xapi/about", **auth).status_code == 200
    statement = {"actor": {"mbox": "mailto:ann@example.com"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                 "object": {"id": "https://lms.example/c/1"}}
    before = client.post("/xapi/statements", json.dumps(statement), content_type="application/json", **auth)
    assert before.status_code == 200, before.content

    revoked = learnflow("lrs-key", "revoke", key)
    assert revoked.exit_code == 0 and "revoked" in revoked.output

    after = client.post("/xapi/statements", json.dumps(statement), content_type="application/json", **auth)
    assert after.status_code == 401
    listed = [line for line in learnflow("lrs-key", "list").output.splitlines() if line.startswith(key)]
    assert listed and "\trevoked" in listed[0]
    assert learnflow("lrs-key", "revoke", key).exit_code == 0  # idempotent
    unknown = learnflow("lrs-key", "revoke", "no-such-key")
    assert unknown.exit_code == 1 and "No LRS key" in unknown.output
