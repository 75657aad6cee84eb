"""Export and import of a person's journal: the round trip loses nothing, bad files change nothing, others' entries
never leave with mine."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path

import typer
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnflow.core.models import Event, Skill, Tag
from learnflow.core.visibility import Visibility
from learnflow.journal import portability
from learnflow.journal.models import Entry, EntryAttachment, Way, WeeklyReview
from learnflow.journal.services import LinkIn, attachment_add, entry_create, today_for, weekly_review_save
from learnflow.org.services import user_create

@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache before DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["learnflow.core.testing.FastArgon2PasswordHasher"]
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
NOTES = "Flame graphs: width is time, not order.\n\nÜmlauts and emoji 🎓 survive.\n".encode()


# --- Helpers ------------------------------------------------------------------------------------------------------


def _rich_entry(author, **overrides):
    """An entry with every field filled, two files, a link and a full reflection."""
    kwargs = dict(
        title="Reading a flame graph", body="# Steps\n\nWidth is **time**.", way=Way.EXPERIMENTING,
        learned_on=today_for(author) - dt.timedelta(days=40), minutes=45, visibility=Visibility.TEAM,
        share_note="Saves hours when profiling", tags=["profiling", "python"], skills=["Performance tuning"],
        links=[LinkIn(url="https://example.org/flame", title="Flame graphs explained")],
        reflection={"happened": "A slow endpoint", "learned": "Look at width", "apply": "Profile before guessing",
                    "differently": "Start with sampling"},
    )
    kwargs.update(overrides)
    entry = entry_create(author=author, **kwargs)
    attachment_add(entry=entry, actor=author, upload=SimpleUploadedFile("graph.png", PNG))
    attachment_add(entry=entry, actor=author, upload=SimpleUploadedFile("notes.md", NOTES))
    return entry


def _snapshot(user) -> list[dict]:
    """Everything a person's journal holds, in a comparable shape (attachments by their bytes)."""
    rows = []
    for e in Entry.objects.owned_by(user).order_by("uid"):
        rows.append({
            "uid": e.uid, "title": e.title, "body": e.body, "way": e.way, "learned_on": e.learned_on,
            "minutes": e.minutes, "visibility": e.visibility, "share_note": e.share_note,
            "reflection": (e.reflection_happened, e.reflection_learned, e.reflection_apply, e.reflection_differently),
            "tags": sorted(t.name for t in e.tags.all()), "skills": sorted(s.name for s in e.skills.all()),
            "links": [(link.url, link.title) for link in e.links.all()],
            "created_at": e.created_at, "updated_at": e.updated_at,
            "attachments": [(a.original_name, a.content_type, a.size, a.sha256, a.created_at, _bytes(a))
                            for a in e.attachments.order_by("id")],
        })
    return rows


def _reviews(user) -> list[tuple]:
    return list(WeeklyReview.objects.filter(author=user).order_by("week_start")
                .values_list("week_start", "went_well", "key_learning", "next_week", "created_at", "updated_at"))


