"""Archives that try something are refused with a clear message, and nothing is written."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from learnflow.account.archive import account_export, account_import


@pytest.fixture
def good_archive(org, entry_factory):
    entry_factory(org.ann, title="Something learned")
    buffer = io.BytesIO()
    account_export(user=org.ann, out=buffer)
    return buffer.getvalue()


def _rebuild(data: bytes, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (), drop: set[str] = frozenset(),
             replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in extra:
            dst.writestr(name, content)
    return out.getvalue()


def _assert_refused(data: bytes, fragment: str, media_root) -> None:
    from django.contrib.auth import get_user_model

    from learnflow.journal.models import Entry

    users, entries = get_user_model().objects.count(), Entry.objects.count()
    files_before = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    with pytest.raises(ValidationError) as exc:
        account_import(source=io.BytesIO(data), username="mallory")
    assert fragment in " ".join(exc.value.messages)
    assert (get_user_model().objects.count(), Entry.objects.count()) == (users, entries)
    files_after = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    assert files_after == files_before


def test_path_traversal_is_refused(good_archive, settings):
    _assert_refused(_rebuild(good_archive, extra=[("../../etc/evil", b"x")]), "path traversal",
                    settings.MEDIA_ROOT)


def test_absolute_path_is_refused(good_archive, settings):
    _assert_refused(_rebuild(good_archive, extra=[("/etc/evil", b"x")]), "absolute path", settings.MEDIA_ROOT)


def test_symlink_is_refused(good_archive, settings):
    info = zipfile.ZipInfo("journal/files/link")
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    _assert_refused(_rebuild(good_archive, extra=[(info, b"/etc/passwd")]), "symbolic link", settings.MEDIA_ROOT)


def test_zip_bomb_by_ratio_is_refused(good_archive, settings):
    _assert_refused(_rebuild(good_archive, extra=[("bomb.txt", b"\x00" * (20 * 1024 * 1024))]), "zip bomb",
                    settings.MEDIA_ROOT)


def test_archive_unpacking_beyond_the_total_limit_is_refused(good_archive, settings):
    settings.MAX_ACCOUNT_ARCHIVE_BYTES = 10_000
    _assert_refused(_rebuild(good_archive, extra=[("big.bin", bytes(range(256)) * 64)]), "unpacks to more than",
                    settings.MEDIA_ROOT)


def test_archive_with_too_many_members_is_refused(good_archive, settings):
    settings.MAX_ACCOUNT_ARCHIVE_MEMBERS = 20
    extra = [(f"padding/{i}.txt", b"x") for i in range(30)]
    _assert_refused(_rebuild(good_archive, extra=extra), "members", settings.MEDIA_ROOT)


def test_oversized_member_is_refused(good_archive, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    settings.MAX_IMPORT_BYTES = 1000
    _assert_refused(_rebuild(good_archive, extra=[("journal/files/huge.bin", bytes(range(256)) * 20)]),
                    "a member may be at most", settings.MEDIA_ROOT)


def test_duplicate_member_names_are_refused(good_archive, settings):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is asked to write
        data = _rebuild(good_archive, extra=[("profile.json", b"{}")])
    _assert_refused(data, "twice", settings.MEDIA_ROOT)


def test_broken_json_is_refused(good_archive, settings):
    _assert_refused(_rebuild(good_archive, replace={"profile.json": b"{not json"}), "not valid JSON",
                    settings.MEDIA_ROOT)


def test_not_a_zip_is_refused(db, settings):
    _assert_refused(b"PK\x03\x04 certainly not a zip", "not a readable zip", settings.MEDIA_ROOT)


def test_archive_without_manifest_is_refused(good_archive, settings):
    _assert_refused(_rebuild(good_archive, drop={"manifest.json"}), "no manifest.json", settings.MEDIA_ROOT)


def test_archive_of_a_newer_version_is_refused(good_archive, settings):
    with zipfile.ZipFile(io.BytesIO(good_archive)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["version"] = 99
    _assert_refused(_rebuild(good_archive, replace={"manifest.json": json.dumps(manifest).encode()}),
                    "version 99", settings.MEDIA_ROOT)


def test_altered_attachment_is_refused_and_no_file_is_left_behind(org, entry_factory, upload, settings):
    from learnflow.journal.services import attachment_add

    entry = entry_factory(org.ann, title="With a file")
    attachment_add(entry=entry, actor=org.ann, upload=upload("a.txt", b"original"))
    buffer = io.BytesIO()
    account_export(user=org.ann, out=buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        member = next(n for n in zf.namelist() if n.startswith("journal/files/"))
    _assert_refused(_rebuild(buffer.getvalue(), replace={member: b"tampered"}), "checksum", settings.MEDIA_ROOT)


def test_goal_part_failing_late_leaves_no_journal_behind(good_archive, settings):
    broken = {"goals": [{"uid": "not-a-uuid"}]}
    _assert_refused(_rebuild(good_archive, replace={"goals/goals.json": json.dumps(broken).encode()}),
                    "not a UUID", settings.MEDIA_ROOT)
