"""Security headers on every page, no third-party origin anywhere, and the health check."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 at its production cost (100 MB per hash) makes every persona take seconds; these tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def pages(org, entry_factory) -> list[str]:
    entry = entry_factory(org.ann, "A learning", body="[docs](https://docs.example.org)", visibility="team")
    return [reverse("home"), reverse("journal:timeline"), reverse("journal:new"), reverse("journal:week"),
            reverse("journal:team"), reverse("journal:organisation"), reverse("journal:detail", args=[entry.pk]),
            reverse("journal:edit", args=[entry.pk]), reverse("journal:delete", args=[entry.pk]),
            reverse("profile"), reverse("people"), reverse("password_change"), reverse("search") + "?q=learning",
            "/api/docs"]


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def csp_sources(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def source_is_first_party(source: str) -> bool:
    # 'self', 'none', data: and quoted keywords ('unsafe-inline' for a sandboxed file, 'strict-dynamic' …) name no host.
    return source in ALLOWED_SOURCES or bool(re.fullmatch(r"'[a-z-]+'", source))


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag in ("img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.urls.append(attrs["src"])


def external_resources(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return [u for u in parser.urls if urlsplit(u).netloc or u.startswith("//")]


def test_every_page_has_a_csp_that_allows_no_third_party_origin(ann_client, pages):
    for url in pages:
        response = ann_client.get(url)
        assert response.status_code == 200, url
        directives = csp_sources(response["Content-Security-Policy"])
        assert directives.get("default-src"), url
        foreign = [s for sources in directives.values() for s in sources if not source_is_first_party(s)]
        assert foreign == [], (url, foreign)


def test_csp_forbids_plugins_framing_and_foreign_form_targets(client, db):
    directives = csp_sources(client.get(reverse("login"))["Content-Security-Policy"])
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])


def test_every_page_forbids_framing_sniffing_and_cross_site_referrers(ann_client, pages):
    for url in pages:
        response = ann_client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url


def test_sign_in_page_has_the_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_api_responses_have_the_security_headers(client, org, token_for):
    response = client.get("/api/journal/entries", **token_for(org.ann))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_pages_load_scripts_and_styles_only_from_learnflow(ann_client, pages):
    for url in pages:
        html = ann_client.get(url).content.decode()
        assert external_resources(html) == [], url


def test_sign_in_page_loads_nothing_from_another_origin(client, db):
    assert external_resources(client.get(reverse("login")).content.decode()) == []


def test_pages_have_no_inline_scripts_the_csp_would_block(ann_client, pages):
    for url in pages:
        html = ann_client.get(url).content.decode()
        # A JSON data block is not executed; anything else inline would be blocked by script-src 'self'.
        inline = re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>\s*\S", html)
        assert inline == [], url


def test_not_found_page_has_the_security_headers(ann_client):
    response = ann_client.get("/journal/999999/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in response


def test_healthz_answers_200_json_when_the_database_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


def test_healthz_needs_no_sign_in_and_is_not_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
