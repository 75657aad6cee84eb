"""“Download all my data”: one zip archive of everything a person owns, importable into another Learnflow.

The Learnflow account archive, version 1
========================================
    manifest.json              {"format": "learnflow-account", "version": 1, "exported_at", "generator",
                                "person": {"username", "name"}, "parts": {part: member}, "files": [{"path","size",
                                "sha256"}]}   — readers ignore keys they do not know
    README.md                  what is where, for a person opening the zip
    profile.json               name, email, job title, time zone, skills, interests, notification preferences;
                               team and manager by name (informative: they mean people on this instance)
    journal/journal.json       the journal.portability document ("learnflow-journal" v1) in archive mode:
                               attachments carry "archive_path" instead of base64
    journal/journal.md         the same, readable
    journal/files/<entry uid>/<id>-<name>   attachment bytes
    goals/goals.json           goals with steps, skills, evidence (evidence files under goals/files/…, evidence of
                               an entry or an activity by the entry's uid / the statement's id); endorsement
                               requests (informative)
    goals/goals.md             the same, readable
    record/statements.json     every xAPI statement about the person (the stored full_json with its columns), with
                               the person's sharing choice and the entry reflecting on it; statement attachment
                               content under record/attachments/<sha2>
    development/check-ins.json check-ins a manager shared with the person, stretch assignments (informative: they
                               are the manager's notes and are not imported)
    portfolios/portfolios.json portfolios with their items (by uid / id) and intro
    portfolios/portfolios.md   the same, readable

Only the person's own things are read here, on purpose through owner filters rather than `visible_to`: what
others shared with them is not theirs (shared check-ins are included as a copy of what they were shown).

Import (`account_import`) checks the whole archive first (safezip.SafeZip: traversal, absolute paths, symlinks,
zip bombs, sizes, duplicates; then every JSON part), and writes everything in one transaction; files written to
storage on the way are removed if anything fails, so a refused archive leaves nothing behind. The journal part is
imported by journal.portability.journal_import with a member reader.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from learnflow import __version__
from learnflow.account.safezip import Limits, SafeZip
from learnflow.journal import portability

FORMAT_NAME = "learnflow-account"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 200 * 1024 * 1024


def goals_installed() -> bool:
    return apps.is_installed("learnflow.goals")


def development_installed() -> bool:
    return apps.is_installed("learnflow.development")


def portfolio_installed() -> bool:
    return apps.is_installed("learnflow.portfolio")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "file"


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


# --------------------------------------------------------------------------------------------------------------------
# Export


class _Writer:
    """Adds members and remembers their size and checksum for the manifest."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files: list[dict[str, Any]] = []

    def add(self, name: str, data: bytes) -> None:
        self.zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        self.files.append({"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    def add_chunks(self, name: str, chunks: Iterable[str]) -> None:
        digest, size = hashlib.sha256(), 0
        with self.zf.open(name, "w", force_zip64=True) as handle:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                handle.write(data)
                digest.update(data)
                size += len(data)
        self.files.append({"path": name, "size": size, "sha256": digest.hexdigest()})

    def add_file(self, name: str, field_file: Any) -> bool:
        try:
            with field_file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            return False
        self.add(name, data)
        return True


def _profile(user: Any) -> dict[str, Any]:
    from learnflow.account.models import NotificationPreference

    pref = NotificationPreference.objects.filter(user=user).first()
    return {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "job_title": user.job_title, "timezone": user.timezone,
        "availability": user.availability, "availability_note": user.availability_note,
        "skills": [s.name for s in user.skills.all()], "interests": [t.name for t in user.interests.all()],
        "date_joined": _iso(user.date_joined),
        "team": user.team.name if user.team_id else None,
        "manager": user.manager.username if user.manager_id else None,
        "preferences": {"weekly_goal_nudge": pref.weekly_goal_nudge if pref else True,
                        "nudge_by_email": pref.nudge_by_email if pref else True},
    }


def _skills(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"name": r.skill.name, "level": r.level} for r in rows]


def _goals(user: Any, writer: _Writer) -> dict[str, Any]:
    from learnflow.goals.models import EndorsementRequest, Goal

    goals = []
    qs = (Goal.objects.owned_by(user).order_by("created_at", "id")
          .prefetch_related("steps", "goal_skills__skill", "evidence__evidence_skills__skill", "evidence__entry",
                            "evidence__statement", "evidence__resource"))
    for goal in qs:
        steps = list(goal.steps.all())
        evidence = []
        for ev in goal.evidence.all():
            item: dict[str, Any] = {
                "kind": ev.kind, "step": steps.index(ev.step) if ev.step_id and ev.step in steps else None,
                "entry_uid": str(ev.entry.uid) if ev.entry_id else None,
                "statement_id": str(ev.statement.id) if ev.statement_id else None,
                "url": ev.url, "title": ev.title, "note": ev.note, "skills": _skills(ev.evidence_skills.all()),
                "created_at": _iso(ev.created_at), "file": None,
            }
            if ev.kind == "resource" and ev.resource_id:
                # The uid finds the resource again on this instance; title and address keep it readable (and
                # importable as a link) anywhere else.
                res = ev.resource
                item["resource"] = {"uid": str(res.uid), "title": res.title,
                                    "url": res.url or settings.SITE_URL.rstrip("/") + res.get_absolute_url()}
            if ev.kind == "file" and ev.file:
                path = f"goals/files/{goal.uid}/{ev.pk}-{_safe(ev.original_name)}"
                present = writer.add_file(path, ev.file)
                item["file"] = {"name": ev.original_name, "content_type": ev.content_type, "size": ev.size,
                                "sha256": ev.sha256, "archive_path": path if present else None}
            evidence.append(item)
        goals.append({
            "uid": str(goal.uid), "title": goal.title, "why": goal.why, "success": goal.success,
            "target_date": _iso(goal.target_date), "status": goal.status, "visibility": goal.visibility,
            "achieved_on": _iso(goal.achieved_on), "skills": _skills(goal.goal_skills.all()),
            "steps": [{"title": s.title, "position": s.position, "due_date": _iso(s.due_date), "done": s.done,
                       "done_on": _iso(s.done_on), "created_at": _iso(s.created_at)} for s in steps],
            "evidence": evidence, "created_at": _iso(goal.created_at), "updated_at": _iso(goal.updated_at),
        })
    requests = [{
        "endorser": r.endorser.username, "goal_uid": str(r.evidence.goal.uid) if r.evidence_id else None,
        "evidence_title": r.evidence.label if r.evidence_id else None, "skill": r.skill.name if r.skill_id else None,
        "level": r.level, "message": r.message, "status": r.status, "comment": r.comment,
        "created_at": _iso(r.created_at), "answered_at": _iso(r.answered_at),
    } for r in EndorsementRequest.objects.filter(requester=user).select_related("endorser", "evidence__goal",
                                                                                "skill")]
    return {"goals": goals, "endorsement_requests": requests,
            "note": "Endorsement requests are informative: they name people of the instance they were made on."}


def _goals_markdown(document: dict[str, Any]) -> str:
    lines = ["# My development goals", ""]
    for goal in document["goals"]:
        lines += [f"## {goal['title']}", "", f"- **Target date:** {goal['target_date']}",
                  f"- **Status:** {goal['status']}", f"- **Visible to:** {goal['visibility']}", ""]
        if goal["why"]:
            lines += ["### Why it matters", "", goal["why"], ""]
        if goal["success"]:
            lines += ["### How success will show", "", goal["success"], ""]
        if goal["steps"]:
            lines += ["### Steps", ""] + [f"- [{'x' if s['done'] else ' '}] {s['title']}" for s in goal["steps"]]
            lines.append("")
        if goal["evidence"]:
            lines += ["### Evidence", ""]
            for ev in goal["evidence"]:
                label = (ev["title"] or ev["url"] or (ev["file"] or {}).get("name")
                         or (ev.get("resource") or {}).get("title") or ev["kind"])
                lines.append(f"- {ev['kind']}: {label}" + (f" — {ev['note']}" if ev["note"] else ""))
            lines.append("")
    if not document["goals"]:
        lines.append("_No goals yet._")
    return "\n".join(lines) + "\n"


def _attachment_hashes(full: dict[str, Any]) -> list[str]:
    return [a["sha2"] for a in full.get("attachments") or [] if isinstance(a, dict) and isinstance(a.get("sha2"), str)]


def _statements(user: Any, writer: _Writer) -> dict[str, Any]:
    from learnflow.lrs.models import AttachmentBlob, Statement
    from learnflow.record.models import StatementReflection, StatementShare

    qs = Statement.objects.filter(person=user).order_by("stored", "seq")
    shares = {s.statement_id: s for s in StatementShare.objects.filter(owner=user)}
    reflections = {r.statement_id: str(r.entry.uid)
                   for r in StatementReflection.objects.filter(entry__author=user).select_related("entry")}
    out = []
    for st in qs.iterator(chunk_size=500):
        share = shares.get(st.seq)
        out.append({
            "id": str(st.id), "stored": _iso(st.stored), "timestamp": _iso(st.timestamp), "verb_iri": st.verb_iri,
            "actor_ifi": st.actor_ifi, "object_type": st.object_type, "object_iri": st.object_iri,
            "object_statement": str(st.object_statement) if st.object_statement else None,
            "registration": str(st.registration) if st.registration else None, "voided": st.voided,
            "is_voiding": st.is_voiding, "version": st.version, "has_attachments": st.has_attachments,
            "full_json": json.loads(st.full_json),
            "share": {"visibility": share.visibility, "note": share.note} if share else None,
            "reflection_entry_uid": reflections.get(st.seq),
        })
    # Attachment content a statement carries (a certificate, a transcript) is stored once per hash, beside it.
    wanted = {h for row in out if row["has_attachments"] for h in _attachment_hashes(row["full_json"])}
    blobs = []
    for blob in AttachmentBlob.objects.filter(sha2__in=wanted):
        path = f"record/attachments/{_safe(blob.sha2)}"
        writer.add(path, bytes(blob.content))
        blobs.append({"sha2": blob.sha2, "content_type": blob.content_type, "archive_path": path})
    return {"statements": out, "attachments": blobs}


def _development(user: Any) -> dict[str, Any]:
    from learnflow.development.models import CheckIn, StretchAssignment

    check_ins = [{
        "manager": c.manager.display_name, "held_on": _iso(c.held_on), "notes": c.notes,
        "actions": [{"text": a.text, "owner": a.owner, "due_on": _iso(a.due_on), "done": a.done,
                     "done_on": _iso(a.done_on)} for a in c.actions.all()],
    } for c in CheckIn.objects.filter(report=user, shared_with_report=True).select_related("manager")
        .prefetch_related("actions")]
    stretch = [{
        "manager": s.manager.display_name, "title": s.title, "description": s.description,
        "starts_on": _iso(s.starts_on), "ends_on": _iso(s.ends_on), "status": s.status,
    } for s in StretchAssignment.objects.filter(person=user).select_related("manager")]
    return {"check_ins": check_ins, "stretch_assignments": stretch,
            "note": "A copy of what managers shared with you; informative, not imported."}


def _portfolios(user: Any) -> dict[str, Any]:
    from learnflow.portfolio.models import Portfolio

    out = []
    qs = Portfolio.objects.filter(owner=user).prefetch_related("items__entry", "items__goal", "items__evidence__goal",
                                                              "items__statement", "shared_with")
    for p in qs.order_by("created_at", "id"):
        items = []
        for item in p.items.all():
            ref: dict[str, Any] = {}
            if item.kind == "entry":
                ref = {"entry_uid": str(item.entry.uid)}
            elif item.kind == "goal":
                ref = {"goal_uid": str(item.goal.uid)}
            elif item.kind == "evidence":
                siblings = list(item.evidence.goal.evidence.order_by("created_at", "id").values_list("pk", flat=True))
                ref = {"goal_uid": str(item.evidence.goal.uid), "evidence_index": siblings.index(item.evidence_id)}
            elif item.kind == "activity":
                ref = {"statement_id": str(item.statement.id)}
            items.append({"kind": item.kind, "position": item.position, "note": item.note, **ref})
        out.append({"uid": str(p.uid), "title": p.title, "intro": p.intro,
                     "share_organisation": p.share_organisation,
                     "shared_with": [u.username for u in p.shared_with.all()], "items": items,
                     "created_at": _iso(p.created_at), "updated_at": _iso(p.updated_at)})
    return {"portfolios": out, "note": "Secret links are not exported. Named people are informative: an import "
                                      "does not share with people of another instance."}


def _portfolios_markdown(document: dict[str, Any]) -> str:
    lines = ["# My portfolios", ""]
    for p in document["portfolios"]:
        lines += [f"## {p['title']}", "", p["intro"], "", f"{len(p['items'])} item(s).", ""]
    return "\n".join(lines) + "\n"


README = """# Your Learnflow data

This archive holds everything you own in Learnflow. `manifest.json` lists every part and file with its checksum.

- `profile.json` — your profile and preferences
- `journal/` — your journal (`journal.json` to import, `journal.md` to read, `files/` your attachments)
- `goals/` — your goals, steps and evidence (`goals.md` to read, `files/` evidence files)
- `record/statements.json` — the xAPI statements about you
- `development/check-ins.json` — check-ins your manager shared with you
- `portfolios/` — your portfolios

Import it into any Learnflow with `learnflow import FILE.zip`.
"""


@dataclass
class ExportStats:
    entries: int = 0
    attachments: int = 0
    reviews: int = 0
    goals: int = 0
    statements: int = 0
    check_ins: int = 0
    portfolios: int = 0
    bytes: int = 0

    def summary(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        return ", ".join([
            n(self.entries, "entry", "entries") + f" ({n(self.attachments, 'file', 'files')})",
            n(self.reviews, "weekly review", "weekly reviews"), n(self.goals, "goal", "goals"),
            n(self.statements, "statement", "statements"), n(self.check_ins, "shared check-in", "shared check-ins"),
            n(self.portfolios, "portfolio", "portfolios")])


def account_export(*, user: Any, out: IO[bytes] | str | Path) -> ExportStats:
    """Write the person's archive to `out` (a path or a binary file object)."""
    from learnflow.journal.models import EntryAttachment

    stats = ExportStats()
    parts: dict[str, str] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        writer = _Writer(zf)
        writer.add("README.md", README.encode())
        writer.add("profile.json", _json_bytes(_profile(user)))
        parts["profile"] = "profile.json"

        paths: dict[int, str] = {}

        def archive_path(attachment: EntryAttachment) -> str:
            path = f"journal/files/{attachment.entry.uid}/{attachment.pk}-{_safe(attachment.original_name)}"
            paths[attachment.pk] = path
            return path

        writer.add_chunks("journal/journal.json", portability.journal_export_json(owner=user,
                                                                                  archive_path=archive_path))
        parts["journal"] = "journal/journal.json"
        writer.add_chunks("journal/journal.md", portability.journal_export_markdown(owner=user))
        for attachment in EntryAttachment.objects.filter(pk__in=list(paths)).order_by("id"):
            if writer.add_file(paths[attachment.pk], attachment.file):
                stats.attachments += 1
        journal_stats = portability.journal_export_stats(owner=user)
        stats.entries, stats.reviews = journal_stats.entries, journal_stats.reviews

        if goals_installed():
            goals = _goals(user, writer)
            writer.add("goals/goals.json", _json_bytes(goals))
            writer.add("goals/goals.md", _goals_markdown(goals).encode())
            parts["goals"] = "goals/goals.json"
            stats.goals = len(goals["goals"])

        statements = _statements(user, writer)
        writer.add("record/statements.json", _json_bytes(statements))
        parts["statements"] = "record/statements.json"
        stats.statements = len(statements["statements"])

        if development_installed():
            development = _development(user)
            writer.add("development/check-ins.json", _json_bytes(development))
            parts["development"] = "development/check-ins.json"
            stats.check_ins = len(development["check_ins"])

        if portfolio_installed():
            portfolios = _portfolios(user)
            writer.add("portfolios/portfolios.json", _json_bytes(portfolios))
            writer.add("portfolios/portfolios.md", _portfolios_markdown(portfolios).encode())
            parts["portfolios"] = "portfolios/portfolios.json"
            stats.portfolios = len(portfolios["portfolios"])

        manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "exported_at": _iso(timezone.now()),
                    "generator": f"Learnflow {__version__}",
                    "person": {"username": user.username, "name": user.display_name},
                    "parts": parts, "files": writer.files}
        zf.writestr("manifest.json", _json_bytes(manifest))
    if isinstance(out, (str, Path)):
        stats.bytes = Path(out).stat().st_size
    return stats


def archive_filename(user: Any) -> str:
    return f"learnflow-{_safe(user.username)}-{timezone.now():%Y-%m-%d}.zip"


# --------------------------------------------------------------------------------------------------------------------
# Import


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def archive_limits() -> Limits:
    return Limits(max_member_bytes=max(portability.max_import_bytes(), settings.MAX_UPLOAD_BYTES),
                  max_total_bytes=int(getattr(settings, "MAX_ACCOUNT_ARCHIVE_BYTES", 2 * 1024 ** 3)),
                  max_members=int(getattr(settings, "MAX_ACCOUNT_ARCHIVE_MEMBERS", 20_000)))


@dataclass
class ImportReport:
    username: str
    created_user: bool = False
    journal: list[str] = field(default_factory=list)
    goals: int = 0
    goals_present: int = 0
    evidence: int = 0
    statements: int = 0
    statements_present: int = 0
    portfolios: int = 0
    portfolios_present: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [("Created" if self.created_user else "Into the existing account of") + f" {self.username}."]
        out += [f"Journal: {line}" for line in self.journal]
        out.append(f"Goals: {self.goals} imported ({self.evidence} pieces of evidence), {self.goals_present} "
                   "already present.")
        out.append(f"Statements: {self.statements} imported, {self.statements_present} already present.")
        out.append(f"Portfolios: {self.portfolios} imported, {self.portfolios_present} already present.")
        out += self.notes
        return out


class _Archive:
    """The archive, checked: a safe zip, a valid manifest, every part parsed, every listed file's checksum right."""

    def __init__(self, source: str | IO[bytes]) -> None:
        self.zip = SafeZip(source, archive_limits())
        if "manifest.json" not in self.zip:
            raise _refuse("The archive has no manifest.json, so it is not a Learnflow data archive.")
        self.manifest = self.json("manifest.json")
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT_NAME:
            raise _refuse("The archive's manifest is not that of a Learnflow data archive.")
        version = self.manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise _refuse(f"The archive is format version {version!r}; this Learnflow reads version "
                          f"{FORMAT_VERSION} and older.")
        parts = self.manifest.get("parts")
        if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()):
            raise _refuse("The manifest's “parts” should map part names to archive members.")
        self.parts: dict[str, Any] = {}
        for part, member in parts.items():
            if part == "journal":
                continue  # parsed and checked by journal.portability
            if member not in self.zip:
                raise _refuse(f"The manifest names “{member[:80]}”, which is not in the archive.")
            self.parts[part] = self.json(member)
        self.checksums: dict[str, str] = {}
        for item in self.manifest.get("files") or []:
            if isinstance(item, dict) and isinstance(item.get("path"), str) and isinstance(item.get("sha256"), str):
                self.checksums[item["path"]] = item["sha256"]

    def json(self, member: str) -> Any:
        data = self.zip.read(member, limit=MAX_JSON_BYTES)
        try:
            return json.loads(data)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _refuse(f"“{member[:80]}” in the archive is not valid JSON ({str(exc)[:120]}).") from None

    def file(self, member: str) -> bytes:
        data = self.zip.read(member, limit=settings.MAX_UPLOAD_BYTES)
        expected = self.checksums.get(member)
        if expected is not None and hashlib.sha256(data).hexdigest() != expected:
            raise ValueError("its checksum does not match the manifest")
        return data

    def journal_bytes(self) -> bytes | None:
        member = self.manifest["parts"].get("journal")
        if member is None:
            return None
        if member not in self.zip:
            raise _refuse(f"The manifest names “{member[:80]}”, which is not in the archive.")
        return self.zip.read(member, limit=portability.max_import_bytes())


