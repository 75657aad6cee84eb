"""Skills framework import (CSV and JSON). The whole file is checked first and every bad row reported with its line;
only a file without errors is written, in one transaction. Importing a framework of the same name again updates it.

CSV — one skill per row; the header names the levels, in order, as "<rank> <name>" columns after the fixed ones:

    skill,category,description,1 Aware,2 Working,3 Practitioner,4 Expert
    Python,Engineering,Writing and reading Python,Knows what it is,Writes small scripts,,Designs libraries

  `skill` is required, `category` and `description` optional; the cell under a level says what that level means
  for this skill (optional).

JSON —

    {"name": "Engineering skills", "description": "…",
     "levels": [{"rank": 1, "name": "Aware", "description": "…"}, …],
     "skills": [{"name": "Python", "category": "Engineering", "description": "…", "levels": {"1": "…"}}, …]}
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from learnflow.core.models import Skill
from learnflow.core.services import event_record, skill_get_or_create_many
from learnflow.goals.models import Framework, FrameworkLevel, FrameworkSkill

MAX_FRAMEWORK_BYTES = 2 * 1024 * 1024
MAX_SKILLS = 2_000
MAX_LEVELS = 10
FIXED_COLUMNS = ("skill", "category", "description")
_LEVEL_HEADER = re.compile(r"^\s*(\d{1,2})\s*[:.\-]?\s+(.+?)\s*$")


class FrameworkFileError(ValidationError):
    """The file was refused; `problems` lists (line, message) for every bad row, in file order."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        self.problems = problems
        messages = [f"Line {line}: {msg}" if line else msg for line, msg in problems]
        super().__init__({"file": messages})


@dataclass
class LevelIn:
    rank: int
    name: str
    description: str = ""


@dataclass
class SkillIn:
    line: int | None
    name: str
    category: str = ""
    description: str = ""
    levels: dict[str, str] = field(default_factory=dict)


@dataclass
class FrameworkIn:
    name: str
    description: str = ""
    levels: list[LevelIn] = field(default_factory=list)
    skills: list[SkillIn] = field(default_factory=list)


@dataclass
class ImportResult:
    framework: Framework
    created: list[str]
    updated: list[str]
    removed: list[str]


