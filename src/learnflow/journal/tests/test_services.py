"""Journal writes: what entry_create / entry_update / entry_share / entry_delete and the upload checks promise."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from learnflow.core.models import Event
from learnflow.journal.models import Entry, EntryAttachment, EntryLink, Way, WeeklyReview
from learnflow.journal.services import (
    LinkIn, attachment_add, attachment_delete, entry_create, entry_delete, entry_share, entry_update, today_for,
    weekly_review_save,
)

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


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def _events(entry: Entry) -> list[str]:
    return list(Event.objects.filter(object_type="journal.entry", object_id=str(entry.pk))
                .order_by("id").values_list("verb", flat=True))


# --- Creating an entry


def test_new_entry_is_private_by_default(org):
    entry = entry_create(author=org.ann, title="Flame graphs")
    assert entry.visibility == "private"


def test_new_entry_is_dated_today_in_the_authors_time_zone(org):
    org.ann.timezone = "Pacific/Kiritimati"  # UTC+14: "today" there is often tomorrow in UTC
    org.ann.save()
    entry = entry_create(author=org.ann, title="Dates are local")
    assert entry.learned_on == today_for(org.ann)
    assert today_for(org.ann) == dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


def test_every_field_of_a_new_entry_is_persisted(org):
    entry = entry_create(
        author=org.ann, title="  Window functions  ", body="`SUM() OVER`", way=Way.WEB_SEARCH,
        learned_on=dt.date(2026, 1, 5), minutes=45, visibility="team", share_note="Saves a self-join",
        tags=["sql"], skills=["Databases"], links=[LinkIn(url="https://example.org/wf", title="Docs")],
        reflection={"happened": "Slow report", "learned": "OVER()", "apply": "Rewrite it", "differently": "Look first"},
    )
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.title, stored.body, stored.way, stored.learned_on, stored.minutes, stored.visibility,
            stored.share_note) == ("Window functions", "`SUM() OVER`", "web_search", dt.date(2026, 1, 5), 45, "team",
                                   "Saves a self-join")
    assert [t.name for t in stored.tags.all()] == ["sql"]
    assert [s.name for s in stored.skills.all()] == ["Databases"]
    assert [(l.url, l.title) for l in stored.links.all()] == [("https://example.org/wf", "Docs")]
    assert (stored.reflection_happened, stored.reflection_learned, stored.reflection_apply,
            stored.reflection_differently) == ("Slow report", "OVER()", "Rewrite it", "Look first")


def test_tags_are_normalised_and_deduplicated(org):
    entry = entry_create(author=org.ann, title="Tags", tags=["#Python", "python", " Code Review ", ""])
    assert sorted(t.name for t in entry.tags.all()) == ["code-review", "python"]


def test_tags_are_shared_between_entries_not_duplicated(org):
    entry_create(author=org.ann, title="One", tags=["SQL"])
    entry_create(author=org.tim, title="Two", tags=["sql"])
    from learnflow.core.models import Tag

    assert Tag.objects.filter(name="sql").count() == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,<b>x</b>",
                                 "not a url", "file:///etc/passwd"])
def test_links_that_are_not_web_addresses_are_refused(org, url):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Bad link", links=[LinkIn(url=url)])
    assert "links" in _errors(exc)
    assert not Entry.objects.exists()


def test_future_dates_are_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Tomorrow's news", learned_on=today_for(org.ann) + dt.timedelta(days=2))
    assert "learned_on" in _errors(exc)


def test_minutes_beyond_a_week_are_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Marathon", minutes=24 * 60 * 7 + 1)
    assert "minutes" in _errors(exc)


def test_negative_minutes_are_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Time travel", minutes=-5)
    assert "minutes" in _errors(exc)


def test_unknown_way_of_learning_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Osmosis", way="osmosis")
    assert "way" in _errors(exc)


def test_unknown_visibility_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Shout", visibility="world")
    assert "visibility" in _errors(exc)


def test_empty_title_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="   ")
    assert "title" in _errors(exc)


def test_share_note_on_a_private_entry_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        entry_create(author=org.ann, title="Secret", share_note="Everyone should read this")
    assert "share_note" in _errors(exc)


def test_refused_entry_leaves_nothing_behind(org):
    with pytest.raises(ValidationError):
        entry_create(author=org.ann, title="x" * 201, tags=["orphan"])
    assert not Entry.objects.exists()
    assert not Event.objects.exists()


# --- Events: the audit trail written with the change


def test_logging_records_a_logged_event(org):
    entry = entry_create(author=org.ann, title="Logged", source="api")
    event = Event.objects.get(object_id=str(entry.pk), verb="logged")
    assert event.actor == org.ann
    assert event.data == {"source": "api"}


def test_creating_a_shared_entry_records_a_shared_event(org):
    entry = entry_create(author=org.ann, title="Shared", visibility="team")
    assert _events(entry) == ["logged", "shared"]


def test_creating_an_entry_with_a_reflection_records_a_reflected_event(org):
    entry = entry_create(author=org.ann, title="Reflected", reflection={"learned": "Something"})
    assert _events(entry) == ["logged", "reflected"]


def test_sharing_later_records_a_shared_event_with_the_visibility(org):
    entry = entry_create(author=org.ann, title="Later")
    entry_share(entry=entry, actor=org.ann, visibility="organisation", note="Good one")
    shared = Event.objects.get(object_id=str(entry.pk), verb="shared")
    assert shared.data == {"visibility": "organisation"}


def test_adding_a_reflection_later_records_one_reflected_event(org):
    entry = entry_create(author=org.ann, title="Later")
    entry_update(entry=entry, actor=org.ann, reflection={"apply": "Tomorrow"})
    entry_update(entry=entry, actor=org.ann, reflection={"apply": "Tomorrow, really"})
    assert _events(entry).count("reflected") == 1


# --- Changing and sharing


def test_update_changes_only_the_given_fields(org):
    entry = entry_create(author=org.ann, title="Before", body="Body stays", minutes=10, tags=["keep"])
    entry_update(entry=entry, actor=org.ann, title="After")
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.title, stored.body, stored.minutes) == ("After", "Body stays", 10)
    assert [t.name for t in stored.tags.all()] == ["keep"]


def test_update_replaces_links(org):
    entry = entry_create(author=org.ann, title="Links", links=[LinkIn(url="https://a.example")])
    entry_update(entry=entry, actor=org.ann, links=[LinkIn(url="https://b.example")])
    assert list(EntryLink.objects.filter(entry=entry).values_list("url", flat=True)) == ["https://b.example"]


def test_update_with_a_bad_link_keeps_the_old_links_and_title(org):
    entry = entry_create(author=org.ann, title="Links", links=[LinkIn(url="https://a.example")])
    with pytest.raises(ValidationError):
        entry_update(entry=entry, actor=org.ann, title="Changed", links=[LinkIn(url="javascript:alert(1)")])
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.title == "Links"
    assert list(stored.links.values_list("url", flat=True)) == ["https://a.example"]


def test_only_the_author_can_update_an_entry(org):
    entry = entry_create(author=org.ann, title="Mine", visibility="team")
    with pytest.raises(PermissionDenied):
        entry_update(entry=entry, actor=org.boss, title="Boss was here")
    assert Entry.objects.get(pk=entry.pk).title == "Mine"


def test_sharing_sets_visibility_and_note(org):
    entry = entry_create(author=org.ann, title="Share me")
    entry_share(entry=entry, actor=org.ann, visibility="team", note="Useful for on-call")
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.visibility, stored.share_note) == ("team", "Useful for on-call")


def test_making_an_entry_private_again_clears_its_share_note(org):
    entry = entry_create(author=org.ann, title="Share me", visibility="team", share_note="Useful")
    entry_share(entry=entry, actor=org.ann, visibility="private")
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.visibility, stored.share_note) == ("private", "")


def test_making_an_entry_private_through_update_clears_its_share_note(org):
    entry = entry_create(author=org.ann, title="Share me", visibility="organisation", share_note="Useful")
    entry_update(entry=entry, actor=org.ann, visibility="private")
    assert Entry.objects.get(pk=entry.pk).share_note == ""


def test_sharing_with_an_unknown_visibility_is_refused(org):
    entry = entry_create(author=org.ann, title="Share me")
    with pytest.raises(ValidationError) as exc:
        entry_share(entry=entry, actor=org.ann, visibility="everyone")
    assert "visibility" in _errors(exc)
    assert Entry.objects.get(pk=entry.pk).visibility == "private"


def test_only_the_author_can_share_an_entry(org):
    entry = entry_create(author=org.ann, title="Mine")
    with pytest.raises(PermissionDenied):
        entry_share(entry=entry, actor=org.root, visibility="organisation")
    assert Entry.objects.get(pk=entry.pk).visibility == "private"


# --- Deleting


def test_only_the_author_can_delete_an_entry(org):
    entry = entry_create(author=org.ann, title="Mine", visibility="organisation")
    with pytest.raises(PermissionDenied):
        entry_delete(entry=entry, actor=org.root)
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_entry_removes_its_attachment_files(settings, tmp_path):
    from learnflow.org.services import user_create

    ann = user_create(username="ann", password=None)
    entry = entry_create(author=ann, title="With evidence")
    attachment = attachment_add(entry=entry, actor=ann, upload=SimpleUploadedFile("shot.png", PNG))
    path = Path(attachment.file.path)
    assert path.exists()
    entry_delete(entry=entry, actor=ann)
    assert not Entry.objects.exists()
    assert not EntryAttachment.objects.exists()
    assert not path.exists()


def test_deleting_an_entry_keeps_files_until_the_transaction_commits(org, django_capture_on_commit_callbacks):
    entry = entry_create(author=org.ann, title="With evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("shot.png", PNG))
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry_delete(entry=entry, actor=org.ann)
    assert path.exists()
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_removing_an_attachment_deletes_its_file(org, django_capture_on_commit_callbacks):
    entry = entry_create(author=org.ann, title="With evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("shot.png", PNG))
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=attachment, actor=org.ann)
    assert not EntryAttachment.objects.exists()
    assert not path.exists()


# --- Uploads


def test_accepted_upload_is_stored_with_its_name_type_size_and_digest(org):
    entry = entry_create(author=org.ann, title="Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("Certificate.PNG", PNG))
    import hashlib

    assert (attachment.original_name, attachment.content_type, attachment.size) == ("Certificate.PNG", "image/png",
                                                                                     len(PNG))
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert Path(attachment.file.path).read_bytes() == PNG


def test_stored_file_name_does_not_reveal_the_uploaded_name(org):
    entry = entry_create(author=org.ann, title="Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("salary-review.png", PNG))
    assert "salary" not in attachment.file.name


def test_upload_path_components_are_dropped_from_the_name(org):
    entry = entry_create(author=org.ann, title="Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("../../etc/notes.txt", b"hi"))
    assert attachment.original_name == "notes.txt"


def test_oversized_upload_is_refused_with_the_limit(org, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    entry = entry_create(author=org.ann, title="Evidence")
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=big)
    assert "larger than the 1 MB limit" in _errors(exc)["file"][0]
    assert not EntryAttachment.objects.exists()


def test_upload_with_a_forbidden_extension_is_refused_naming_the_allowed_types(org):
    entry = entry_create(author=org.ann, title="Evidence")
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("tool.exe", b"MZ\x90\x00"))
    message = _errors(exc)["file"][0]
    assert "cannot be attached" in message and ".pdf" in message


def test_upload_whose_content_does_not_match_its_extension_is_refused(org):
    entry = entry_create(author=org.ann, title="Evidence")
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("photo.png", b"<html>not a png</html>"))
    assert "does not look like a .png file" in _errors(exc)["file"][0]


def test_text_upload_that_is_not_utf8_is_refused(org):
    entry = entry_create(author=org.ann, title="Evidence")
    latin1 = "Größe und Maße, déjà vu".encode("latin-1") * 10
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("notes.txt", latin1))
    assert "not a UTF-8 text file" in _errors(exc)["file"][0]


def test_empty_upload_is_refused(org):
    entry = entry_create(author=org.ann, title="Evidence")
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("empty.txt", b""))
    assert "empty" in _errors(exc)["file"][0]


def test_refused_upload_leaves_no_file_on_disk(org, settings):
    entry = entry_create(author=org.ann, title="Evidence")
    with pytest.raises(ValidationError):
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("photo.png", b"plain text"))
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_only_the_author_can_attach_files(org):
    entry = entry_create(author=org.ann, title="Evidence", visibility="team")
    with pytest.raises(PermissionDenied):
        attachment_add(entry=entry, actor=org.tim, upload=SimpleUploadedFile("a.txt", b"hello"))


def test_an_entry_holds_at_most_ten_files(org):
    entry = entry_create(author=org.ann, title="Evidence")
    for i in range(10):
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile(f"{i}.txt", b"hello"))
    with pytest.raises(ValidationError) as exc:
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("11.txt", b"hello"))
    assert "at most 10" in _errors(exc)["file"][0]


def test_utf8_text_with_a_multibyte_character_cut_at_the_sample_edge_is_accepted(org):
    entry = entry_create(author=org.ann, title="Evidence")
    # 64 KiB sample boundary falls inside the 3-byte "€".
    content = b"a" * (64 * 1024 - 1) + "€".encode() + b"tail"
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("long.txt", content))
    assert attachment.content_type == "text/plain"


def test_office_documents_must_be_zip_files(org):
    entry = entry_create(author=org.ann, title="Evidence")
    with pytest.raises(ValidationError):
        attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("plan.docx", b"not a zip at all"))
    ok = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("plan.docx", b"PK\x03\x04rest"))
    assert ok.content_type.endswith("wordprocessingml.document")


# --- Weekly review


def test_weekly_review_is_saved_once_per_week(org):
    monday = dt.date(2026, 11, 16)
    weekly_review_save(author=org.ann, week_start=monday, went_well="A", key_learning="B", next_week="C")
    weekly_review_save(author=org.ann, week_start=monday, went_well="A2", key_learning="B2", next_week="C2")
    review = WeeklyReview.objects.get(author=org.ann)
    assert (review.went_well, review.key_learning, review.next_week) == ("A2", "B2", "C2")


def test_weekly_review_must_start_on_a_monday(org):
    with pytest.raises(ValidationError) as exc:
        weekly_review_save(author=org.ann, week_start=dt.date(2026, 11, 17), went_well="", key_learning="",
                           next_week="")
    assert "week_start" in _errors(exc)