def _bytes(attachment: EntryAttachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def _export_bytes(user, **kw) -> bytes:
    return "".join(portability.journal_export_json(owner=user, **kw)).encode()


def _forget_instance() -> None:
    """What a fresh Learnflow instance looks like to the import: no entries, reviews, tags or skills."""
    for attachment in EntryAttachment.objects.all():
        attachment.file.delete(save=False)
    Entry.objects.all().delete()
    WeeklyReview.objects.all().delete()
    Tag.objects.all().delete()
    Skill.objects.all().delete()


def _newcomer():
    return user_create(username="newcomer", password="correct horse battery staple", check_password=False)


def _document(*entries, **top) -> bytes:
    doc = {"format": "learnflow-journal", "version": 1, "entries": list(entries), "weekly_reviews": []}
    doc.update(top)
    return json.dumps(doc).encode()


def _entry(**fields) -> dict:
    base = {"uid": "6f1d7a0e-0c52-4d1f-8f43-0b6c3f0b2d11", "title": "Imported learning", "body": "",
            "way": "reading", "learned_on": "2025-05-05", "minutes": None, "visibility": "private",
            "share_note": "", "reflection": {}, "tags": [], "skills": [], "links": [], "attachments": [],
            "created_at": "2025-05-05T10:00:00+00:00", "updated_at": "2025-05-06T10:00:00+00:00"}
    base.update(fields)
    return base


def _file(name="graph.png", content=PNG, **fields) -> dict:
    item = {"name": name, "content_type": "image/png", "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "created_at": "2025-05-05T10:00:00+00:00",
            "content_base64": base64.b64encode(content).decode()}
    item.update(fields)
    return item


def _refusal(author, data: bytes, **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        portability.journal_import(author=author, data=data, **kw)
    return " | ".join(exc.value.message_dict["file"])


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


JRNL_EXPORT = {
    "tags": {"@python": 2, "@work": 1},
    "entries": [
        {"title": "Entry the first.", "body": "Lorem @python dolor sit amet.\n\nMore @work text.",
         "date": "2024-08-29", "time": "11:11", "tags": ["@python", "@work"], "starred": False},
        {"title": "A second entry in what I hope to be a long series.", "body": "Sed sit amet @python.",
         "date": "2024-08-31", "time": "14:32", "tags": ["@python"], "starred": True},
    ],
}


# --- Export -------------------------------------------------------------------------------------------------------


def test_json_export_is_versioned_and_carries_every_entry_field(org):
    entry = _rich_entry(org.ann)
    doc = portability.journal_export_document(owner=org.ann)
    assert (doc["format"], doc["version"], doc["person"]["username"]) == ("learnflow-journal", 1, "ann")
    (record,) = doc["entries"]
    assert record["uid"] == str(entry.uid)
    assert record["learned_on"] == entry.learned_on.isoformat()
    assert record["visibility"] == "team" and record["share_note"] == "Saves hours when profiling"
    assert record["reflection"] == {"happened": "A slow endpoint", "learned": "Look at width",
                                    "apply": "Profile before guessing", "differently": "Start with sampling"}
    assert record["tags"] == ["profiling", "python"] and record["skills"] == ["Performance tuning"]
    assert record["links"] == [{"url": "https://example.org/flame", "title": "Flame graphs explained"}]
    assert {"title", "body", "way", "minutes", "created_at", "updated_at"} <= set(record)
    assert [a["name"] for a in record["attachments"]] == ["graph.png", "notes.md"]
    assert base64.b64decode(record["attachments"][0]["content_base64"]) == PNG


def test_json_export_includes_weekly_reviews(org):
    monday = today_for(org.ann) - dt.timedelta(days=today_for(org.ann).weekday() + 7)
    weekly_review_save(author=org.ann, week_start=monday, went_well="Pairing", key_learning="Flame graphs",
                       next_week="Try sampling")
    doc = portability.journal_export_document(owner=org.ann)
    assert doc["weekly_reviews"][0]["week_start"] == monday.isoformat()
    assert doc["weekly_reviews"][0]["key_learning"] == "Flame graphs"


def test_json_export_without_files_keeps_their_metadata_only(org):
    _rich_entry(org.ann)
    doc = portability.journal_export_document(owner=org.ann, include_files=False)
    attachment = doc["entries"][0]["attachments"][0]
    assert attachment["content_base64"] is None and attachment["sha256"] == hashlib.sha256(PNG).hexdigest()


def test_export_leaves_out_entries_others_shared_with_me(org, entry_factory):
    entry_factory(org.ann, title="Mine")
    entry_factory(org.tim, title="Tim's team learning", visibility=Visibility.TEAM)
    entry_factory(org.eve, title="Eve's organisation learning", visibility=Visibility.ORGANISATION)
    doc = portability.journal_export_document(owner=org.ann)
    markdown = "".join(portability.journal_export_markdown(owner=org.ann))
    assert [e["title"] for e in doc["entries"]] == ["Mine"]
    assert "Tim's team learning" not in markdown and "Eve's organisation learning" not in markdown


def test_markdown_export_is_one_readable_document(org):
    entry = _rich_entry(org.ann)
    text = "".join(portability.journal_export_markdown(owner=org.ann))
    assert text.startswith("---\nformat: learnflow-journal-markdown\n")
    assert f"## {entry.learned_on.isoformat()} · Reading a flame graph" in text
    assert "#### Steps" in text  # the body's own heading sits below the entry's heading
    assert "### What I will do differently\n\nStart with sampling" in text
    assert "- [Flame graphs explained](<https://example.org/flame>)" in text
    assert "- graph.png (" in text and "- notes.md (" in text
    assert "**Tags:** #profiling, #python" in text


# --- Round trip ---------------------------------------------------------------------------------------------------


def test_round_trip_into_a_fresh_instance_loses_nothing(org, entry_factory):
    _rich_entry(org.ann)
    _rich_entry(org.ann, title="Second, private", visibility=Visibility.PRIVATE, share_note="", minutes=None,
                reflection=None, links=[], tags=[], skills=["SQL"])
    entry_factory(org.ann, title="Plain", way=Way.MEDIA, learned_on=today_for(org.ann) - dt.timedelta(days=3))
    monday = today_for(org.ann) - dt.timedelta(days=today_for(org.ann).weekday() + 14)
    weekly_review_save(author=org.ann, week_start=monday, went_well="a", key_learning="b", next_week="c")
    before, reviews_before = _snapshot(org.ann), _reviews(org.ann)
    data = _export_bytes(org.ann)

    _forget_instance()
    newcomer = _newcomer()
    report = portability.journal_import(author=newcomer, data=data)

    assert (report.imported, report.attachments, report.reviews_imported) == (3, 4, 1)
    assert _snapshot(newcomer) == before
    assert _reviews(newcomer) == reviews_before


def test_reimporting_the_same_export_adds_nothing(org):
    _rich_entry(org.ann)
    data = _export_bytes(org.ann)
    _forget_instance()
    newcomer = _newcomer()
    portability.journal_import(author=newcomer, data=data)
    again = portability.journal_import(author=newcomer, data=data)
    assert (again.imported, again.already_present) == (0, 1)
    assert Entry.objects.owned_by(newcomer).count() == 1 and EntryAttachment.objects.count() == 2


def test_importing_my_export_into_my_own_journal_finds_everything_present(org):
    _rich_entry(org.ann)
    report = portability.journal_import(author=org.ann, data=_export_bytes(org.ann))
    assert (report.imported, report.already_present) == (0, 1)


def test_second_person_on_the_same_instance_gets_own_copies_once(org):
    original = _rich_entry(org.ann)
    data = _export_bytes(org.ann)
    first = portability.journal_import(author=org.tim, data=data)
    second = portability.journal_import(author=org.tim, data=data)
    copy = Entry.objects.owned_by(org.tim).get()
    assert (first.imported, second.already_present) == (1, 1)
    assert copy.uid != original.uid and copy.title == original.title
    assert Entry.objects.owned_by(org.ann).get().uid == original.uid


def test_attachments_can_travel_as_archive_members_instead_of_base64(org):
    # The "all my data" archive (issue 4) stores file bytes beside the document and resolves them on import.
    _rich_entry(org.ann)
    members = {}

    def member_name(attachment):
        members[f"files/{attachment.sha256}"] = _bytes(attachment)
        return f"files/{attachment.sha256}"

    doc = portability.journal_export_document(owner=org.ann, archive_path=member_name)
    before = _snapshot(org.ann)
    _forget_instance()
    portability.journal_import(author=org.ann, data=json.dumps(doc).encode(), open_attachment=members.__getitem__)
    assert "content_base64" not in doc["entries"][0]["attachments"][0]
    assert _snapshot(org.ann) == before


def test_an_archive_reference_in_a_single_file_is_refused(org):
    item = _file(content_base64=None, archive_path="files/abc")
    assert "said to be in an archive" in _refusal(org.ann, _document(_entry(attachments=[item])))


def test_import_restores_visibility_as_exported(org):
    _rich_entry(org.ann)
    data = _export_bytes(org.ann)
    _forget_instance()
    report = portability.journal_import(author=org.ann, data=data)
    entry = Entry.objects.owned_by(org.ann).get()
    assert entry.visibility == Visibility.TEAM and report.shared == {"team": 1}


def test_import_can_make_everything_private(org):
    _rich_entry(org.ann)
    data = _export_bytes(org.ann)
    _forget_instance()
    portability.journal_import(author=org.ann, data=data, private_only=True)
    entry = Entry.objects.owned_by(org.ann).get()
    assert (entry.visibility, entry.share_note) == (Visibility.PRIVATE, "")


def test_imported_entries_are_recorded_as_events_like_any_other(org):
    portability.journal_import(author=org.ann, data=_document(_entry()))
    entry = Entry.objects.owned_by(org.ann).get()
    event = Event.objects.get(object_type="journal.entry", object_id=str(entry.pk), verb="logged")
    assert event.actor == org.ann and event.data == {"source": "import"}


def test_files_exported_without_content_are_reported_as_skipped(org):
    _rich_entry(org.ann)
    data = _export_bytes(org.ann, include_files=False)
    _forget_instance()
    report = portability.journal_import(author=org.ann, data=data)
    assert report.imported == 1 and EntryAttachment.objects.count() == 0
    assert any("graph.png" in reason and "without its content" in reason for reason in report.skipped)


def test_an_existing_weekly_review_is_kept_not_overwritten(org):
    monday = today_for(org.ann) - dt.timedelta(days=today_for(org.ann).weekday() + 7)
    weekly_review_save(author=org.ann, week_start=monday, went_well="Mine", key_learning="", next_week="")
    review = {"week_start": monday.isoformat(), "went_well": "From the file", "key_learning": "", "next_week": ""}
    report = portability.journal_import(author=org.ann, data=_document(weekly_reviews=[review]))
    assert WeeklyReview.objects.get(author=org.ann).went_well == "Mine"
    assert report.reviews_present == 1 and "kept as it is" in report.skipped[0]


# --- jrnl -----------------------------------------------------------------------------------------------------------


def test_jrnl_export_becomes_private_daily_work_entries_with_tags(org):
    report = portability.journal_import(author=org.ann, data=json.dumps(JRNL_EXPORT).encode())
    first, second = Entry.objects.owned_by(org.ann).order_by("learned_on")
    assert (report.source, report.imported) == ("jrnl", 2)
    assert (first.title, first.learned_on, first.way, first.visibility) == (
        "Entry the first.", dt.date(2024, 8, 29), Way.DAILY_WORK, Visibility.PRIVATE)
    assert sorted(t.name for t in first.tags.all()) == ["python", "work"]
    assert sorted(t.name for t in second.tags.all()) == ["python", "starred"]
    assert first.body.startswith("Lorem @python")


def test_jrnl_date_and_time_become_when_it_was_written(org):
    portability.journal_import(author=org.ann, data=json.dumps(JRNL_EXPORT).encode())
    first = Entry.objects.owned_by(org.ann).order_by("learned_on").first()
    assert first.created_at == dt.datetime(2024, 8, 29, 11, 11, tzinfo=dt.timezone.utc)


def test_reimporting_a_jrnl_export_adds_nothing(org):
    data = json.dumps(JRNL_EXPORT).encode()
    portability.journal_import(author=org.ann, data=data)
    again = portability.journal_import(author=org.ann, data=data)
    assert (again.imported, again.already_present) == (0, 2)
    assert Entry.objects.owned_by(org.ann).count() == 2


def test_jrnl_title_longer_than_a_title_keeps_its_full_text_in_the_body(org):
    long_title = "A first sentence that goes on " * 10
    doc = {"tags": {}, "entries": [{"title": long_title, "body": "Rest.", "date": "2024-01-02", "time": "08:00",
                                    "tags": [], "starred": False}]}
    portability.journal_import(author=org.ann, data=json.dumps(doc).encode())
    entry = Entry.objects.owned_by(org.ann).get()
    assert len(entry.title) <= 200 and entry.body.startswith(long_title.strip())


def test_jrnl_entry_dated_in_the_future_is_refused(org):
    doc = {"tags": {}, "entries": [{"title": "Tomorrow's news", "body": "", "date": "2999-01-01", "time": "08:00",
                                    "tags": [], "starred": False}]}
    message = _refusal(org.ann, json.dumps(doc).encode())
    assert "Entry 1" in message and "2999-01-01 is in the future" in message


# --- Bad files: refused with a message naming what is wrong, and nothing written ---------------------------------


def test_a_file_that_is_not_json_is_refused(org):
    assert "not valid JSON (line 1" in _refusal(org.ann, b"<html>hello</html>")


def test_absurdly_nested_json_is_refused(org):
    assert "nested too deeply" in _refusal(org.ann, b"[" * 200_000 + b"]" * 200_000)


def test_text_with_a_nul_character_is_refused(org):
    assert "NUL character" in _refusal(org.ann, _document(_entry(skills=["SQL\u0000"])))


def test_json_of_another_kind_is_refused(org):
    message = _refusal(org.ann, json.dumps({"format": "dayone", "entries": []}).encode())
    assert "“dayone” file, not a Learnflow journal export" in message


def test_json_without_entries_is_refused(org):
    assert "neither a Learnflow journal export nor a jrnl" in _refusal(org.ann, b'{"hello": "world"}')


def test_a_newer_format_version_is_refused(org):
    assert "newer Learnflow (format version 2)" in _refusal(org.ann, _document(version=2))


def test_a_file_over_the_import_limit_is_refused(org, settings):
    settings.MAX_IMPORT_BYTES = 500
    assert "larger than the" in _refusal(org.ann, _document(_entry(body="x" * 1000)))


def test_bad_field_values_are_named_with_their_entry(org):
    message = _refusal(org.ann, _document(_entry(way="juggling", minutes=-5, visibility="everyone")))
    assert "Entry 1 (“Imported learning”): “way” \"juggling\" is not a way of learning" in message
    assert "“minutes” should be a whole number" in message and "“visibility” \"everyone\"" in message


def test_a_learning_dated_in_the_future_is_refused(org):
    message = _refusal(org.ann, _document(_entry(learned_on="2999-12-31")))
    assert "“learned_on” 2999-12-31 is in the future" in message


def test_bad_base64_is_refused(org):
    message = _refusal(org.ann, _document(_entry(attachments=[_file(content_base64="not base64!!")])))
    assert "file “graph.png”: “content_base64” is not valid base64" in message


def test_content_that_does_not_match_its_checksum_is_refused(org):
    message = _refusal(org.ann, _document(_entry(attachments=[_file(sha256="0" * 64)])))
    assert "does not match its sha256 checksum" in message


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "/etc/passwd.txt", "..\\boot.ini.txt", "bad\x07bell.txt",
                                  ".."])
