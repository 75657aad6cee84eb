"""Importing "all my data" from the web: the same code path and protections as `learnflow import`, into the
signed-in person's own account only, all or nothing, with a summary of what came in."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnflow.account.archive import account_export
from learnflow.goals.models import Evidence, Goal
from learnflow.journal.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def anns_archive(org, entry_factory, goal_factory):
    from learnflow.goals.services import goal_evidence_add_entry

    entry = entry_factory(org.ann, title="Paired on the billing bug")
    goal = goal_factory(org.ann, title="Lead a design review", visibility="manager")
    goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)
    buffer = io.BytesIO()
    account_export(user=org.ann, out=buffer)
    return buffer.getvalue()


def _post(client, data: bytes, name: str = "learnflow-ann.zip"):
    return client.post(reverse("account:import"), {"file": SimpleUploadedFile(name, data, "application/zip")})


def _rebuild(data: bytes, extra: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        for name, content in extra:
            dst.writestr(name, content)
    return out.getvalue()


def _counts():
    return Entry.objects.count(), Goal.objects.count(), Evidence.objects.count()


def test_the_import_page_is_linked_from_my_data_and_asks_for_a_zip(org, client):
    client.force_login(org.ann)
    assert reverse("account:import").encode() in client.get(reverse("account:data")).content
    page = client.get(reverse("account:import"))
    assert page.status_code == 200
    assert b'<label for="id_file">Archive (.zip)' in page.content
    assert b'enctype="multipart/form-data"' in page.content


def test_an_archive_is_imported_into_the_signed_in_persons_account_with_a_summary(org, client, anns_archive):
    client.force_login(org.tim)
    response = _post(client, anns_archive)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert b"Into the existing account of tim" in response.content
    assert b"Goals: 1 imported (1 pieces of evidence)" in response.content
    goal = Goal.objects.get(owner=org.tim)
    assert goal.title == "Lead a design review"
    assert Entry.objects.filter(author=org.tim, title="Paired on the billing bug").exists()
    # ann's own data is untouched, and nothing was created for anyone else.
    assert Goal.objects.filter(owner=org.ann).count() == 1


def test_importing_the_same_archive_twice_adds_nothing_the_second_time(org, client, anns_archive):
    client.force_login(org.tim)
    _post(client, anns_archive)
    before = _counts()
    response = _post(client, anns_archive)
    assert response.status_code == 200
    assert b"1 already present" in response.content
    assert _counts() == before


@pytest.mark.parametrize("extra,fragment", [
    ([("../../etc/evil", b"x")], "path traversal"),
    ([("/etc/evil", b"x")], "absolute path"),
    ([("journal/bomb.bin", b"\0" * (3 * 1024 * 1024))], "like a zip bomb"),
])
def test_a_malicious_archive_is_refused_with_a_clear_message_and_nothing_written(org, client, anns_archive, extra,
                                                                                 fragment, settings):
    client.force_login(org.tim)
    before = _counts()
    files_before = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    response = _post(client, _rebuild(anns_archive, extra))
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert _counts() == before
    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == files_before


def test_a_file_that_is_not_a_zip_is_refused(org, client):
    client.force_login(org.ann)
    response = _post(client, b"%PDF-1.4 not a zip", name="cv.pdf")
    assert response.status_code == 400
    assert "not a readable zip archive" in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_opened(org, client, anns_archive, settings):
    settings.MAX_ACCOUNT_ARCHIVE_UPLOAD_BYTES = 1000
    client.force_login(org.tim)
    before = _counts()
    response = _post(client, anns_archive)
    assert response.status_code == 400
    assert "an archive may be at most 1,000 bytes. Nothing was imported." in response.content.decode()
    assert _counts() == before


def test_an_archive_failing_late_leaves_nothing_half_written(org, client, anns_archive):
    """The journal part is valid; the goals part names evidence of an entry that is not in the archive."""
    import json

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(anns_archive)) as src, zipfile.ZipFile(out, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        goals_member = manifest["parts"]["goals"]
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == goals_member:
                doc = json.loads(content)
                doc["goals"][0]["title"] = ""  # a goal without a title is invalid: refused after the journal part
                content = json.dumps(doc).encode()
            if info.filename == "manifest.json":
                for item in manifest.get("files") or []:
                    if item.get("path") == goals_member:
                        import hashlib

                        item["sha256"] = hashlib.sha256(content).hexdigest()
            dst.writestr(info.filename, content)
    client.force_login(org.tim)
    before = _counts()
    response = _post(client, out.getvalue())
    assert response.status_code == 400
    assert _counts() == before


def test_signed_out_visitors_cannot_import(client, anns_archive):
    before = _counts()
    response = _post(client, anns_archive)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _counts() == before