def _date(value: Any, what: str) -> dt.date | None:
    if value is None:
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise _refuse(f"{what}: “{str(value)[:30]}” is not a date.")
    return parsed


def _moment(value: Any, what: str) -> dt.datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise _refuse(f"{what}: “{str(value)[:40]}” is not a date and time.")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.timezone.utc)


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _refuse(f"{what} should be an object.")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(f"{what} should be a list.")
    return value


def _full_clean(obj: Any, what: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _refuse(f"{what}: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) \
            from None


def _target_user(username: str, profile: dict[str, Any], report: ImportReport) -> Any:
    from learnflow.org.services import user_create

    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        report.notes.append("The profile of the existing account was left as it is.")
        return user
    text = lambda key: profile.get(key) if isinstance(profile.get(key), str) else ""  # noqa: E731
    names = lambda key: [n for n in _list(profile.get(key), key) if isinstance(n, str)]  # noqa: E731
    user = user_create(username=username, password=None, email=text("email"), first_name=text("first_name"),
                       last_name=text("last_name"), job_title=text("job_title"), skills=names("skills"),
                       interests=names("interests"))
    updates = {"timezone": text("timezone") or "UTC", "availability": text("availability") or user.availability,
               "availability_note": text("availability_note")}
    for key, value in updates.items():
        setattr(user, key, value)
    _full_clean(user, "Profile", exclude=["password"])
    user.save()
    report.created_user = True
    report.notes.append(f"The account {username} has no password yet: an admin sets one (Manage people).")
    return user


def _import_preferences(user: Any, profile: dict[str, Any]) -> None:
    from learnflow.account.models import NotificationPreference

    prefs = profile.get("preferences")
    if isinstance(prefs, dict):
        NotificationPreference.objects.update_or_create(user=user, defaults={
            "weekly_goal_nudge": prefs.get("weekly_goal_nudge") is not False,
            "nudge_by_email": prefs.get("nudge_by_email") is not False})


def _import_statements(user: Any, document: dict[str, Any], archive: "_Archive", entries_by_uid: dict[str, Any],
                       report: ImportReport) -> dict[str, Any]:
    from learnflow.lrs import indexing
    from learnflow.lrs.models import Statement, StatementActivity, StatementAgent
    from learnflow.record.models import StatementReflection, StatementShare

    by_id: dict[str, Any] = {}
    from learnflow.lrs.models import AttachmentBlob

    for bi, raw in enumerate(_list(_obj(document, "record/statements.json").get("attachments"), "“attachments”"),
                             start=1):
        blob = _obj(raw, f"Statement attachment {bi}")
        sha2, path = blob.get("sha2"), blob.get("archive_path")
        if not isinstance(sha2, str) or not isinstance(path, str):
            raise _refuse(f"Statement attachment {bi}: “sha2” and “archive_path” are required.")
        try:
            content = archive.file(path)
        except (KeyError, ValueError) as exc:
            raise _refuse(f"Statement attachment {bi}: cannot read “{path[:80]}” ({exc}).") from None
        hasher = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha2))
        if hasher is None or hasher(content).hexdigest() != sha2.lower():
            raise _refuse(f"Statement attachment {bi}: the content does not match its hash.")
        AttachmentBlob.objects.get_or_create(sha2=sha2, defaults={
            "content_type": str(blob.get("content_type") or "application/octet-stream")[:255], "content": content})
    rows = _list(_obj(document, "record/statements.json").get("statements"), "“statements”")
    for i, raw in enumerate(rows, start=1):
        row = _obj(raw, f"Statement {i}")
        what = f"Statement {i}"
        try:
            sid = uuid.UUID(str(row.get("id")))
        except ValueError:
            raise _refuse(f"{what}: “id” is not a UUID.") from None
        full = _obj(row.get("full_json"), f"{what}: “full_json”")
        existing = Statement.objects.filter(id=sid).first()
        if existing is not None:
            report.statements_present += 1
            if existing.person_id == user.pk:
                by_id[str(sid)] = existing
            else:
                # xAPI statement ids are unique per LRS: the same archive imported here by a second person finds
                # them taken. The statement stays with its person; evidence and items pointing at it are skipped.
                by_id[str(sid)] = None
            continue
        statement = Statement(
            id=sid, stored=_moment(row.get("stored"), what), timestamp=_moment(row.get("timestamp"), what),
            verb_iri=str(row.get("verb_iri") or ""), actor_ifi=str(row.get("actor_ifi") or ""),
            object_type=str(row.get("object_type") or "Activity"), object_iri=str(row.get("object_iri") or ""),
            object_statement=uuid.UUID(row["object_statement"]) if row.get("object_statement") else None,
            registration=uuid.UUID(row["registration"]) if row.get("registration") else None,
            voided=row.get("voided") is True, is_voiding=row.get("is_voiding") is True,
            version=str(row.get("version") or "1.0.3"), person=user,
            full_json=json.dumps(full, ensure_ascii=False, separators=(",", ":")),
            has_attachments=row.get("has_attachments") is True)
        if statement.stored is None or statement.timestamp is None:
            raise _refuse(f"{what}: “stored” and “timestamp” are required.")
        _full_clean(statement, what, exclude=["key", "person"])
        statement.save()
        try:
            agents, activities = indexing.agent_rows(full), indexing.activity_rows(full)
        except (KeyError, TypeError, AttributeError):
            raise _refuse(f"{what}: “full_json” is not an xAPI statement.") from None
        StatementAgent.objects.bulk_create([StatementAgent(statement=statement, ifi=ifi, related=rel)
                                            for ifi, rel in agents])
        StatementActivity.objects.bulk_create([StatementActivity(statement=statement, iri=iri, related=rel)
                                               for iri, rel in activities])
        share = row.get("share")
        if isinstance(share, dict):
            record = StatementShare(statement=statement, owner=user, visibility=str(share.get("visibility")),
                                    note=str(share.get("note") or ""))
            _full_clean(record, f"{what}: sharing", exclude=["statement", "owner"])
            record.save()
        entry = entries_by_uid.get(str(row.get("reflection_entry_uid")))
        if entry is not None and not StatementReflection.objects.filter(entry=entry).exists():
            StatementReflection.objects.create(entry=entry, statement=statement)
        by_id[str(sid)] = statement
        report.statements += 1
    return by_id


