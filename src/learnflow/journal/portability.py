"""Export and import of one person's journal: the person owns their record and can take it anywhere.

The Learnflow journal format, version 1
=======================================
One UTF-8 JSON document:

    {
      "format": "learnflow-journal",        # always this string
      "version": 1,                          # bumped only for changes an older reader would misread
      "exported_at": "2026-11-23T16:40:00+00:00",
      "generator": "Learnflow 0.1.0",
      "person": {"username": "ann", "name": "Ann", "timezone": "Europe/Berlin"},   # informative; ignored on import
      "entries": [
        {
          "uid": "9b0c…",                    # stable identity across instances; import matches on it
          "title": "…", "body": "… Markdown …",
          "way": "daily_work",               # one of journal.models.Way
          "formality": "informal",           # informative (derived from way); ignored on import
          "learned_on": "2026-11-20",
          "minutes": 30,                     # or null
          "visibility": "private",           # private | manager | team | organisation
          "share_note": "",
          "reflection": {"happened": "", "learned": "", "apply": "", "differently": ""},
          "tags": ["python"], "skills": ["Python"],
          "links": [{"url": "https://…", "title": "…"}],
          "created_at": "…+00:00", "updated_at": "…+00:00",
          "attachments": [
            {"name": "notes.pdf", "content_type": "application/pdf", "size": 1234, "sha256": "…64 hex…",
             "created_at": "…+00:00",
             "content_base64": "JVBERi0…"}   # or null when exported without file contents
          ]
        }
      ],
      "weekly_reviews": [
        {"week_start": "2026-11-16", "went_well": "…", "key_learning": "…", "next_week": "…",
         "created_at": "…", "updated_at": "…"}
      ]
    }

Readers ignore keys they do not know, so version 1 can gain optional keys. The "download all my data" archive (issue 4)
will carry this same document as one part and put attachment bytes beside it as archive members: an attachment then
has "archive_path" instead of "content_base64", and `journal_import(open_attachment=…)` resolves those paths.

Export reads only the person's own entries (`Entry.objects.owned_by`, through the journal selectors): entries others
shared with them never appear. Import writes only through journal.services (validation, events), in one transaction.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from learnflow import __version__
from learnflow.core.visibility import Visibility
from learnflow.journal import selectors, services
from learnflow.journal.models import Entry, EntryAttachment, Way, WeeklyReview

FORMAT_NAME = "learnflow-journal"
FORMAT_VERSION = 1
MARKDOWN_FORMAT_NAME = "learnflow-journal-markdown"

# An import is parsed in memory, so its size is bounded. Attachments travel base64-encoded (4/3 of their size).
DEFAULT_MAX_IMPORT_BYTES = 100 * 1024 * 1024
MAX_IMPORT_ENTRIES = 50_000
MAX_NAMES_PER_ENTRY = 50
MAX_REPORTED_PROBLEMS = 20
_FILE_CHUNK = 3 * 64 * 1024  # a multiple of 3, so base64 pieces concatenate into one valid base64 string


def max_import_bytes() -> int:
    return int(getattr(settings, "MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES))


# --------------------------------------------------------------------------------------------------------------------
# Export


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _own_entries(owner: Any) -> Iterator[Entry]:
    # entry_timeline is the owner's own journal (owned_by): shared-with-me entries can never slip in.
    qs = selectors.entry_timeline(viewer=owner).order_by("learned_on", "id")
    return qs.iterator(chunk_size=200)


def _own_reviews(owner: Any) -> Iterable[WeeklyReview]:
    # Weekly reviews are never shared with anyone: the owner filter is the whole rule.
    return WeeklyReview.objects.filter(author=owner).order_by("week_start")


def _entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "uid": str(entry.uid),
        "title": entry.title,
        "body": entry.body,
        "way": entry.way,
        "formality": entry.formality,
        "learned_on": _iso(entry.learned_on),
        "minutes": entry.minutes,
        "visibility": entry.visibility,
        "share_note": entry.share_note,
        "reflection": {"happened": entry.reflection_happened, "learned": entry.reflection_learned,
                       "apply": entry.reflection_apply, "differently": entry.reflection_differently},
        "tags": [t.name for t in entry.tags.all()],
        "skills": [s.name for s in entry.skills.all()],
        "links": [{"url": link.url, "title": link.title} for link in entry.links.all()],
        "created_at": _iso(entry.created_at),
        "updated_at": _iso(entry.updated_at),
    }


def _attachment_meta(attachment: EntryAttachment) -> dict[str, Any]:
    return {"name": attachment.original_name, "content_type": attachment.content_type, "size": attachment.size,
            "sha256": attachment.sha256, "created_at": _iso(attachment.created_at)}


ArchivePath = Callable[[EntryAttachment], str]


def _attachment_chunks(attachment: EntryAttachment, include_files: bool,
                       archive_path: ArchivePath | None) -> Iterator[str]:
    """One attachment as JSON, its content base64-encoded piece by piece so that a large file never sits in memory
    whole (nor does the export: the response streams)."""
    head = json.dumps(_attachment_meta(attachment), ensure_ascii=False)[:-1]
    if archive_path is not None:
        # Inside an archive the bytes are a member of their own; the archive writer chose its name.
        yield head + ", " + json.dumps({"archive_path": archive_path(attachment)})[1:]
        return
    if not include_files:
        yield head + ', "content_base64": null}'
        return
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        # A file lost from storage must not cut the whole download short; the import reports it as skipped.
        yield head + ', "content_base64": null, "content_missing": true}'
        return
    yield head + ', "content_base64": "'
    with handle:
        while chunk := handle.read(_FILE_CHUNK):
            yield base64.b64encode(chunk).decode("ascii")
    yield '"}'


def _entry_chunks(entry: Entry, include_files: bool, archive_path: ArchivePath | None) -> Iterator[str]:
    yield json.dumps(_entry_record(entry), ensure_ascii=False)[:-1] + ', "attachments": ['
    for i, attachment in enumerate(entry.attachments.all()):
        if i:
            yield ", "
        yield from _attachment_chunks(attachment, include_files, archive_path)
    yield "]}"


def _review_record(review: WeeklyReview) -> dict[str, Any]:
    return {"week_start": _iso(review.week_start), "went_well": review.went_well,
            "key_learning": review.key_learning, "next_week": review.next_week,
            "created_at": _iso(review.created_at), "updated_at": _iso(review.updated_at)}


def _header(owner: Any) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "generator": f"Learnflow {__version__}",
        "person": {"username": owner.username, "name": owner.display_name,
                   "timezone": getattr(owner, "timezone", "") or "UTC"},
    }


def journal_export_json(*, owner: Any, include_files: bool = True,
                        archive_path: ArchivePath | None = None) -> Iterator[str]:
    """The owner's journal as the JSON document described above, in pieces (one entry per line), for streaming.
    With `archive_path`, attachments name their archive member instead of carrying base64 content."""
    yield json.dumps(_header(owner), ensure_ascii=False, indent=1)[:-2] + ',\n "entries": [\n'
    for i, entry in enumerate(_own_entries(owner)):
        if i:
            yield ",\n"
        yield from _entry_chunks(entry, include_files, archive_path)
    yield '\n ],\n "weekly_reviews": [\n'
    yield ",\n".join(json.dumps(_review_record(r), ensure_ascii=False) for r in _own_reviews(owner))
    yield "\n ]\n}\n"


def journal_export_document(*, owner: Any, include_files: bool = True,
                            archive_path: ArchivePath | None = None) -> dict[str, Any]:
    """The same document, parsed: for tests and for the all-data archive that embeds it."""
    chunks = journal_export_json(owner=owner, include_files=include_files, archive_path=archive_path)
    return json.loads("".join(chunks))


@dataclass(frozen=True)
class ExportStats:
    entries: int
    attachments: int
    attachment_bytes: int
    reviews: int

    @property
    def estimated_json_bytes(self) -> int:
        return self.attachment_bytes * 4 // 3 + self.entries * 1500 + 600


def journal_export_stats(*, owner: Any) -> ExportStats:
    from django.db.models import Count, Sum

    entries = Entry.objects.owned_by(owner)
    files = EntryAttachment.objects.filter(entry__in=entries).aggregate(n=Count("id"), size=Sum("size"))
    return ExportStats(entries=entries.count(), attachments=files["n"] or 0, attachment_bytes=files["size"] or 0,
                       reviews=WeeklyReview.objects.filter(author=owner).count())


_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")


def _demote_headings(text: str, by: int = 3) -> str:
    """Headings inside an entry's body sit below the entry's own heading, so the document keeps its outline."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            line = _ATX_HEADING.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + by), line)
        out.append(line)
    return "\n".join(out)