def _text(data: bytes) -> str:
    if len(data) > MAX_FRAMEWORK_BYTES:
        raise FrameworkFileError([(None, f"The file is larger than {MAX_FRAMEWORK_BYTES // (1024 * 1024)} MB.")])
    if not data.strip():
        raise FrameworkFileError([(None, "The file is empty.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FrameworkFileError([(None, "The file is not UTF-8 text.")]) from None


def _check_skill(skill: SkillIn, ranks: set[int], seen: dict[str, int | None],
                 problems: list[tuple[int | None, str]]) -> None:
    where = skill.line
    name = Skill.normalise(skill.name)
    if not name:
        problems.append((where, "the skill has no name."))
        return
    if len(skill.name.strip()) > 100:
        problems.append((where, f"the skill name “{skill.name[:40]}…” is longer than 100 characters."))
    key = name.lower()
    if key in seen:
        first = seen[key]
        problems.append((where, f"“{name}” appears twice" + (f" (first on line {first})." if first else ".")))
    else:
        seen[key] = where
    if len(skill.category) > 120:
        problems.append((where, "the category is longer than 120 characters."))
    if len(skill.description) > 5_000:
        problems.append((where, "the description is longer than 5,000 characters."))
    for rank in skill.levels:
        if not rank.isdigit() or int(rank) not in ranks:
            known = ", ".join(map(str, sorted(ranks)))
            problems.append((where, f"“{rank}” is not one of the framework's levels ({known})."))


def _check_levels(levels: list[LevelIn], line: int | None, problems: list[tuple[int | None, str]]) -> None:
    if not levels:
        problems.append((line, "the framework has no levels: name them, in order (e.g. 1 Aware … 4 Expert)."))
        return
    if len(levels) > MAX_LEVELS:
        problems.append((line, f"at most {MAX_LEVELS} levels."))
    ranks = [lv.rank for lv in levels]
    if ranks != sorted(set(ranks)) or ranks[0] < 1:
        problems.append((line, f"levels must be numbered upwards from 1 without repeats (found {ranks})."))
    for lv in levels:
        if not lv.name.strip():
            problems.append((line, f"level {lv.rank} has no name."))
        elif len(lv.name.strip()) > 60:
            problems.append((line, f"level {lv.rank}'s name is longer than 60 characters."))


def parse_csv(data: bytes, *, name: str, description: str = "") -> FrameworkIn:
    text = _text(data)
    problems: list[tuple[int | None, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, previous_end = [], 0
    try:
        for row in reader:
            # A quoted value may span lines: a row is reported at the line it starts on.
            rows.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error as exc:
        raise FrameworkFileError([(reader.line_num, f"this is not valid CSV ({exc}).")]) from None
    if not rows:
        raise FrameworkFileError([(None, "The file is empty.")])
    header_line, header = rows[0]
    columns = [h.strip().lower() for h in header]
    if "skill" not in columns:
        raise FrameworkFileError([(header_line, "the first line must be a header with a “skill” column, e.g. "
                                                "skill,category,description,1 Aware,2 Working,3 Expert.")])
    levels: list[LevelIn] = []
    level_columns: dict[int, int] = {}
    for index, raw in enumerate(header):
        if columns[index] in FIXED_COLUMNS:
            continue
        match = _LEVEL_HEADER.match(raw)
        if match is None:
            problems.append((header_line, f"column “{raw.strip()}” is neither skill, category, description nor a "
                                          f"level such as “1 Aware”."))
            continue
        rank = int(match.group(1))
        levels.append(LevelIn(rank=rank, name=match.group(2)))
        level_columns[index] = rank
    _check_levels(levels, header_line, problems)
    ranks = {lv.rank for lv in levels}
    framework = FrameworkIn(name=name, description=description, levels=levels)
    seen: dict[str, int | None] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append((line, f"{len(row)} values for {len(header)} columns."))
            continue
        cells = {columns[i]: row[i].strip() for i in range(len(row))}
        skill = SkillIn(line=line, name=cells.get("skill", ""), category=cells.get("category", ""),
                        description=cells.get("description", ""),
                        levels={str(level_columns[i]): row[i].strip() for i in level_columns
                                if i < len(row) and row[i].strip()})
        _check_skill(skill, ranks, seen, problems)
        framework.skills.append(skill)
    _finish(framework, problems)
    return framework


class _LineDict(dict):
    line: int | None = None


def _json_with_lines(text: str) -> Any:
    """json.loads that remembers on which line each object starts (for error messages)."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args):
        s, end = s_and_end
        obj, new_end = JSONObject(s_and_end, *args)
        tracked = _LineDict(obj)
        tracked.line = s.count("\n", 0, end) + 1
        return tracked, new_end

    decoder.parse_object = parse_object
    decoder.scan_once = py_make_scanner(decoder)
    return decoder.decode(text)


def parse_json(data: bytes, *, name: str = "", description: str = "") -> FrameworkIn:
    text = _text(data)
    try:
        doc = _json_with_lines(text)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError([(exc.lineno, f"this is not valid JSON: {exc.msg}.")]) from None
    if not isinstance(doc, dict):
        raise FrameworkFileError([(1, "the file must hold one object with “levels” and “skills”.")])
    problems: list[tuple[int | None, str]] = []
    levels: list[LevelIn] = []
    raw_levels = doc.get("levels")
    levels_listed = isinstance(raw_levels, list)
    if not levels_listed:
        problems.append((getattr(doc, "line", 1), "“levels” must be a list of {\"rank\", \"name\"} objects."))
        raw_levels = []
    for item in raw_levels:
        line = getattr(item, "line", None)
        if not isinstance(item, dict) or not isinstance(item.get("rank"), int) or isinstance(item.get("rank"), bool):
            problems.append((line, "a level needs a whole-number “rank” and a “name”."))
            continue
        levels.append(LevelIn(rank=item["rank"], name=str(item.get("name") or ""),
                              description=str(item.get("description") or "")))
    if levels_listed:
        _check_levels(levels, getattr(doc, "line", 1), problems)
    ranks = {lv.rank for lv in levels}
    framework = FrameworkIn(name=(name or str(doc.get("name") or "")).strip(),
                            description=(description or str(doc.get("description") or "")).strip(), levels=levels)
    raw_skills = doc.get("skills")
    if not isinstance(raw_skills, list):
        problems.append((getattr(doc, "line", 1), "“skills” must be a list of skill objects."))
        raw_skills = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(raw_skills):
        line = getattr(item, "line", None)
        if not isinstance(item, dict):
            problems.append((line, f"skill {index + 1} is not an object."))
            continue
        item_levels = item.get("levels") or {}
        if not isinstance(item_levels, dict):
            problems.append((line, "a skill's “levels” must map a rank to what it means, e.g. {\"1\": \"…\"}."))
            item_levels = {}
        fields_ok = all(isinstance(item.get(k, ""), str) for k in ("name", "category", "description"))
        if not fields_ok:
            problems.append((line, "a skill's name, category and description must be text."))
            continue
        skill = SkillIn(line=line, name=item.get("name", ""), category=item.get("category", "").strip(),
                        description=item.get("description", "").strip(),
                        levels={str(k): str(v).strip() for k, v in item_levels.items() if str(v).strip()})
        _check_skill(skill, ranks, seen, problems)
        framework.skills.append(skill)
    _finish(framework, problems)
    return framework


def _finish(framework: FrameworkIn, problems: list[tuple[int | None, str]]) -> None:
    if not framework.name:
        problems.insert(0, (None, "Give the framework a name."))
    elif len(framework.name) > 120:
        problems.insert(0, (None, "The framework's name is longer than 120 characters."))
    if not framework.skills and not problems:
        problems.append((None, "The file lists no skills."))
    if len(framework.skills) > MAX_SKILLS:
        problems.append((None, f"At most {MAX_SKILLS:,} skills per framework."))
    if problems:
        problems.sort(key=lambda p: (p[0] is not None, p[0] or 0))
        raise FrameworkFileError(problems)


def parse(data: bytes, *, filename: str, name: str = "", description: str = "") -> FrameworkIn:
    lower = (filename or "").lower()
    if lower.endswith(".json"):
        return parse_json(data, name=name, description=description)
    if lower.endswith(".csv"):
        if not name.strip():
            raise FrameworkFileError([(None, "Give the framework a name (a CSV file does not carry one).")])
        return parse_csv(data, name=name.strip(), description=description)
    raise FrameworkFileError([(None, "Upload a .csv or a .json file.")])


def _check_importer(actor: Any) -> None:
    from django.core.exceptions import PermissionDenied

    if not getattr(actor, "is_lnd", False):
        raise PermissionDenied("Only L&D or an admin can import a skills framework.")


@transaction.atomic
def framework_import(*, actor: Any, data: bytes, filename: str, name: str = "",
                     description: str = "") -> ImportResult:
    """Check the whole file, then create or update the framework of that name in one transaction."""
    _check_importer(actor)
    plan = parse(data, filename=filename, name=name, description=description)
    framework, _ = Framework.objects.select_for_update().get_or_create(name=plan.name)
    framework.description = plan.description or framework.description
    framework.imported_by = actor
    framework.save()
    FrameworkLevel.objects.filter(framework=framework).exclude(rank__in=[lv.rank for lv in plan.levels]).delete()
    for lv in plan.levels:
        FrameworkLevel.objects.update_or_create(framework=framework, rank=lv.rank,
                                                defaults={"name": lv.name.strip(), "description": lv.description})
    skills = skill_get_or_create_many(names=[s.name for s in plan.skills])
    by_name = {s.name.lower(): s for s in skills}
    existing = {fs.skill_id: fs for fs in FrameworkSkill.objects.filter(framework=framework).select_related("skill")}
    created, updated, keep = [], [], set()
    for position, item in enumerate(plan.skills):
        skill = by_name[Skill.normalise(item.name).lower()]
        keep.add(skill.pk)
        values = {"category": item.category, "description": item.description, "level_descriptions": item.levels,
                  "position": position}
        row = existing.get(skill.pk)
        if row is None:
            FrameworkSkill.objects.create(framework=framework, skill=skill, **values)
            created.append(skill.name)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
            updated.append(skill.name)
        if item.description and not skill.description:
            skill.description = item.description
            skill.save(update_fields=["description"])
    gone = [fs for pk, fs in existing.items() if pk not in keep]
    FrameworkSkill.objects.filter(pk__in=[fs.pk for fs in gone]).delete()
    event_record(actor=actor, verb="imported", obj=framework,
                 data={"created": str(len(created)), "updated": str(len(updated)), "removed": str(len(gone))})
    return ImportResult(framework=framework, created=created, updated=updated, removed=[fs.skill.name for fs in gone])
