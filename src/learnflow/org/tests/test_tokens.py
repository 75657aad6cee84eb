"""Personal API tokens: made on the profile page, shown once, usable as Bearer, revoked at once, stored hashed."""
from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from learnflow.org.models import ApiToken
from learnflow.org.services import api_token_authenticate, api_token_create, api_token_revoke


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def create_on_profile(client, name="Terminal") -> str | None:
    response = client.post(reverse("token_create"), {"name": name})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    return client.get(reverse("profile")).context["new_token"]


def test_token_made_on_the_profile_page_is_shown_once(ann_client):
    raw = create_on_profile(ann_client)
    assert raw and raw.startswith("lf_")
    again = ann_client.get(reverse("profile"))
    assert again.context["new_token"] is None and raw not in again.content.decode()


def test_new_token_appears_on_the_profile_page(ann_client):
    raw = create_on_profile(ann_client)
    response = ann_client.get(reverse("profile"))
    assert raw not in response.content.decode()
    assert [t.name for t in response.context["tokens"]] == ["Terminal"]


def test_token_from_the_profile_page_works_as_bearer(client, ann_client):
    raw = create_on_profile(ann_client)
    from django.test import Client

    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["username"] == "ann"


def test_revoked_token_stops_working_at_once(ann_client, org):
    raw = create_on_profile(ann_client)
    from django.test import Client

    api = Client()
    assert api.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token = ApiToken.objects.get(user=org.ann)
    response = ann_client.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_only_a_hash_of_the_token_is_stored(org):
    token, raw = api_token_create(user=org.ann, name="script")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in [str(v) for v in row.values()]
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["prefix"] == raw[:10]


def test_tokens_are_different_each_time(org):
    assert api_token_create(user=org.ann)[1] != api_token_create(user=org.ann)[1]


def test_nobody_can_revoke_someone_elses_token(client, org):
    token, raw = api_token_create(user=org.ann, name="script")
    client.force_login(org.root)
    client.post(reverse("token_revoke", args=[token.pk]))
    assert api_token_authenticate(raw=raw) == org.ann


def test_revoking_twice_keeps_the_first_revocation_time(org):
    token, _ = api_token_create(user=org.ann)
    first = api_token_revoke(user=org.ann, token_id=token.pk).revoked_at
    assert api_token_revoke(user=org.ann, token_id=token.pk).revoked_at == first


def test_a_token_name_over_80_characters_is_refused(ann_client, org):
    response = ann_client.post(reverse("token_create"), {"name": "x" * 81}, follow=True)
    assert not ApiToken.objects.filter(user=org.ann).exists()
    assert any("80 characters" in str(m) for m in response.context["messages"])


def test_token_use_is_recorded(org):
    token, raw = api_token_create(user=org.ann)
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "lf_", "lf_wrong", "Bearer lf_x", "not-even-prefixed"])
def test_unknown_tokens_authenticate_nobody(org, raw):
    api_token_create(user=org.ann)
    assert api_token_authenticate(raw=raw) is None


def test_token_creation_needs_a_post(ann_client, org):
    assert ann_client.get(reverse("token_create")).status_code == 405
    assert not ApiToken.objects.exists()