def _md_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


_REFLECTION_HEADINGS = (("happened", "What happened"), ("learned", "What I learned from it"),
                        ("apply", "How I will apply it"), ("differently", "What I will do differently"))


def _entry_markdown(entry: Entry) -> str:
    lines = [f"## {entry.learned_on.isoformat()} · {entry.title}", ""]
    lines.append(f"- **How:** {entry.get_way_display()} ({entry.get_formality_display().lower()})")
    if entry.minutes is not None:
        lines.append(f"- **Time spent:** {entry.minutes} minutes")
    visibility = Visibility(entry.visibility).label
    lines.append(f"- **Visible to:** {visibility}" + (f" — why: {entry.share_note}" if entry.share_note else ""))
    tags = [t.name for t in entry.tags.all()]
    skills = [s.name for s in entry.skills.all()]
    if tags:
        lines.append("- **Tags:** " + ", ".join(f"#{t}" for t in tags))
    if skills:
        lines.append("- **Skills:** " + ", ".join(skills))
    lines.append(f"- **Logged:** {entry.created_at:%Y-%m-%d %H:%M} UTC · id `{entry.uid}`")
    lines.append("")
    if entry.body.strip():
        lines += [_demote_headings(entry.body.strip()), ""]
    for key, heading in _REFLECTION_HEADINGS:
        text = getattr(entry, f"reflection_{key}")
        if text.strip():
            lines += [f"### {heading}", "", _demote_headings(text.strip()), ""]
    links = list(entry.links.all())
    if links:
        lines += ["### Links", ""]
        lines += [f"- [{_md_text(link.title or link.url)}](<{link.url}>)" for link in links]
        lines.append("")
    attachments = list(entry.attachments.all())
    if attachments:
        lines += ["### Files", ""]
        lines += [f"- {_md_text(a.original_name)} ({a.size:,} bytes, {a.content_type})" for a in attachments]
        lines.append("")
    return "\n".join(lines) + "\n"