def _import_goals(user: Any, document: dict[str, Any], archive: _Archive, entries_by_uid: dict[str, Any],
                  statements_by_id: dict[str, Any], stored: list[str], report: ImportReport) -> dict[str, Any]:
    """Goals are restored as they were (past target dates included), so rows are written here directly after the
    models' own validation; goals.services checks new input, which a restored history is not."""
    from learnflow.core.services import event_record, skill_get_or_create_many
    from learnflow.goals.models import Evidence, EvidenceSkill, Goal, GoalSkill, Step

    def skill_rows(items: Any, what: str) -> list[tuple[Any, int | None]]:
        out = []
        for s in _list(items, what):
            s = _obj(s, what)
            name, level = s.get("name"), s.get("level")
            if not isinstance(name, str) or not name.strip() or (level is not None and not isinstance(level, int)):
                raise _refuse(f"{what}: each skill needs a name and an optional whole-number level.")
            out.append((skill_get_or_create_many(names=[name])[0], level))
        return out

    goals_by_uid: dict[str, Any] = {}
    for gi, raw in enumerate(_list(_obj(document, "goals/goals.json").get("goals"), "“goals”"), start=1):
        row = _obj(raw, f"Goal {gi}")
        what = f"Goal {gi} (“{str(row.get('title'))[:60]}”)"
        try:
            uid = uuid.UUID(str(row.get("uid")))
        except ValueError:
            raise _refuse(f"{what}: “uid” is not a UUID.") from None
        existing = Goal.objects.filter(uid=uid).first()
        if existing is not None and existing.owner_id == user.pk:
            goals_by_uid[str(uid)] = existing
            report.goals_present += 1
            continue
        if existing is not None:
            uid = uuid.uuid5(uid, f"learnflow-import:{user.pk}")  # the same archive imported by a second person
            if Goal.objects.filter(uid=uid).exists():
                goals_by_uid[str(row.get("uid"))] = Goal.objects.get(uid=uid)
                report.goals_present += 1
                continue
        goal = Goal(owner=user, uid=uid, title=str(row.get("title") or ""), why=str(row.get("why") or ""),
                    success=str(row.get("success") or ""), target_date=_date(row.get("target_date"), what),
                    status=str(row.get("status") or "active"), visibility=str(row.get("visibility") or "private"),
                    achieved_on=_date(row.get("achieved_on"), what))
        _full_clean(goal, what)
        goal.save()
        GoalSkill.objects.bulk_create([GoalSkill(goal=goal, skill=s, level=lvl)
                                       for s, lvl in skill_rows(row.get("skills"), what)])
        steps = []
        for si, step_raw in enumerate(_list(row.get("steps"), f"{what}: “steps”"), start=1):
            s = _obj(step_raw, f"{what}, step {si}")
            step = Step(goal=goal, position=s.get("position") if isinstance(s.get("position"), int) else si - 1,
                        title=str(s.get("title") or ""), due_date=_date(s.get("due_date"), f"{what}, step {si}"),
                        done=s.get("done") is True, done_on=_date(s.get("done_on"), f"{what}, step {si}"))
            _full_clean(step, f"{what}, step {si}", exclude=["goal"])
            step.save()
            if s.get("created_at"):
                Step.objects.filter(pk=step.pk).update(created_at=_moment(s["created_at"], what))
            steps.append(step)
        for ei, ev_raw in enumerate(_list(row.get("evidence"), f"{what}: “evidence”"), start=1):
            e = _obj(ev_raw, f"{what}, evidence {ei}")
            where = f"{what}, evidence {ei}"
            step_index = e.get("step")
            evidence = Evidence(goal=goal, owner=user, kind=str(e.get("kind") or ""), url=str(e.get("url") or ""),
                                title=str(e.get("title") or ""), note=str(e.get("note") or ""),
                                step=steps[step_index] if isinstance(step_index, int) and
                                0 <= step_index < len(steps) else None)
            if evidence.kind == "entry":
                evidence.entry = entries_by_uid.get(str(e.get("entry_uid")))
                if evidence.entry is None:
                    raise _refuse(f"{where}: the journal entry it points at is not in the archive.")
            elif evidence.kind == "activity":
                if str(e.get("statement_id")) in statements_by_id and statements_by_id[str(e["statement_id"])] is None:
                    report.notes.append(f"{where}: skipped, its recorded activity belongs to someone else here.")
                    continue
                evidence.statement = statements_by_id.get(str(e.get("statement_id")))
                if evidence.statement is None:
                    raise _refuse(f"{where}: the recorded activity it points at is not in the archive.")
            elif evidence.kind == "resource":
                if not _import_resource_evidence(user, evidence, _obj(e.get("resource"), f"{where}: “resource”"),
                                                 where, report):
                    continue
            elif evidence.kind == "file":
                meta = _obj(e.get("file"), f"{where}: “file”")
                path = meta.get("archive_path")
                if not isinstance(path, str):
                    raise _refuse(f"{where}: the file's content is not in the archive.")
                try:
                    content = archive.file(path)
                except (KeyError, ValueError) as exc:
                    raise _refuse(f"{where}: cannot read “{path[:80]}” from the archive ({exc}).") from None
                evidence.original_name = str(meta.get("name") or "file")[:255]
                evidence.content_type = str(meta.get("content_type") or "application/octet-stream")[:120]
                evidence.size = len(content)
                evidence.sha256 = hashlib.sha256(content).hexdigest()
                if meta.get("sha256") and meta["sha256"] != evidence.sha256:
                    raise _refuse(f"{where}: the file does not match its checksum.")
                evidence.file.save(evidence.original_name, ContentFile(content), save=False)
                stored.append(evidence.file.name)
            _full_clean(evidence, where, exclude=["goal", "owner", "step", "entry", "statement"])
            evidence.save()
            EvidenceSkill.objects.bulk_create([EvidenceSkill(evidence=evidence, skill=s, level=lvl)
                                               for s, lvl in skill_rows(e.get("skills"), where)])
            if e.get("created_at"):
                Evidence.objects.filter(pk=evidence.pk).update(created_at=_moment(e["created_at"], where))
            report.evidence += 1
        restore = {k: _moment(row.get(k), what) for k in ("created_at", "updated_at") if row.get(k)}
        if restore:
            Goal.objects.filter(pk=goal.pk).update(**restore)
        event_record(actor=user, verb="imported", obj=goal)
        goals_by_uid[str(row.get("uid"))] = goal
        report.goals += 1
    return goals_by_uid