def test_path_like_attachment_names_are_refused(org, name):
    assert "looks like a path" in _refusal(org.ann, _document(_entry(attachments=[_file(name=name)])))


def test_an_attachment_of_a_forbidden_type_is_refused(org):
    message = _refusal(org.ann, _document(_entry(attachments=[_file(name="run.exe", content=b"MZ")])))
    assert "“run.exe” is not a type of file that can be attached" in message


def test_the_same_uid_twice_in_one_file_is_refused(org):
    message = _refusal(org.ann, _document(_entry(), _entry(title="Again")))
    assert "is also used by entry 1" in message


def test_every_problem_in_a_file_is_named_at_once(org):
    message = _refusal(org.ann, _document(_entry(way="juggling"), _entry(uid="not-a-uid")))
    assert "Entry 1" in message and "Entry 2" in message and "“uid” should be a UUID" in message


def test_a_refused_file_imports_nothing_at_all(org, settings):
    good = _entry(attachments=[_file()])
    # Only the service notices this one (the link is not a web address), after the first entry was written.
    bad = _entry(uid="0a4a4d4e-8c2a-4b36-9d36-7d0f0c8b9a01", title="Broken link",
                 links=[{"url": "javascript:alert(1)", "title": "x"}])
    message = _refusal(org.ann, _document(good, bad))
    assert "Entry 2 (“Broken link”): links:" in message
    assert Entry.objects.count() == 0 and EntryAttachment.objects.count() == 0 and Event.objects.count() == 0
    assert _stored_files(settings) == []


