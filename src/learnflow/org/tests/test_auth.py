"""Signing in and out: argon2 hashes, password change, throttled failures, sessions and CSRF."""
from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from learnflow import settings as project_settings
from learnflow.journal.models import Entry
from learnflow.org.models import User
from learnflow.org.services import user_create


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in_as(client: Client) -> str | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk).username if pk else None


def test_passwords_are_stored_as_argon2_hashes(settings, db):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the production setting, not the fast test one
    user = user_create(username="nora", password="a long and unusual passphrase", check_password=False)
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2")
    assert "a long and unusual passphrase" not in stored


def test_sign_in_with_the_right_password(client, org):
    response = sign_in(client, "ann", org.password)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in_as(client) == "ann"


def test_sign_in_goes_on_to_the_page_asked_for(client, org):
    response = client.post(reverse("login") + "?next=/journal/", {"username": "ann", "password": org.password,
                                                                  "next": "/journal/"})
    assert response["Location"] == "/journal/"


def test_sign_in_never_goes_on_to_another_site(client, org):
    response = client.post(reverse("login"), {"username": "ann", "password": org.password,
                                              "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_sign_in_with_a_wrong_password_is_refused(client, org):
    response = sign_in(client, "ann", "wrong password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_as(client) is None


def test_a_deactivated_person_cannot_sign_in(client, org):
    org.ann.is_active = False
    org.ann.save()
    sign_in(client, "ann", org.password)
    assert signed_in_as(client) is None


def test_pages_ask_for_sign_in_first(client, db):
    response = client.get(reverse("journal:timeline"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_ends_the_session(client, org):
    sign_in(client, "ann", org.password)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_as(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_logout_needs_a_post(client, org):
    client.force_login(org.ann)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_as(client) == "ann"


def test_password_change_replaces_the_password(client, org):
    client.force_login(org.ann)
    response = client.post(reverse("password_change"), {"old_password": org.password,
                                                        "new_password1": "a brand new passphrase 42",
                                                        "new_password2": "a brand new passphrase 42"})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert signed_in_as(client) == "ann"  # the person stays signed in on this device
    other = Client()
    assert signed_in_as(other) is None
    sign_in(other, "ann", org.password)
    assert signed_in_as(other) is None
    sign_in(other, "ann", "a brand new passphrase 42")
    assert signed_in_as(other) == "ann"


def test_password_change_needs_the_old_password(client, org):
    client.force_login(org.ann)
    response = client.post(reverse("password_change"), {"old_password": "guess",
                                                        "new_password1": "a brand new passphrase 42",
                                                        "new_password2": "a brand new passphrase 42"})
    assert response.status_code == 200 and response.context["form"].errors["old_password"]
    org.ann.refresh_from_db()
    assert org.ann.check_password(org.password)


def test_password_change_refuses_a_weak_password(client, org):
    client.force_login(org.ann)
    response = client.post(reverse("password_change"), {"old_password": org.password,
                                                        "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]


# --- Throttling failed sign-ins


def fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        sign_in(client, username, "not the password")


def test_sign_in_is_refused_with_429_after_too_many_failures(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT)
    response = sign_in(client, "ann", "not the password")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_lockout_holds_even_with_the_right_password(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT)
    response = sign_in(client, "ann", org.password)
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_failures_below_the_limit_do_not_lock_out(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT - 1)
    sign_in(client, "ann", org.password)
    assert signed_in_as(client) == "ann"


def test_lockout_is_per_username(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT)
    sign_in(client, "tim", org.password)
    assert signed_in_as(client) == "tim"


def test_lockout_ignores_the_case_of_the_username(client, org, settings):
    fail(client, "ANN", settings.LOGIN_RATE_LIMIT)
    assert sign_in(client, "ann", org.password).status_code == 429


def test_lockout_holds_from_another_address(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT)
    assert sign_in(Client(REMOTE_ADDR="10.9.8.7"), "ann", org.password).status_code == 429


def test_one_address_failing_for_many_usernames_is_locked_out(client, org, settings):
    for i in range(settings.LOGIN_RATE_LIMIT * 4):
        sign_in(client, f"nobody{i}", "guess")
    assert sign_in(client, "tim", org.password).status_code == 429


def test_a_successful_sign_in_resets_the_failure_count(client, org, settings):
    fail(client, "ann", settings.LOGIN_RATE_LIMIT - 1)
    sign_in(client, "ann", org.password)
    client.post(reverse("logout"))
    fail(client, "ann", settings.LOGIN_RATE_LIMIT - 1)
    sign_in(client, "ann", org.password)
    assert signed_in_as(client) == "ann"


def test_lockout_ends_when_the_window_has_passed(client, org, settings):
    from django.core.cache import cache

    fail(client, "ann", settings.LOGIN_RATE_LIMIT)
    cache.clear()  # what the window's expiry does
    sign_in(client, "ann", org.password)
    assert signed_in_as(client) == "ann"


# --- Sessions and CSRF


def test_a_post_without_csrf_token_is_refused(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.ann)
    response = client.post(reverse("journal:quick"), {"title": "Forged", "way": "daily_work"})
    assert response.status_code == 403
    assert not Entry.objects.exists()


def test_a_post_with_the_csrf_token_is_accepted(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.ann)
    client.get(reverse("home"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("journal:quick"), {"title": "Genuine", "way": "daily_work",
                                                      "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Entry.objects.filter(title="Genuine").exists()


def test_sign_in_form_needs_a_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "ann", org.password).status_code == 403
    assert signed_in_as(client) is None


def test_session_cookie_is_http_only_and_same_site(client, org):
    sign_in(client, "ann", org.password)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_sign_in_gives_a_new_session_id(client, org):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    assert client.cookies["sessionid"].value == before
    sign_in(client, "ann", org.password)
    assert client.session.session_key != before