def _import_resource_evidence(user: Any, evidence: Any, meta: dict[str, Any], where: str,
                              report: ImportReport) -> bool:
    """A library resource as evidence: the same resource when this instance has it and the person may see it,
    otherwise a link to where it was (so nothing the person wrote about it is lost). False: skip it."""
    from learnflow.library.selectors import resources_visible_to

    try:
        uid = uuid.UUID(str(meta.get("uid")))
    except ValueError:
        uid = None
    resource = resources_visible_to(viewer=user).filter(uid=uid).first() if uid else None
    if resource is not None:
        evidence.resource = resource
        return True
    url = meta.get("url") if isinstance(meta.get("url"), str) else ""
    if not url.startswith(("http://", "https://")):
        report.notes.append(f"{where}: skipped, its library resource is not on this instance and has no address.")
        return False
    evidence.kind, evidence.url = "link", url[:2000]
    evidence.title = evidence.title or str(meta.get("title") or "")[:200]
    report.notes.append(f"{where}: its library resource is not on this instance; kept as a link to it.")
    return True


def _import_portfolios(user: Any, document: dict[str, Any], entries_by_uid: dict[str, Any],
                       goals_by_uid: dict[str, Any], statements_by_id: dict[str, Any], report: ImportReport) -> None:
    from learnflow.portfolio.models import Portfolio, PortfolioItem

    dropped_people = 0
    for pi, raw in enumerate(_list(_obj(document, "portfolios/portfolios.json").get("portfolios"), "“portfolios”"),
                             start=1):
        row = _obj(raw, f"Portfolio {pi}")
        what = f"Portfolio {pi} (“{str(row.get('title'))[:60]}”)"
        try:
            uid = uuid.UUID(str(row.get("uid")))
        except ValueError:
            raise _refuse(f"{what}: “uid” is not a UUID.") from None
        if Portfolio.objects.filter(uid=uid, owner=user).exists():
            report.portfolios_present += 1
            continue
        if Portfolio.objects.filter(uid=uid).exists():
            uid = uuid.uuid5(uid, f"learnflow-import:{user.pk}")
            if Portfolio.objects.filter(uid=uid).exists():
                report.portfolios_present += 1
                continue
        portfolio = Portfolio(owner=user, uid=uid, title=str(row.get("title") or ""), intro=str(row.get("intro") or ""),
                              share_organisation=row.get("share_organisation") is True)
        _full_clean(portfolio, what, exclude=["owner"])
        portfolio.save()
        dropped_people += len(_list(row.get("shared_with"), f"{what}: “shared_with”"))
        for ii, item_raw in enumerate(_list(row.get("items"), f"{what}: “items”"), start=1):
            it = _obj(item_raw, f"{what}, item {ii}")
            kind = it.get("kind")
            target: dict[str, Any] = {}
            if kind == "entry":
                target = {"entry": entries_by_uid.get(str(it.get("entry_uid")))}
            elif kind == "goal":
                target = {"goal": goals_by_uid.get(str(it.get("goal_uid")))}
            elif kind == "evidence":
                goal = goals_by_uid.get(str(it.get("goal_uid")))
                index = it.get("evidence_index")
                evidence = list(goal.evidence.order_by("created_at", "id")) if goal is not None else []
                target = {"evidence": evidence[index] if isinstance(index, int) and 0 <= index < len(evidence)
                          else None}
            elif kind == "activity":
                statement_key = str(it.get("statement_id"))
                if statement_key in statements_by_id and statements_by_id[statement_key] is None:
                    report.notes.append(f"{what}, item {ii}: skipped, its recorded activity belongs to someone else "
                                        "here.")
                    continue
                target = {"statement": statements_by_id.get(str(it.get("statement_id")))}
            if not target or None in target.values():
                raise _refuse(f"{what}, item {ii}: what it points at is not in the archive.")
            item = PortfolioItem(portfolio=portfolio, kind=kind, note=str(it.get("note") or ""),
                                 position=it.get("position") if isinstance(it.get("position"), int) else ii - 1,
                                 **target)
            _full_clean(item, f"{what}, item {ii}", exclude=["portfolio"])
            item.save()
        restore = {k: _moment(row.get(k), what) for k in ("created_at", "updated_at") if row.get(k)}
        if restore:
            Portfolio.objects.filter(pk=portfolio.pk).update(**restore)
        report.portfolios += 1
    if dropped_people:
        report.notes.append("Portfolios were not shared with named people: names on this instance may be other "
                            "people. Share them again from the portfolio page.")