def test_a_refused_file_leaves_existing_entries_as_they_were(org, entry_factory):
    entry_factory(org.ann, title="Already mine")
    _refusal(org.ann, _document(_entry(), _entry(uid="0a4a4d4e-8c2a-4b36-9d36-7d0f0c8b9a01", learned_on="3000-01-01")))
    assert list(Entry.objects.owned_by(org.ann).values_list("title", flat=True)) == ["Already mine"]


# --- Pages ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_export_page_shows_what_will_be_exported(ann_client, org):
    _rich_entry(org.ann)
    response = ann_client.get(reverse("journal:export"))
    assert response.status_code == 200
    assert b"1 entry, 2 files" in response.content and reverse("journal:export_json").encode() in response.content


def test_export_pages_need_a_signed_in_person(client, db):
    for name in ("export", "export_json", "export_markdown", "import"):
        assert client.get(reverse(f"journal:{name}")).status_code == 302


def test_json_download_is_an_attachment_with_a_dated_filename(ann_client, org):
    _rich_entry(org.ann)
    response = ann_client.get(reverse("journal:export_json"))
    day = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="learnflow-journal-ann-{day}.json"'
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert json.loads(_body(response))["entries"][0]["title"] == "Reading a flame graph"


def test_markdown_download_is_an_attachment_with_a_dated_filename(ann_client, org):
    _rich_entry(org.ann)
    response = ann_client.get(reverse("journal:export_markdown"))
    day = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="learnflow-journal-ann-{day}.md"'
    assert "Reading a flame graph" in _body(response).decode()


