"""Every write to the journal. Keyword-only, one transaction each, validation before anything is written."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zoneinfo
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from learnflow.core.services import event_record, skill_get_or_create_many, tag_get_or_create_many
from learnflow.core.visibility import Visibility
from learnflow.journal.models import Entry, EntryAttachment, EntryLink, Way, WeeklyReview

MAX_LINKS = 20
MAX_ATTACHMENTS = 10
MAX_MINUTES = 24 * 60 * 7


@dataclass(frozen=True)
class LinkIn:
    url: str
    title: str = ""


def today_for(user: Any) -> dt.date:
    try:
        tz = zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.timezone.utc
    return timezone.now().astimezone(tz).date()


def _check_choice(value: str, choices: Sequence[str], field: str, what: str) -> None:
    if value not in choices:
        raise ValidationError({field: f"“{value}” is not a {what}; choose one of: {', '.join(choices)}."})


def _check_day(user: Any, learned_on: dt.date) -> None:
    if learned_on > today_for(user) + dt.timedelta(days=1):
        raise ValidationError({"learned_on": "A learning cannot be logged for a day in the future."})
    if learned_on.year < 1970:
        raise ValidationError({"learned_on": "That date is too far in the past."})


def _check_minutes(minutes: int | None) -> None:
    # The model's check constraint would only say "constraint violated", naming no field.
    if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": f"Minutes spent must be between 0 and {MAX_MINUTES:,} (one week)."})


def _clean_links(links: Sequence[LinkIn]) -> list[LinkIn]:
    if len(links) > MAX_LINKS:
        raise ValidationError({"links": f"At most {MAX_LINKS} links per entry."})
    check = URLValidator(schemes=["http", "https"])
    cleaned = []
    for link in links:
        url = link.url.strip()
        try:
            check(url)
        except ValidationError:
            raise ValidationError({"links": f"“{url[:80]}” is not a web address (http:// or https://)."}) from None
        if len(url) > 2000:
            raise ValidationError({"links": "A link is limited to 2,000 characters."})
        cleaned.append(LinkIn(url=url, title=link.title.strip()[:200]))
    return cleaned


def _check_visibility(visibility: str, share_note: str) -> None:
    _check_choice(visibility, Visibility.values, "visibility", "visibility")
    if visibility == Visibility.PRIVATE and share_note.strip():
        # Keeping a note on a private entry would be harmless, but it would confuse: the note says "shared".
        raise ValidationError({"share_note": "A note on why it is worth sharing needs the entry to be shared."})


@transaction.atomic
def entry_create(
    *,
    author: Any,
    title: str,
    body: str = "",
    way: str = Way.DAILY_WORK,
    learned_on: dt.date | None = None,
    minutes: int | None = None,
    visibility: str = Visibility.PRIVATE,
    share_note: str = "",
    tags: Sequence[str] = (),
    skills: Sequence[str] = (),
    links: Sequence[LinkIn] = (),
    reflection: dict[str, str] | None = None,
    source: str = "web",
    uid: uuid.UUID | None = None,
) -> Entry:
    _check_choice(way, Way.values, "way", "way of learning")
    _check_visibility(visibility, share_note)
    learned_on = learned_on or today_for(author)
    _check_day(author, learned_on)
    _check_minutes(minutes)
    clean_links = _clean_links(links)
    entry = Entry(
        author=author, title=(title or "").strip(), body=body or "", way=way, learned_on=learned_on,
        minutes=minutes, visibility=visibility, share_note=share_note.strip(),
        **_reflection_fields(reflection or {}),
    )
    if uid is not None:
        # Imports keep an entry's identity, so a second import of the same file finds it again.
        entry.uid = uid
    entry.full_clean(exclude=["uid"])
    entry.save()
    if tags:
        entry.tags.set(tag_get_or_create_many(names=tags))
    if skills:
        entry.skills.set(skill_get_or_create_many(names=skills))
    EntryLink.objects.bulk_create([EntryLink(entry=entry, url=l.url, title=l.title) for l in clean_links])
    event_record(actor=author, verb="logged", obj=entry, data={"source": source})
    if visibility != Visibility.PRIVATE:
        event_record(actor=author, verb="shared", obj=entry, data={"visibility": visibility})
    if entry.has_reflection:
        event_record(actor=author, verb="reflected", obj=entry)
    return entry


_REFLECTION_KEYS = ("happened", "learned", "apply", "differently")


def _reflection_fields(reflection: dict[str, str]) -> dict[str, str]:
    unknown = set(reflection) - set(_REFLECTION_KEYS)
    if unknown:
        raise ValidationError({"reflection": f"Unknown reflection part(s): {', '.join(sorted(unknown))}."})
    return {f"reflection_{k}": (reflection.get(k) or "").strip() for k in _REFLECTION_KEYS if k in reflection}


def _own(entry: Entry, user: Any) -> None:
    if entry.author_id != user.pk:
        raise PermissionDenied("Only the author can change this entry.")


@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    actor: Any,
    title: str | None = None,
    body: str | None = None,
    way: str | None = None,
    learned_on: dt.date | None = None,
    minutes: int | None | type[Ellipsis] = ...,
    tags: Sequence[str] | None = None,
    skills: Sequence[str] | None = None,
    links: Sequence[LinkIn] | None = None,
    reflection: dict[str, str] | None = None,
    visibility: str | None = None,
    share_note: str | None = None,
) -> Entry:
    _own(entry, actor)
    had_reflection, old_visibility = entry.has_reflection, entry.visibility
    if title is not None:
        entry.title = title.strip()
    if body is not None:
        entry.body = body
    if way is not None:
        _check_choice(way, Way.values, "way", "way of learning")
        entry.way = way
    if learned_on is not None:
        _check_day(actor, learned_on)
        entry.learned_on = learned_on
    if minutes is not ...:
        _check_minutes(minutes)
        entry.minutes = minutes
    if reflection is not None:
        for name, value in _reflection_fields(reflection).items():
            setattr(entry, name, value)
    if visibility is not None:
        entry.visibility = visibility
        if visibility == Visibility.PRIVATE and share_note is None:
            entry.share_note = ""
    if share_note is not None:
        entry.share_note = share_note.strip()
    _check_visibility(entry.visibility, entry.share_note)
    clean_links = _clean_links(links) if links is not None else None
    entry.full_clean(exclude=["uid"])
    entry.save()
    if tags is not None:
        entry.tags.set(tag_get_or_create_many(names=tags))
    if skills is not None:
        entry.skills.set(skill_get_or_create_many(names=skills))
    if clean_links is not None:
        entry.links.all().delete()
        EntryLink.objects.bulk_create([EntryLink(entry=entry, url=l.url, title=l.title) for l in clean_links])
    if entry.visibility != old_visibility and entry.visibility != Visibility.PRIVATE:
        event_record(actor=actor, verb="shared", obj=entry, data={"visibility": entry.visibility})
    if entry.has_reflection and not had_reflection:
        event_record(actor=actor, verb="reflected", obj=entry)
    return entry


def entry_share(*, entry: Entry, actor: Any, visibility: str, note: str = "") -> Entry:
    """Share (or un-share, with visibility=private) one entry. Reads are computed at query time, so going back
    to private removes the entry from every feed, search and page at once."""
    return entry_update(entry=entry, actor=actor, visibility=visibility, share_note=note)


@transaction.atomic
def entry_delete(*, entry: Entry, actor: Any) -> None:
    _own(entry, actor)
    files = [a.file for a in entry.attachments.all()]
    entry.delete()
    # Files go only once the rows are gone for sure: a rolled-back delete must not lose an attachment.
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


# --- Attachments: size- and type-limited, stored under random names, served only through a permission check.

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/zip": (b"PK\x03\x04",),
}
_ZIP_BASED = {".docx", ".xlsx", ".pptx", ".odt"}
_TEXT_TYPES = {"text/plain", "text/markdown", "text/csv"}


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    name = PurePath(upload.name or "file").name[:255] or "file"
    suffix = PurePath(name).suffix.lower()
    allowed = settings.ALLOWED_UPLOAD_TYPES
    if suffix not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise ValidationError({"file": f"“{name}”: files of this type cannot be attached. Allowed: {kinds}."})
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError({"file": f"“{name}” is larger than the {limit} MB limit."})
    if upload.size == 0:
        raise ValidationError({"file": f"“{name}” is empty."})
    content_type = allowed[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    magic = _MAGIC.get("application/zip" if suffix in _ZIP_BASED else content_type)
    if magic and not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": f"“{name}” does not look like a {suffix} file."})
    if content_type in _TEXT_TYPES:
        sample = upload.read(64 * 1024)
        upload.seek(0)
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sample's end is fine; anything else is not text.
            if exc.start < len(sample) - 4:
                raise ValidationError({"file": f"“{name}” is not a UTF-8 text file."}) from None
    return name, content_type


@transaction.atomic
def attachment_add(*, entry: Entry, actor: Any, upload: UploadedFile) -> EntryAttachment:
    _own(entry, actor)
    if entry.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": f"An entry can have at most {MAX_ATTACHMENTS} files."})
    name, content_type = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = EntryAttachment(entry=entry, original_name=name, content_type=content_type, size=upload.size,
                                 sha256=digest.hexdigest())
    attachment.file.save(name, upload, save=False)
    stored = attachment.file.name
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


def attachment_add_many(*, entry: Entry, actor: Any, uploads: Sequence[UploadedFile]) -> list[EntryAttachment]:
    """Attach several files as one unit: every file is checked before any is written, and files already written
    are removed again if a later one fails (a database rollback cannot take a file off the disk)."""
    _own(entry, actor)
    if entry.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"file": f"An entry can have at most {MAX_ATTACHMENTS} files."})
    for upload in uploads:
        _check_upload(upload)
    added: list[EntryAttachment] = []
    try:
        for upload in uploads:
            added.append(attachment_add(entry=entry, actor=actor, upload=upload))
    except Exception:
        for attachment in added:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return added


@transaction.atomic
def attachment_delete(*, attachment: EntryAttachment, actor: Any) -> None:
    _own(attachment.entry, actor)
    file = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.storage.delete(file.name))


@transaction.atomic
def weekly_review_save(*, author: Any, week_start: dt.date, went_well: str, key_learning: str,
                       next_week: str) -> WeeklyReview:
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "A week starts on a Monday."})
    review, _ = WeeklyReview.objects.select_for_update().get_or_create(author=author, week_start=week_start)
    review.went_well, review.key_learning, review.next_week = went_well.strip(), key_learning.strip(), next_week.strip()
    review.full_clean()
    review.save()
    event_record(actor=author, verb="reviewed", obj=review)
    return review