def account_import(*, source: str | IO[bytes], username: str | None = None) -> ImportReport:
    """Import a Learnflow data archive into `username`'s account (created when missing; the manifest's username
    when not given). All or nothing."""
    from learnflow.goals.models import Evidence
    from learnflow.journal.models import Entry, EntryAttachment

    archive = _Archive(source)
    if username is None:
        username = (archive.manifest.get("person") or {}).get("username")
        if not isinstance(username, str) or not username.strip():
            raise _refuse("The manifest does not name the person; say whose data it is.")
    username = username.strip()
    profile = archive.parts.get("profile") or {}
    if not isinstance(profile, dict):
        raise _refuse("profile.json should be an object.")
    journal_data = archive.journal_bytes()
    report = ImportReport(username=username)
    stored: list[str] = []
    last_attachment = EntryAttachment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with transaction.atomic():
            user = _target_user(username, profile, report)
            _import_preferences(user, profile)
            if journal_data is not None:
                def open_member(path: str) -> bytes:
                    return archive.file(path)

                journal_report = portability.journal_import(author=user, data=journal_data,
                                                            open_attachment=open_member)
                report.journal = journal_report.lines()
                stored += list(EntryAttachment.objects.filter(pk__gt=last_attachment, entry__author=user)
                               .values_list("file", flat=True))
            entries_by_uid = {str(uid): e for uid, e in
                              ((e.uid, e) for e in Entry.objects.owned_by(user))}
            statements_by_id = _import_statements(user, archive.parts.get("statements") or {"statements": []},
                                                  archive, _entries_by_original_uid(user, entries_by_uid), report)
            goals_by_uid: dict[str, Any] = {}
            if "goals" in archive.parts and goals_installed():
                goals_by_uid = _import_goals(user, archive.parts["goals"], archive,
                                             _entries_by_original_uid(user, entries_by_uid), statements_by_id,
                                             stored, report)
            if "portfolios" in archive.parts and portfolio_installed():
                _import_portfolios(user, archive.parts["portfolios"], _entries_by_original_uid(user, entries_by_uid),
                                   goals_by_uid, statements_by_id, report)
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise
    finally:
        archive.zip.close()
    return report


