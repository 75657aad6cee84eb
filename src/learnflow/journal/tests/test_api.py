"""The journal's JSON API as a script uses it: bearer tokens, create/list/patch/delete, errors that name the field."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from learnflow.journal.models import Entry, EntryAttachment, Way
from learnflow.journal.services import today_for
from learnflow.org.services import api_token_create, api_token_revoke

ENTRIES = "/api/journal/entries"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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
def ann(org, token_for):
    return token_for(org.ann)


def post_json(client, url, data, auth, method="post"):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return getattr(client, method)(url, body, content_type="application/json", **auth)


def error_fields(response) -> set[str | None]:
    return {e["field"] for e in response.json()["errors"]}


# --- Creating


def test_create_answers_201_with_the_stored_entry(client, org, ann):
    response = post_json(client, ENTRIES, {
        "title": "Window functions", "body": "`OVER()`", "way": "web_search", "learned_on": "2026-01-05",
        "minutes": 15, "visibility": "team", "share_note": "Saves joins", "tags": ["SQL"], "skills": ["Databases"],
        "links": [{"url": "https://example.org/wf", "title": "Docs"}],
        "reflection": {"learned": "OVER() replaces a self-join"}}, ann)
    assert response.status_code == 201
    body = response.json()
    entry = Entry.objects.get(author=org.ann)
    assert body["id"] == entry.pk and body["uid"] == str(entry.uid)
    assert (body["title"], body["way"], body["formality"], body["learned_on"], body["minutes"], body["visibility"],
            body["share_note"]) == ("Window functions", "web_search", "informal", "2026-01-05", 15, "team",
                                    "Saves joins")
    assert body["tags"] == ["sql"] and body["skills"] == ["Databases"]
    assert body["links"] == [{"url": "https://example.org/wf", "title": "Docs"}]
    assert body["reflection"]["learned"] == "OVER() replaces a self-join"
    assert body["author"]["username"] == "ann" and body["url"] == f"/journal/{entry.pk}/"


def test_create_with_only_a_title_makes_a_private_entry_for_today(client, org, ann):
    body = post_json(client, ENTRIES, {"title": "Just this"}, ann).json()
    assert (body["visibility"], body["way"], body["learned_on"]) == ("private", "daily_work",
                                                                     today_for(org.ann).isoformat())


@pytest.mark.parametrize("payload,field", [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "ok", "visibility": "everyone"}, "visibility"),
    ({"title": "ok", "learned_on": "yesterday"}, "learned_on"),
    ({"title": "ok", "learned_on": "2026-02-30"}, "learned_on"),
    ({"title": "ok", "minutes": 999999}, "minutes"),
    ({"title": "ok", "minutes": "lots"}, "minutes"),
    ({"title": "ok", "tags": "not-a-list"}, "tags"),
    ({"title": "ok", "links": [{"url": "javascript:alert(1)"}]}, "links"),
    ({"title": "ok", "links": [{"url": 5}]}, "links.0.url"),
    ({"title": "ok", "way": "osmosis"}, "way"),
    ({"title": "ok", "share_note": "why"}, "share_note"),
])
def test_bad_input_is_a_4xx_naming_the_field(client, ann, payload, field):
    response = post_json(client, ENTRIES, payload, ann)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert any(f == field or (f or "").startswith(field + ".") for f in error_fields(response)), body
    assert body["detail"]
    assert not Entry.objects.exists()


def test_a_date_in_the_future_is_refused_naming_the_field(client, org, ann):
    future = (today_for(org.ann) + dt.timedelta(days=3)).isoformat()
    response = post_json(client, ENTRIES, {"title": "ok", "learned_on": future}, ann)
    assert response.status_code == 400 and error_fields(response) == {"learned_on"}


def test_malformed_json_is_a_4xx_with_a_json_body(client, ann):
    response = post_json(client, ENTRIES, '{"title": "unterminated', ann)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not Entry.objects.exists()


def test_a_json_body_that_is_not_an_object_is_a_4xx(client, ann):
    response = post_json(client, ENTRIES, "[1, 2, 3]", ann)
    assert 400 <= response.status_code < 500 and response.json()["detail"]


# --- Authentication


def test_no_token_is_401_with_a_bearer_challenge(client, db):
    response = client.get(ENTRIES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["detail"]


def test_garbage_token_is_401(client, db):
    response = client.get(ENTRIES, HTTP_AUTHORIZATION="Bearer lf_not-a-real-token")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(client, org):
    token, raw = api_token_create(user=org.ann, name="script")
    api_token_revoke(user=org.ann, token_id=token.pk)
    response = client.get(ENTRIES, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_token_of_a_deactivated_person_is_401(client, org, token_for):
    auth = token_for(org.ann)
    org.ann.is_active = False
    org.ann.save()
    assert client.get(ENTRIES, **auth).status_code == 401


def test_create_without_a_token_saves_nothing(client, db):
    response = client.post(ENTRIES, {"title": "anon"}, content_type="application/json")
    assert response.status_code == 401
    assert not Entry.objects.exists()


def test_a_refused_token_on_a_write_is_401_not_a_csrf_error(org):
    scripted = Client(enforce_csrf_checks=True)  # like a real HTTP client: no test-client CSRF exemption
    response = scripted.post(ENTRIES, json.dumps({"title": "x"}), content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer lf_revoked-or-mistyped")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_needs_no_csrf_token(org, token_for):
    scripted = Client(enforce_csrf_checks=True)
    response = scripted.post(ENTRIES, json.dumps({"title": "From a script"}), content_type="application/json",
                             **token_for(org.ann))
    assert response.status_code == 201


def test_a_browser_session_write_without_csrf_token_is_refused(org):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org.ann)
    response = browser.post(ENTRIES, json.dumps({"title": "Forged"}), content_type="application/json")
    assert response.status_code == 403
    assert not Entry.objects.exists()


def test_session_cookie_works_for_reads(client, org, entry_factory):
    entry_factory(org.ann, "Via the browser")
    client.force_login(org.ann)
    assert client.get(ENTRIES).json()["count"] == 1


def test_me_says_whose_token_it_is(client, org, ann):
    body = client.get("/api/me", **ann).json()
    assert (body["username"], body["team"], body["manager"]) == ("ann", "Engineering", "boss")


# --- Listing


@pytest.fixture
def listed(org, entry_factory):
    today = today_for(org.ann)
    entry_factory(org.ann, "Old SQL", way="web_search", learned_on=today - dt.timedelta(days=40), tags=["sql"])
    entry_factory(org.ann, "Demo day", way="colleagues", learned_on=today - dt.timedelta(days=2), tags=["demo"],
                  skills=["Presenting"], visibility="team")
    entry_factory(org.ann, "Flame graphs", way="experimenting", learned_on=today, body="profiling exports")
    entry_factory(org.tim, "Tim's team note", visibility="team")
    entry_factory(org.eve, "Eve's secret")
    return today


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def test_list_shows_my_entries_newest_first(client, ann, listed):
    response = client.get(ENTRIES, **ann)
    assert response.status_code == 200
    assert titles(response) == ["Flame graphs", "Demo day", "Old SQL"]
    assert response.json()["count"] == 3


def test_list_scope_shared_shows_what_others_shared_with_me(client, ann, listed):
    assert titles(client.get(ENTRIES, {"scope": "shared"}, **ann)) == ["Tim's team note"]


@pytest.mark.parametrize("query,expected", [
    ({"way": "web_search"}, ["Old SQL"]),
    ({"tag": "demo"}, ["Demo day"]),
    ({"skill": "Presenting"}, ["Demo day"]),
    ({"visibility": "team"}, ["Demo day"]),
    ({"q": "profiling"}, ["Flame graphs"]),
])
def test_list_filter_narrows_the_results(client, ann, listed, query, expected):
    assert titles(client.get(ENTRIES, query, **ann)) == expected


def test_list_date_range_narrows_the_results(client, ann, listed):
    query = {"date_from": (listed - dt.timedelta(days=7)).isoformat(), "date_to": listed.isoformat()}
    assert titles(client.get(ENTRIES, query, **ann)) == ["Flame graphs", "Demo day"]


def test_list_pages_with_limit_and_offset(client, ann, listed):
    body = client.get(ENTRIES, {"limit": 2, "offset": 1}, **ann).json()
    assert (body["count"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [i["title"] for i in body["items"]] == ["Demo day", "Old SQL"]


@pytest.mark.parametrize("query,field", [({"limit": 0}, "limit"), ({"limit": 1000}, "limit"),
                                         ({"offset": -1}, "offset"), ({"visibility": "world"}, "visibility"),
                                         ({"date_from": "soon"}, "date_from"), ({"scope": "everyone"}, "scope")])
def test_bad_list_parameters_are_a_4xx_naming_the_parameter(client, ann, query, field):
    response = client.get(ENTRIES, query, **ann)
    assert 400 <= response.status_code < 500 and field in error_fields(response)


def test_a_bad_choice_in_the_query_is_reported_once_with_the_allowed_values(client, ann):
    errors = client.get(ENTRIES, {"visibility": "world"}, **ann).json()["errors"]
    assert errors == [{"field": "visibility", "message": "Input should be 'private', 'manager', 'team' or "
                                                         "'organisation'"}]


def test_get_one_entry(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "One")
    response = client.get(f"{ENTRIES}/{entry.pk}", **ann)
    assert response.status_code == 200 and response.json()["title"] == "One"


def test_get_an_entry_that_does_not_exist_is_404_json(client, ann, db):
    response = client.get(f"{ENTRIES}/999999", **ann)
    assert response.status_code == 404 and response.json()["detail"]


# --- Changing and deleting


def test_patch_changes_only_the_given_fields(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Before", body="Keep", minutes=10, tags=["keep"])
    response = post_json(client, f"{ENTRIES}/{entry.pk}", {"title": "After"}, ann, method="patch")
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["body"], body["minutes"], body["tags"]) == ("After", "Keep", 10, ["keep"])


def test_patch_can_clear_the_minutes(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Timed", minutes=10)
    post_json(client, f"{ENTRIES}/{entry.pk}", {"minutes": None}, ann, method="patch")
    entry.refresh_from_db()
    assert entry.minutes is None


def test_patch_to_private_clears_the_share_note(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Shared", visibility="team", share_note="Useful")
    body = post_json(client, f"{ENTRIES}/{entry.pk}", {"visibility": "private"}, ann, method="patch").json()
    assert (body["visibility"], body["share_note"]) == ("private", "")


def test_patch_with_bad_input_names_the_field_and_changes_nothing(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Before")
    response = post_json(client, f"{ENTRIES}/{entry.pk}", {"title": "After", "way": "osmosis"}, ann, method="patch")
    assert response.status_code == 400 and error_fields(response) == {"way"}
    entry.refresh_from_db()
    assert entry.title == "Before"


def test_patch_by_someone_else_is_404_even_when_they_can_see_it(client, org, token_for, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="team")
    response = post_json(client, f"{ENTRIES}/{entry.pk}", {"title": "Tim's now"}, token_for(org.tim), method="patch")
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Ann's"


def test_delete_answers_204_and_removes_the_entry(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Gone")
    response = client.delete(f"{ENTRIES}/{entry.pk}", **ann)
    assert response.status_code == 204
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_delete_by_someone_else_is_404(client, org, token_for, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="organisation")
    assert client.delete(f"{ENTRIES}/{entry.pk}", **token_for(org.root)).status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()


# --- Attachments


def test_upload_an_attachment(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    response = client.post(f"{ENTRIES}/{entry.pk}/attachments", {"file": SimpleUploadedFile("graph.png", PNG)}, **ann)
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == ("graph.png", "image/png", len(PNG))
    listed = client.get(f"{ENTRIES}/{entry.pk}", **ann).json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_uploaded_attachment_is_downloadable_by_its_author(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    url = client.post(f"{ENTRIES}/{entry.pk}/attachments",
                      {"file": SimpleUploadedFile("notes.txt", b"hello")}, **ann).json()["url"]
    client.force_login(org.ann)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"


def test_refused_upload_is_a_400_naming_the_file_field(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    response = client.post(f"{ENTRIES}/{entry.pk}/attachments",
                           {"file": SimpleUploadedFile("fake.png", b"text pretending")}, **ann)
    assert response.status_code == 400 and error_fields(response) == {"file"}
    assert "does not look like a .png file" in response.json()["detail"]
    assert not EntryAttachment.objects.exists()


def test_upload_without_a_file_is_a_4xx_naming_the_field(client, org, ann, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    response = client.post(f"{ENTRIES}/{entry.pk}/attachments", {}, **ann)
    assert 400 <= response.status_code < 500 and "file" in error_fields(response)


def test_upload_to_someone_elses_entry_is_404(client, org, token_for, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="team")
    response = client.post(f"{ENTRIES}/{entry.pk}/attachments", {"file": SimpleUploadedFile("a.txt", b"x")},
                           **token_for(org.tim))
    assert response.status_code == 404 and not EntryAttachment.objects.exists()


# --- Describing itself


def test_openapi_document_lists_the_journal_paths(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/journal/entries", "/api/journal/entries/{entry_id}", "/api/journal/ways"} <= set(paths)
    assert {"get", "post"} <= set(paths["/api/journal/entries"])
    assert {"get", "patch", "delete"} <= set(paths["/api/journal/entries/{entry_id}"])


def test_openapi_document_declares_bearer_auth(client, db):
    schemes = client.get("/api/openapi.json").json()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_ways_lists_every_way_with_its_formality(client, ann):
    body = client.get("/api/journal/ways", **ann).json()
    assert [w["value"] for w in body] == list(Way.values)
    assert {w["formality"] for w in body} == {"formal", "non_formal", "informal"}
    assert all(w["label"] for w in body)