def journal_export_markdown(*, owner: Any) -> Iterator[str]:
    """One readable Markdown document: a short front matter, then one section per entry, oldest first."""
    head = _header(owner)
    yield ("---\n"
           f"format: {MARKDOWN_FORMAT_NAME}\n"
           f"version: {FORMAT_VERSION}\n"
           f"person: {owner.username}\n"
           f"exported_at: {head['exported_at']}\n"
           f"generator: {head['generator']}\n"
           "---\n\n"
           f"# Learning journal of {owner.display_name}\n\n")
    count = 0
    for entry in _own_entries(owner):
        count += 1
        yield _entry_markdown(entry) + "\n"
    if not count:
        yield "_No learnings logged yet._\n\n"
    reviews = list(_own_reviews(owner))
    if reviews:
        yield "# Weekly reviews\n\n"
        for review in reviews:
            parts = [f"## Week of {review.week_start.isoformat()}", ""]
            for name, heading in (("went_well", "What went well"), ("key_learning", "The most useful thing I learned"),
                                  ("next_week", "What I want to learn or try next week")):
                text = getattr(review, name).strip()
                if text:
                    parts += [f"### {heading}", "", _demote_headings(text), ""]
            yield "\n".join(parts) + "\n"


def export_filename(owner: Any, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", owner.username).strip("-.") or "journal"
    extension = "md" if fmt == "markdown" else "json"
    return f"learnflow-journal-{safe}-{timezone.now():%Y-%m-%d}.{extension}"


# --------------------------------------------------------------------------------------------------------------------
# Import: first read and check the whole file (no writes), then write everything through services in one transaction.


@dataclass
class AttachmentIn:
    name: str
    content: bytes | None
    created_at: dt.datetime | None = None


@dataclass
class EntryIn:
    label: str  # how messages name the entry: 'Entry 3 (“Title”)'
    uid: uuid.UUID
    title: str
    body: str = ""
    way: str = Way.DAILY_WORK
    learned_on: dt.date | None = None
    minutes: int | None = None
    visibility: str = Visibility.PRIVATE
    share_note: str = ""
    reflection: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    links: list[services.LinkIn] = field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    attachments: list[AttachmentIn] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)


@dataclass
class ReviewIn:
    week_start: dt.date
    went_well: str
    key_learning: str
    next_week: str
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass
class ImportReport:
    source: str  # "learnflow" or "jrnl"
    imported: int = 0
    already_present: int = 0
    attachments: int = 0
    reviews_imported: int = 0
    reviews_present: int = 0
    shared: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def source_label(self) -> str:
        return "a jrnl JSON export" if self.source == "jrnl" else "a Learnflow journal export"

    @property
    def shared_summary(self) -> list[str]:
        return [f"{n} shared with {Visibility(v).label.lower()}, as in the file"
                for v, n in sorted(self.shared.items())]

    def lines(self) -> list[str]:
        out = [f"Read {self.source_label}.",
               f"{self.imported} entr{'y' if self.imported == 1 else 'ies'} imported "
               f"({self.attachments} file{'' if self.attachments == 1 else 's'}), "
               f"{self.already_present} already present."]
        if self.reviews_imported or self.reviews_present:
            out.append(f"{self.reviews_imported} weekly review(s) imported, {self.reviews_present} already present.")
        out += [f"{line}." for line in self.shared_summary]
        out += [f"Skipped: {reason}" for reason in self.skipped]
        return out