def test_downloads_never_hold_entries_shared_with_me(ann_client, org, entry_factory):
    entry_factory(org.tim, title="Tim shared this with the team", visibility=Visibility.TEAM)
    entry_factory(org.boss, title="Boss shared this with me", visibility=Visibility.ORGANISATION)
    for name in ("export_json", "export_markdown"):
        body = _body(ann_client.get(reverse(f"journal:{name}")))
        assert b"Tim shared" not in body and b"Boss shared" not in body


def test_import_page_imports_an_upload_and_says_what_happened(ann_client, org):
    upload = SimpleUploadedFile("journal.json", _document(_entry(attachments=[_file()])), "application/json")
    response = ann_client.post(reverse("journal:import"), {"file": upload})
    assert response.status_code == 200
    assert b"<strong>1</strong> entry imported, with 1 file" in response.content
    assert Entry.objects.owned_by(org.ann).get().title == "Imported learning"


def test_import_page_counts_entries_already_present(ann_client, org):
    data = _document(_entry())
    ann_client.post(reverse("journal:import"), {"file": SimpleUploadedFile("a.json", data)})
    response = ann_client.post(reverse("journal:import"), {"file": SimpleUploadedFile("a.json", data)})
    assert b"<strong>1</strong> already in your journal" in response.content