def _entries_by_original_uid(user: Any, entries_by_uid: dict[str, Any]) -> dict[str, Any]:
    """Entries by the uid they had in the archive: journal_import keeps an entry's uid, or (when that uid belongs to
    someone else here) derives uuid5(uid, "learnflow-import:<pk>"); both are looked up."""
    class _Lookup(dict):
        def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
            found = super().get(key)
            if found is None:
                try:
                    found = super().get(str(uuid.uuid5(uuid.UUID(str(key)), f"learnflow-import:{user.pk}")))
                except ValueError:
                    found = None
            return found if found is not None else default

    return _Lookup(entries_by_uid)


# --------------------------------------------------------------------------------------------------------------------
# Command line


def export_archive_cli(*, username: str, out: Path) -> None:
    import typer

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        typer.secho(f"No person with the username “{username}”.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    stats = account_export(user=user, out=partial)
    partial.replace(out)
    stats.bytes = out.stat().st_size
    typer.echo(f"Exported all data of {user.username}: {stats.summary()} → {out} ({stats.bytes:,} bytes).")


def import_archive_cli(*, file: Path, as_username: str | None = None) -> None:
    import typer

    path = Path(file)
    if not path.is_file():
        typer.secho(f"No file at {path}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    try:
        report = account_import(source=str(path), username=as_username)
    except ValidationError as exc:
        from learnflow.core.errors import validation_fields

        typer.secho(f"Nothing was imported from {path}:", fg=typer.colors.RED, err=True)
        for error in validation_fields(exc):
            typer.secho(f"  - {error['message']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(f"Imported {path}:")
    for line in report.lines():
        typer.echo(f"  {line}")