class _Problems:
    """Collects what is wrong with a file, so that one attempt names every problem (up to a sensible number)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.extra = 0

    def add(self, message: str) -> None:
        if len(self.messages) < MAX_REPORTED_PROBLEMS:
            self.messages.append(message)
        else:
            self.extra += 1

    def raise_if_any(self) -> None:
        if self.messages:
            messages = list(self.messages)
            if self.extra:
                messages.append(f"… and {self.extra} more problem(s).")
            raise ValidationError({"file": messages})


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def journal_file_read(data: bytes) -> dict[str, Any]:
    """Bytes → the top-level JSON object, or a ValidationError that says why not."""
    limit = max_import_bytes()
    if len(data) > limit:
        raise _refuse(f"The file is larger than the {limit // (1024 * 1024)} MB import limit.")
    if not data.strip():
        raise _refuse("The file is empty.")
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise _refuse(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except UnicodeDecodeError:
        raise _refuse("The file is not UTF-8 text, so it cannot be a journal export.") from None
    except (RecursionError, ValueError):
        raise _refuse("The file is not a journal export (its JSON is nested too deeply or has absurd numbers).") \
            from None
    if not isinstance(document, dict):
        raise _refuse("The file is JSON but not a journal export: it should be one object with \"entries\".")
    if _holds_nul(document):
        # Forms refuse NUL characters and PostgreSQL cannot store them, so an import refuses them too.
        raise _refuse("The file contains a NUL character (\\u0000) in its text, which a journal cannot hold.")
    return document


def _holds_nul(document: Any) -> bool:
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _detect(document: dict[str, Any]) -> str:
    if "format" in document:
        name = document["format"]
        if name != FORMAT_NAME:
            shown = str(name)[:60]
            raise _refuse(f"This is a “{shown}” file, not a Learnflow journal export (format “{FORMAT_NAME}”).")
        version = document.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise _refuse("The file has no valid format version (expected \"version\": 1).")
        if version > FORMAT_VERSION:
            raise _refuse(f"The file was written by a newer Learnflow (format version {version}); "
                          f"this one reads version {FORMAT_VERSION}. Update Learnflow, then import again.")
        if version < 1:
            raise _refuse(f"Format version {version} does not exist.")
        return "learnflow"
    if isinstance(document.get("entries"), list) and isinstance(document.get("tags", {}), dict):
        return "jrnl"
    raise _refuse("The file is neither a Learnflow journal export nor a jrnl JSON export "
                  "(no \"format\": \"learnflow-journal\" and no \"entries\" list).")


# --- Field readers: each returns the clean value or adds a message naming the entry and the field.

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(obj: dict, key: str, label: str, problems: _Problems, *, limit: int, required: bool = False) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(f"{label}: “{key}” should be text.")
        return ""
    if len(value) > limit:
        problems.add(f"{label}: “{key}” is longer than {limit:,} characters.")
    if required and not value.strip():
        problems.add(f"{label}: “{key}” is missing or empty.")
    return value


def _date(value: Any, key: str, label: str, problems: _Problems, *, today: dt.date | None = None) -> dt.date | None:
    day = None
    if isinstance(value, str):
        try:
            day = parse_date(value)
        except ValueError:
            day = None
    if day is None:
        problems.add(f"{label}: “{key}” should be a date like 2026-03-31, not {json.dumps(value)[:40]}.")
        return None
    if today is not None and day > today + dt.timedelta(days=1):
        problems.add(f"{label}: “{key}” {day.isoformat()} is in the future.")
        return None
    if day.year < 1970:
        problems.add(f"{label}: “{key}” {day.isoformat()} is too far in the past.")
        return None
    return day


def _moment(obj: dict, key: str, label: str, problems: _Problems) -> dt.datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    moment = None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
    if moment is None:
        problems.add(f"{label}: “{key}” should be a date and time like 2026-03-31T09:30:00+00:00.")
        return None
    if timezone.is_naive(moment):
        problems.add(f"{label}: “{key}” needs a time zone offset (for example +00:00).")
        return None
    if moment > timezone.now() + dt.timedelta(days=1):
        problems.add(f"{label}: “{key}” {value} is in the future.")
        return None
    return moment


def _names(obj: dict, key: str, label: str, problems: _Problems, limit: int) -> list[str]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(f"{label}: “{key}” should be a list of words.")
        return []
    if len(value) > MAX_NAMES_PER_ENTRY:
        problems.add(f"{label}: more than {MAX_NAMES_PER_ENTRY} {key}.")
        return []
    if any(len(v) > limit for v in value):
        problems.add(f"{label}: a name in “{key}” is longer than {limit} characters.")
        return []
    return list(value)


def _attachment_name(value: Any, label: str, problems: _Problems) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{label}: an attachment has no name.")
        return None
    name = unicodedata.normalize("NFC", value)
    # The name comes back to people as a download name: anything path-like is refused, not quietly cut.
    if ("/" in name or "\\" in name or name in {".", ".."} or _CONTROL.search(name)
            or PurePosixPath(name).name != name or len(name) > 255):
        problems.add(f"{label}: the attachment name “{name[:80]}” looks like a path; "
                     "only a plain file name is allowed.")
        return None
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in settings.ALLOWED_UPLOAD_TYPES:
        problems.add(f"{label}: “{name}” is not a type of file that can be attached.")
        return None
    return name


def _attachment(obj: Any, label: str, problems: _Problems,
                open_attachment: Callable[[str], bytes] | None) -> AttachmentIn | str | None:
    """An attachment to import, the name of one whose content is not in the file (str), or None when refused."""
    if not isinstance(obj, dict):
        problems.add(f"{label}: each attachment should be an object.")
        return None
    name = _attachment_name(obj.get("name"), label, problems)
    if name is None:
        return None
    where = f"{label}, file “{name}”"
    size, digest = obj.get("size"), obj.get("sha256")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        problems.add(f"{where}: “size” should be a whole number of bytes.")
        return None
    if isinstance(size, int) and size > settings.MAX_UPLOAD_BYTES:
        problems.add(f"{where}: larger than the {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit for a file.")
        return None
    if digest is not None and (not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest)):
        problems.add(f"{where}: “sha256” should be 64 hexadecimal digits.")
        return None
    created_at = _moment(obj, "created_at", where, problems)
    encoded, archive_path = obj.get("content_base64"), obj.get("archive_path")
    if encoded is None and archive_path is None:
        return name
    if encoded is not None:
        if not isinstance(encoded, str):
            problems.add(f"{where}: “content_base64” should be text.")
            return None
        if len(encoded) > (settings.MAX_UPLOAD_BYTES + 2) * 4 // 3 + 4:
            problems.add(f"{where}: larger than the {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit for a file.")
            return None
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            problems.add(f"{where}: “content_base64” is not valid base64.")
            return None
    else:
        if open_attachment is None or not isinstance(archive_path, str):
            problems.add(f"{where}: its content is said to be in an archive, but this is a single file.")
            return None
        try:
            content = open_attachment(archive_path)
        except (KeyError, ValueError, OSError) as exc:
            problems.add(f"{where}: cannot read “{archive_path[:80]}” from the archive ({exc}).")
            return None
    if size is not None and len(content) != size:
        problems.add(f"{where}: the content is {len(content):,} bytes but the file says {size:,}.")
        return None
    if digest is not None and hashlib.sha256(content).hexdigest() != digest:
        problems.add(f"{where}: the content does not match its sha256 checksum (the file is damaged or altered).")
        return None
    return AttachmentIn(name=name, content=content, created_at=created_at)


def _read_learnflow_entry(obj: Any, index: int, problems: _Problems, *, today: dt.date, private_only: bool,
                          open_attachment: Callable[[str], bytes] | None) -> EntryIn | None:
    if not isinstance(obj, dict):
        problems.add(f"Entry {index}: should be an object.")
        return None
    shown = obj.get("title") if isinstance(obj.get("title"), str) else ""
    label = f"Entry {index}" + (f" (“{shown[:60]}”)" if shown else "")
    before = len(problems.messages) + problems.extra
    try:
        uid = uuid.UUID(str(obj.get("uid")))
    except ValueError:
        problems.add(f"{label}: “uid” should be a UUID like 9b0c4f1e-….")
        uid = uuid.uuid4()
    title = _text(obj, "title", label, problems, limit=200, required=True)
    body = _text(obj, "body", label, problems, limit=50_000)
    way = obj.get("way", Way.DAILY_WORK)
    if way not in Way.values:
        problems.add(f"{label}: “way” {json.dumps(way)[:40]} is not a way of learning; one of {', '.join(Way.values)}.")
    learned_on = _date(obj.get("learned_on"), "learned_on", label, problems, today=today)
    minutes = obj.get("minutes")
    if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 10080):
        problems.add(f"{label}: “minutes” should be a whole number from 0 to 10080, or null.")
    visibility = obj.get("visibility", Visibility.PRIVATE)
    if visibility not in Visibility.values:
        problems.add(f"{label}: “visibility” {json.dumps(visibility)[:40]} is not one of "
                     f"{', '.join(Visibility.values)}.")
    share_note = _text(obj, "share_note", label, problems, limit=500)
    if visibility == Visibility.PRIVATE and share_note.strip():
        problems.add(f"{label}: a private entry cannot carry a note on why it is worth sharing.")
    reflection_in = obj.get("reflection") or {}
    reflection: dict[str, str] = {}
    if not isinstance(reflection_in, dict):
        problems.add(f"{label}: “reflection” should be an object.")
    else:
        unknown = set(reflection_in) - {"happened", "learned", "apply", "differently"}
        if unknown:
            problems.add(f"{label}: unknown reflection part(s): {', '.join(sorted(map(str, unknown)))[:80]}.")
        for key in ("happened", "learned", "apply", "differently"):
            reflection[key] = _text(reflection_in, key, f"{label}, reflection", problems, limit=10_000)
    tags = _names(obj, "tags", label, problems, 64)
    skills = _names(obj, "skills", label, problems, 100)
    links: list[services.LinkIn] = []
    links_in = obj.get("links") or []
    if not isinstance(links_in, list) or len(links_in) > services.MAX_LINKS:
        problems.add(f"{label}: “links” should be a list of at most {services.MAX_LINKS} links.")
    else:
        for link in links_in:
            if not isinstance(link, dict) or not isinstance(link.get("url"), str) \
                    or not isinstance(link.get("title", ""), str):
                problems.add(f"{label}: each link should be an object with a “url” and an optional “title”.")
                break
            links.append(services.LinkIn(url=link["url"], title=link.get("title") or ""))
    created_at = _moment(obj, "created_at", label, problems)
    updated_at = _moment(obj, "updated_at", label, problems)
    if created_at and updated_at and updated_at < created_at:
        problems.add(f"{label}: “updated_at” is before “created_at”.")
    attachments: list[AttachmentIn] = []
    missing: list[str] = []
    attachments_in = obj.get("attachments") or []
    if not isinstance(attachments_in, list) or len(attachments_in) > services.MAX_ATTACHMENTS:
        problems.add(f"{label}: “attachments” should be a list of at most {services.MAX_ATTACHMENTS} files.")
    else:
        for item in attachments_in:
            result = _attachment(item, label, problems, open_attachment)
            if isinstance(result, AttachmentIn):
                attachments.append(result)
            elif isinstance(result, str):
                missing.append(result)
    if len(problems.messages) + problems.extra > before:
        return None
    if private_only:
        visibility, share_note = Visibility.PRIVATE, ""
    return EntryIn(label=label, uid=uid, title=title, body=body, way=way, learned_on=learned_on, minutes=minutes,
                   visibility=visibility, share_note=share_note, reflection=reflection, tags=tags, skills=skills,
                   links=links, created_at=created_at, updated_at=updated_at, attachments=attachments,
                   missing_files=missing)


def _read_review(obj: Any, index: int, problems: _Problems, today: dt.date) -> ReviewIn | None:
    label = f"Weekly review {index}"
    if not isinstance(obj, dict):
        problems.add(f"{label}: should be an object.")
        return None
    before = len(problems.messages) + problems.extra
    week_start = _date(obj.get("week_start"), "week_start", label, problems, today=today)
    if week_start and week_start.weekday() != 0:
        problems.add(f"{label}: “week_start” {week_start.isoformat()} is not a Monday.")
    texts = {key: _text(obj, key, label, problems, limit=10_000) for key in ("went_well", "key_learning", "next_week")}
    created_at = _moment(obj, "created_at", label, problems)
    updated_at = _moment(obj, "updated_at", label, problems)
    if len(problems.messages) + problems.extra > before:
        return None
    return ReviewIn(week_start=week_start, created_at=created_at, updated_at=updated_at, **texts)


def _read_learnflow(document: dict[str, Any], *, author: Any, private_only: bool,
                    open_attachment: Callable[[str], bytes] | None) -> tuple[list[EntryIn], list[ReviewIn]]:
    problems = _Problems()
    entries_in, reviews_in = document.get("entries"), document.get("weekly_reviews") or []
    if not isinstance(entries_in, list):
        raise _refuse("The file has no “entries” list.")
    if not isinstance(reviews_in, list):
        raise _refuse("“weekly_reviews” should be a list.")
    if len(entries_in) > MAX_IMPORT_ENTRIES or len(reviews_in) > MAX_IMPORT_ENTRIES:
        raise _refuse(f"The file holds {len(entries_in):,} entries and {len(reviews_in):,} weekly reviews; one "
                      f"import takes at most {MAX_IMPORT_ENTRIES:,} of each.")
    today = services.today_for(author)
    entries: list[EntryIn] = []
    seen: dict[uuid.UUID, int] = {}
    for index, obj in enumerate(entries_in, start=1):
        entry = _read_learnflow_entry(obj, index, problems, today=today, private_only=private_only,
                                      open_attachment=open_attachment)
        if entry is None:
            continue
        if entry.uid in seen:
            problems.add(f"{entry.label}: the uid {entry.uid} is also used by entry {seen[entry.uid]}.")
            continue
        seen[entry.uid] = index
        entries.append(entry)
    reviews = [r for i, obj in enumerate(reviews_in, start=1) if (r := _read_review(obj, i, problems, today))]
    if len({r.week_start for r in reviews}) != len(reviews):
        problems.add("Two weekly reviews are for the same week.")
    problems.raise_if_any()
    return entries, reviews


# jrnl (https://jrnl.sh) `jrnl --export json`: {"tags": {"@tag": count}, "entries": [{"title", "body",
# "date": "YYYY-MM-DD", "time": "HH:MM", "tags": ["@tag"], "starred": bool, optional "uuid" (Day One journals)}]}.
_JRNL_NAMESPACE = uuid.UUID("0d4b9f0e-5d43-4c1e-9b1e-6a6b1f6f7a11")
_JRNL_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _read_jrnl(document: dict[str, Any], *, author: Any) -> list[EntryIn]:
    problems = _Problems()
    entries_in = document["entries"]
    if len(entries_in) > MAX_IMPORT_ENTRIES:
        raise _refuse(f"The file holds {len(entries_in):,} entries; one import takes at most {MAX_IMPORT_ENTRIES:,}.")
    today = services.today_for(author)
    tz = timezone.get_current_timezone()
    try:
        import zoneinfo

        tz = zoneinfo.ZoneInfo(getattr(author, "timezone", "") or "UTC")
    except (LookupError, ValueError):
        pass
    entries: list[EntryIn] = []
    for index, obj in enumerate(entries_in, start=1):
        if not isinstance(obj, dict):
            problems.add(f"Entry {index}: should be an object.")
            continue
        shown = obj.get("title") if isinstance(obj.get("title"), str) else ""
        label = f"Entry {index}" + (f" (“{shown[:60]}”)" if shown else "")
        before = len(problems.messages) + problems.extra
        title = _text(obj, "title", label, problems, limit=100_000).strip()
        body = _text(obj, "body", label, problems, limit=50_000).strip()
        day = _date(obj.get("date"), "date", label, problems, today=today)
        time_text = obj.get("time") or "00:00"
        match = _JRNL_TIME.match(time_text) if isinstance(time_text, str) else None
        if match is None:
            problems.add(f"{label}: “time” should look like 09:30, not {json.dumps(time_text)[:20]}.")
        tags = _names(obj, "tags", label, problems, 200)
        starred = obj.get("starred", False)
        if not isinstance(starred, bool):
            problems.add(f"{label}: “starred” should be true or false.")
        if len(problems.messages) + problems.extra > before:
            continue
        if not title:
            title = (body.splitlines() or ["Untitled jrnl entry"])[0].strip()[:200] or "Untitled jrnl entry"
        elif len(title) > 200:
            # jrnl's title is the first sentence and has no length limit: keep all of it at the top of the body.
            body = f"{title}\n\n{body}".strip()
            title = title[:199].rstrip() + "…"
        if len(body) > 50_000:
            problems.add(f"{label}: the text is longer than 50,000 characters.")
            continue
        written = dt.datetime.combine(day, dt.time(int(match[1]), int(match[2]), int(match[3] or 0)), tzinfo=tz)
        if written > timezone.now() + dt.timedelta(days=1):
            written = None  # a date allowed by the timezone slack but a time ahead of now: fall back to now
        # jrnl entries carry no identity; one derived from the person and the content makes a re-import a no-op.
        key = obj.get("uuid") if isinstance(obj.get("uuid"), str) else f"{day}\n{time_text}\n{title}\n{body}"
        uid = uuid.uuid5(_JRNL_NAMESPACE, f"{author.pk}\n{key}")
        names = [t.lstrip("@#+") for t in tags] + (["starred"] if starred else [])
        entries.append(EntryIn(label=label, uid=uid, title=title, body=body, way=Way.DAILY_WORK, learned_on=day,
                               visibility=Visibility.PRIVATE, tags=names, created_at=written, updated_at=written))
    problems.raise_if_any()
    return entries


def _label_error(label: str, exc: ValidationError) -> ValidationError:
    from learnflow.core.errors import validation_fields

    messages = [f"{label}: {e['field'] + ': ' if e['field'] else ''}{e['message']}" for e in validation_fields(exc)]
    return ValidationError({"file": messages})


def _identity(entry: EntryIn, author: Any, taken_by_others: set[uuid.UUID]) -> uuid.UUID:
    """An entry keeps its uid, unless that uid already belongs to someone else's entry here (the same export imported
    by a second person on one instance): then a uid derived from both is used, so a re-import still finds it."""
    if entry.uid in taken_by_others:
        return uuid.uuid5(entry.uid, f"learnflow-import:{author.pk}")
    return entry.uid


def journal_import(*, author: Any, data: bytes, private_only: bool = False,
                   open_attachment: Callable[[str], bytes] | None = None) -> ImportReport:
    """Import a Learnflow journal export or a jrnl JSON export into `author`'s journal. All or nothing.

    Visibility: a Learnflow export restores each entry's visibility as the owner had it (the owner made the file,
    and a round trip must lose nothing; on another instance "team" and "manager" mean the people there). Pass
    private_only=True to bring everything in as private. jrnl has no sharing, so jrnl entries arrive private.
    """
    document = journal_file_read(data)
    source = _detect(document)
    if source == "learnflow":
        entries, reviews = _read_learnflow(document, author=author, private_only=private_only,
                                           open_attachment=open_attachment)
    else:
        entries, reviews = _read_jrnl(document, author=author), []
    report = ImportReport(source=source)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _write(author=author, entries=entries, reviews=reviews, report=report, stored=stored)
    except BaseException:
        # The rows are rolled back; the files written to storage on the way must go too.
        for name in stored:
            EntryAttachment._meta.get_field("file").storage.delete(name)
        raise
    return report


def _uids_among(qs: Any, uids: list[uuid.UUID]) -> set[uuid.UUID]:
    # In batches: SQLite refuses a statement with more than 32,766 parameters, and a file may hold 50,000 entries.
    found: set[uuid.UUID] = set()
    for start in range(0, len(uids), 1000):
        found.update(qs.filter(uid__in=uids[start:start + 1000]).values_list("uid", flat=True))
    return found


def _write(*, author: Any, entries: list[EntryIn], reviews: list[ReviewIn], report: ImportReport,
           stored: list[str]) -> None:
    # The one query here that looks beyond the author's own journal, on purpose: it only learns which uids are in use
    # (a uid is unique per instance) and returns nothing about those entries.
    others = Entry.objects.unrestricted().exclude(author=author)
    taken_by_others = _uids_among(others, [e.uid for e in entries])
    identities = {e.uid: _identity(e, author, taken_by_others) for e in entries}
    present = _uids_among(Entry.objects.owned_by(author), list(identities.values()))
    for item in entries:
        uid = identities[item.uid]
        if uid in present:
            report.already_present += 1
            continue
        try:
            entry = services.entry_create(
                author=author, title=item.title, body=item.body, way=item.way, learned_on=item.learned_on,
                minutes=item.minutes, visibility=item.visibility, share_note=item.share_note, tags=item.tags,
                skills=item.skills, links=item.links, reflection=item.reflection, source="import", uid=uid,
            )
            for attachment in item.attachments:
                upload = SimpleUploadedFile(attachment.name, attachment.content or b"")
                added = services.attachment_add(entry=entry, actor=author, upload=upload)
                stored.append(added.file.name)
                if attachment.created_at:
                    EntryAttachment.objects.filter(pk=added.pk).update(created_at=attachment.created_at)
                report.attachments += 1
        except ValidationError as exc:
            raise _label_error(item.label, exc) from None
        # Timestamps are restored after the service has validated and recorded the entry: they say when the
        # person first wrote it, not when it arrived here.
        restore: dict[str, Any] = {}
        if item.created_at:
            restore["created_at"] = item.created_at
        restore["updated_at"] = item.updated_at or item.created_at or entry.updated_at
        Entry.objects.filter(pk=entry.pk).update(**restore)
        present.add(uid)
        report.imported += 1
        if item.visibility != Visibility.PRIVATE:
            report.shared[item.visibility] = report.shared.get(item.visibility, 0) + 1
        report.skipped += [f"{item.label}: the file “{name}” was exported without its content."
                           for name in item.missing_files]
    existing = {r.week_start: r for r in WeeklyReview.objects.filter(author=author)}
    for item in reviews:
        mine = existing.get(item.week_start)
        if mine is not None:
            report.reviews_present += 1
            if (mine.went_well, mine.key_learning, mine.next_week) != (item.went_well.strip(),
                                                                       item.key_learning.strip(),
                                                                       item.next_week.strip()):
                report.skipped.append(f"Weekly review of {item.week_start.isoformat()}: you already have one for "
                                      "that week, which was kept as it is.")
            continue
        try:
            review = services.weekly_review_save(author=author, week_start=item.week_start, went_well=item.went_well,
                                                 key_learning=item.key_learning, next_week=item.next_week)
        except ValidationError as exc:
            raise _label_error(f"Weekly review of {item.week_start.isoformat()}", exc) from None
        restore = {}
        if item.created_at:
            restore["created_at"] = item.created_at
        if item.updated_at or item.created_at:
            restore["updated_at"] = item.updated_at or item.created_at
        if restore:
            WeeklyReview.objects.filter(pk=review.pk).update(**restore)
        report.reviews_imported += 1


# --------------------------------------------------------------------------------------------------------------------
# Command line: `learnflow export USERNAME [--format json|markdown] [--out FILE]`, `learnflow import USERNAME FILE`.


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _user_or_exit(username: str) -> Any:
    import typer
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.secho(f"No person with the username “{username}”.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    return user


def export_cli(*, username: str, out: Path | None, fmt: str) -> None:
    import typer

    if fmt not in ("json", "markdown"):
        typer.secho(f"Unknown format “{fmt}”: use json or markdown.", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    owner = _user_or_exit(username)
    stats = journal_export_stats(owner=owner)
    chunks = journal_export_json(owner=owner) if fmt == "json" else journal_export_markdown(owner=owner)
    written = 0
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
            written += len(chunk.encode("utf-8"))
        sys.stdout.flush()
    else:
        out = Path(out)
        partial = out.with_name(out.name + ".partial")
        # Written beside the target and renamed at the end: an interrupted export never looks like a complete one.
        with partial.open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(out)
        written = out.stat().st_size
    where = "standard output" if out is None else str(out)
    what = ", ".join([_count(stats.entries, "entry", "entries"), _count(stats.attachments, "file", "files"),
                      _count(stats.reviews, "weekly review", "weekly reviews")])
    typer.echo(f"Exported the journal of {owner.username} as {fmt}: {what} → {where} ({written:,} bytes).",
               err=out is None)


def import_cli(*, username: str, file: Path, private_only: bool = False) -> None:
    import typer

    author = _user_or_exit(username)
    path = Path(file)
    if not path.is_file():
        typer.secho(f"No file at {path}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if path.stat().st_size > max_import_bytes():
        typer.secho(f"{path} is larger than the {max_import_bytes() // (1024 * 1024)} MB import limit; nothing "
                    "was imported.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    try:
        report = journal_import(author=author, data=path.read_bytes(), private_only=private_only)
    except ValidationError as exc:
        from learnflow.core.errors import validation_fields

        typer.secho(f"Nothing was imported from {path}:", fg=typer.colors.RED, err=True)
        for error in validation_fields(exc):
            typer.secho(f"  - {error['message']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"Imported into the journal of {author.username} from {path}:")
    for line in report.lines():
        typer.echo(f"  {line}")