def test_import_page_shows_why_a_file_was_refused_and_keeps_the_choice(ann_client, org):
    upload = SimpleUploadedFile("journal.json", _document(_entry(learned_on="2999-01-01")))
    response = ann_client.post(reverse("journal:import"), {"file": upload, "private_only": "on"})
    assert response.status_code == 400
    assert "2999-01-01 is in the future" in response.content.decode()
    assert b'id="id_private_only" checked' in response.content
    assert Entry.objects.count() == 0


def test_import_page_refuses_a_file_over_the_limit_before_reading_it(ann_client, org, settings):
    settings.MAX_IMPORT_BYTES = 10
    upload = SimpleUploadedFile("big.json", b"x" * 200_000)
    response = ann_client.post(reverse("journal:import"), {"file": upload})
    assert response.status_code == 413 and b"import limit" in response.content


def test_import_page_without_a_file_asks_for_one(ann_client):
    response = ann_client.post(reverse("journal:import"), {})
    assert response.status_code == 400 and b"This field is required" in response.content


# --- Command line ---------------------------------------------------------------------------------------------------


def test_cli_export_writes_the_file_and_says_so(org, tmp_path, capsys):
    _rich_entry(org.ann)
    out = tmp_path / "ann.json"
    portability.export_cli(username="ann", out=out, fmt="json")
    assert json.loads(out.read_text())["entries"][0]["title"] == "Reading a flame graph"
    assert "1 entry, 2 files, 0 weekly reviews" in capsys.readouterr().out


def test_cli_export_markdown_to_standard_output(org, capsys):
    _rich_entry(org.ann)
    portability.export_cli(username="ann", out=None, fmt="markdown")
    captured = capsys.readouterr()
    assert captured.out.startswith("---\nformat: learnflow-journal-markdown") and "Exported" in captured.err


def test_cli_import_prints_what_it_did(org, tmp_path, capsys):
    path = tmp_path / "jrnl.json"
    path.write_text(json.dumps(JRNL_EXPORT))
    portability.import_cli(username="ann", file=path)
    out = capsys.readouterr().out
    assert "Read a jrnl JSON export." in out and "2 entries imported" in out


def test_cli_import_of_a_broken_file_fails_and_imports_nothing(org, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_bytes(b"{ not json")
    with pytest.raises(typer.Exit) as exc:
        portability.import_cli(username="ann", file=path)
    assert exc.value.exit_code == 1 and "not valid JSON" in capsys.readouterr().err
    assert Entry.objects.count() == 0


def test_cli_names_an_unknown_person(db, tmp_path, capsys):
    with pytest.raises(typer.Exit):
        portability.export_cli(username="nobody", out=tmp_path / "x.json", fmt="json")
    assert "No person with the username “nobody”" in capsys.readouterr().err
