"""Import people and teams from a CSV file.

Columns (a header row is required; only `username` is mandatory, the others may be left out):
    username, first_name, last_name, email, role, team, parent_team, manager, job_title, skills
`role` is member, manager, lnd (or "L&D") or admin; `manager` is a username, existing or defined anywhere in the file;
`skills` are separated by semicolons; `parent_team` nests `team` inside another team.

The whole file is checked before anything is written, and every bad row is reported with its line number and field.
If any row is bad nothing is imported; otherwise everything is imported in one transaction. Importing the same file
again updates the people it names instead of duplicating them. For people who already exist, an empty cell leaves
the current value as it is.

New people get no usable password. Each receives a one-time set-password link (valid for PASSWORD_RESET_TIMEOUT,
three days by default, and spent once used or once the person signs in), unless the operator gives an initial
password for everyone new (`learnflow import-people FILE --password …`); that password must pass the password rules.
Existing people's passwords are never changed by an import.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learnflow.core.errors import validation_fields
from learnflow.core.models import Skill
from learnflow.core.services import skill_get_or_create_many
from learnflow.org.models import Role, Team, User
from learnflow.org.services import team_get_or_create, user_create, user_update

COLUMNS = ("username", "first_name", "last_name", "email", "role", "team", "parent_team", "manager", "job_title",
           "skills")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
_ROLE_WORDS = {**{v: v for v in Role.values}, **{label.lower(): value for value, label in Role.choices}}
_LIMITS = {"username": 150, "first_name": 150, "last_name": 150, "email": 254, "team": 120, "parent_team": 120,
           "job_title": 120}


@dataclass(frozen=True)
class RowError:
    line: int  # the line of the file where the row starts (the header is line 1)
    field: str  # a column name, or "" when the whole row or file is at fault
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}" if self.field else f"line {self.line}: {self.message}"


@dataclass
class PersonRow:
    line: int
    values: dict[str, str]  # only the columns present in the file, stripped

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def skills(self) -> list[str]:
        return [s.strip() for s in self.get("skills").split(";") if s.strip()]


@dataclass
class ImportPlan:
    """A checked file: what would happen, or why it cannot."""

    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    new_usernames: list[str] = field(default_factory=list)
    existing_usernames: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    set_password_links: dict[str, str] = field(default_factory=dict)  # username → one-time link (new people only)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        teams = f", {len(self.teams_created)} new teams" if self.teams_created else ""
        return f"Imported {len(self.created)} new and updated {len(self.updated)} existing people{teams}."


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The file is not UTF-8 text; save it from your spreadsheet as “CSV UTF-8”.") from exc


def people_csv_check(*, data: bytes | str) -> ImportPlan:
    """Read and check the whole file without writing anything."""
    plan = ImportPlan()
    if len(data) > MAX_BYTES:
        plan.errors.append(RowError(0, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it."))
        return plan
    try:
        text = _decode(data)
    except ValueError as exc:
        plan.errors.append(RowError(0, "", str(exc)))
        return plan
    # Spreadsheets in many locales save with semicolons; the header line (which never holds skills) tells which.
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter if header_line.count(delimiter) else ",")
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        plan.errors.append(RowError(1, "", "The file is empty; the first line must name the columns."))
        return plan
    columns = tuple(h.strip().lower().lstrip("\ufeff") for h in header)
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        plan.errors.append(RowError(1, "", f"Unknown column{'s' if len(unknown) > 1 else ''} "
                                           f"{', '.join(repr(c) for c in unknown)}; use {', '.join(COLUMNS)}."))
    if "username" not in columns:
        plan.errors.append(RowError(1, "username", "The first line must name the columns and include “username”."))
    if len(set(columns)) != len(columns):
        plan.errors.append(RowError(1, "", "A column is named twice."))
    if plan.errors:
        return plan
    plan.columns = columns
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.errors.append(RowError(line, "", f"Cannot read this line: {exc}."))
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            plan.errors.append(RowError(line, "", f"{len(cells)} values for {len(columns)} columns; "
                                                  "quote values that contain the separator."))
            continue
        plan.rows.append(PersonRow(line, {c: v.strip() for c, v in zip(columns, cells)}))
        if len(plan.rows) > MAX_ROWS:
            plan.errors.append(RowError(line, "", f"More than {MAX_ROWS} people; split the file."))
            return plan
    if not plan.rows and not plan.errors:
        plan.errors.append(RowError(2, "", "The file names the columns but has no people."))
    _check_rows(plan)
    return plan


def _check_rows(plan: ImportPlan) -> None:
    errors = plan.errors
    seen: dict[str, int] = {}
    in_file = {r.get("username").lower() for r in plan.rows if r.get("username")}
    wanted = in_file | {r.get("manager").lower() for r in plan.rows if r.get("manager")}
    # Usernames differing only in case are the same person (user_create refuses such twins).
    existing = {u.username.lower(): u for u in User.objects.annotate(lower_name=Lower("username"))
                .filter(lower_name__in=wanted).select_related("manager")}
    team_parent: dict[str, tuple[str, int]] = {}
    username_check = UnicodeUsernameValidator()

    for row in plan.rows:
        username = row.get("username")
        for name, limit in _LIMITS.items():
            if len(row.get(name)) > limit:
                errors.append(RowError(row.line, name, f"Longer than {limit} characters."))
        if not username:
            errors.append(RowError(row.line, "username", "Missing; every row needs a username."))
        else:
            try:
                username_check(username)
            except ValidationError:
                errors.append(RowError(row.line, "username", f"“{username}” may contain only letters, digits and "
                                                             "@ . + - _"))
            if username.lower() in seen:
                errors.append(RowError(row.line, "username", f"“{username}” is already on line {seen[username.lower()]}."))
            seen.setdefault(username.lower(), row.line)
        if row.get("email"):
            try:
                validate_email(row.get("email"))
            except ValidationError:
                errors.append(RowError(row.line, "email", f"“{row.get('email')}” is not an email address."))
        if row.get("role") and row.get("role").lower() not in _ROLE_WORDS:
            errors.append(RowError(row.line, "role", f"Unknown role “{row.get('role')}”; use member, manager, lnd "
                                                     "or admin."))
        if row.get("parent_team"):
            if not row.get("team"):
                errors.append(RowError(row.line, "parent_team", "Given without a team."))
            elif row.get("parent_team").lower() == row.get("team").lower():
                errors.append(RowError(row.line, "parent_team", "A team cannot be inside itself."))
            else:
                earlier = team_parent.setdefault(row.get("team").lower(), (row.get("parent_team"), row.line))
                if earlier[0].lower() != row.get("parent_team").lower():
                    errors.append(RowError(row.line, "parent_team", f"Line {earlier[1]} puts team "
                                                                    f"“{row.get('team')}” inside “{earlier[0]}”."))
        for skill in row.skills:
            if len(Skill.normalise(skill)) < len(" ".join(skill.split())):
                errors.append(RowError(row.line, "skills", f"“{skill[:30]}…” is longer than 100 characters."))
        manager = row.get("manager")
        if manager:
            if manager.lower() == username.lower():
                errors.append(RowError(row.line, "manager", "A person cannot be their own manager."))
            elif manager.lower() not in in_file and manager.lower() not in existing:
                errors.append(RowError(row.line, "manager", f"No person “{manager}” exists or is in this file."))

    _check_manager_cycles(plan, existing)
    _check_team_cycles(plan, team_parent)
    plan.errors.sort(key=lambda e: (e.line, COLUMNS.index(e.field) if e.field in COLUMNS else -1))
    if not plan.errors:
        for row in plan.rows:
            (plan.existing_usernames if row.get("username").lower() in existing else plan.new_usernames).append(
                row.get("username"))
        names = {r.get(c) for r in plan.rows for c in ("team", "parent_team") if r.get(c)}
        known = {t.lower() for t in Team.objects.annotate(lower_name=Lower("name"))
                 .filter(lower_name__in={n.lower() for n in names}).values_list("name", flat=True)}
        plan.new_teams = sorted({n for n in names if n.lower() not in known}, key=str.lower)


def _check_manager_cycles(plan: ImportPlan, existing: dict[str, User]) -> None:
    boss_of: dict[str, str] = {}
    for key, user in existing.items():
        if user.manager_id:
            boss_of[key] = user.manager.username.lower() if user.manager else ""
    for row in plan.rows:
        if row.get("manager") and row.get("username"):
            boss_of[row.get("username").lower()] = row.get("manager").lower()

    def boss_of_any(name: str) -> str:
        if name in boss_of:
            return boss_of[name]
        user = User.objects.filter(username__iexact=name).select_related("manager").first()
        boss_of[name] = user.manager.username.lower() if user and user.manager else ""
        return boss_of[name]

    for row in plan.rows:
        start = row.get("username").lower()
        if not row.get("manager") or not start:
            continue
        boss, steps = boss_of_any(start), 0
        while boss and steps < len(boss_of) + 1:
            if boss == start:
                plan.errors.append(RowError(row.line, "manager", f"“{row.get('manager')}” is (indirectly) managed "
                                                                 f"by {row.get('username')}: managers would go in a circle."))
                break
            boss, steps = boss_of_any(boss), steps + 1


def _check_team_cycles(plan: ImportPlan, team_parent: dict[str, tuple[str, int]]) -> None:
    parent_of = {t.name.lower(): t.parent.name.lower() for t in Team.objects.select_related("parent")
                 .filter(parent__isnull=False)}
    parent_of.update({team: parent.lower() for team, (parent, _) in team_parent.items()})
    for team, (parent, line) in team_parent.items():
        current, steps = parent.lower(), 0
        while current and steps <= len(parent_of):
            if current == team:
                plan.errors.append(RowError(line, "parent_team", "Teams would be nested in a circle."))
                break
            current, steps = parent_of.get(current, ""), steps + 1


def set_password_link(user: User, base_url: str | None = None) -> str:
    """A one-time link to choose a password (the token dies once used or once the person signs in)."""
    path = reverse("org_admin:set_password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    return (base_url if base_url is not None else settings.SITE_URL).rstrip("/") + path


class _Rollback(Exception):
    pass


def people_csv_import(*, data: bytes | str, password: str | None = None, base_url: str | None = None) -> ImportResult:
    """Check the whole file, then import all of it in one transaction, or nothing."""
    plan = people_csv_check(data=data)
    result = ImportResult(errors=list(plan.errors))
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            result.errors.append(RowError(0, "password", " ".join(exc.messages)))
    if not result.ok or not plan.rows:
        return result
    try:
        with transaction.atomic():
            _apply(plan, result, password)
            if result.errors:
                raise _Rollback
    except _Rollback:
        return ImportResult(errors=result.errors)
    result.set_password_links = {u.username: set_password_link(u, base_url) for u in result.created
                                 if not u.has_usable_password()}
    return result


def _team_for(name: str, parents: dict[str, str], result: ImportResult, cache: dict[str, Team]) -> Team:
    key = name.lower()
    if key in cache:
        return cache[key]
    parent_name = parents.get(key, "")
    parent = _team_for(parent_name, parents, result, cache) if parent_name else None
    existed = Team.objects.filter(name__iexact=name).first()
    team = existed or team_get_or_create(name=name, parent=parent)
    if existed is None:
        result.teams_created.append(team.name)
    elif parent is not None and team.parent_id != parent.pk:
        # No team_update service exists yet; the nesting rules live in Team.clean, which full_clean runs.
        team.parent = parent
        team.full_clean()
        team.save(update_fields=["parent"])
    cache[key] = team
    return team


def _apply(plan: ImportPlan, result: ImportResult, password: str | None) -> None:
    teams: dict[str, Team] = {}
    # Every team's parent, wherever in the file it is given: a parent team may itself be nested by another row.
    parents = {r.get("team").lower(): r.get("parent_team") for r in plan.rows if r.get("team") and r.get("parent_team")}
    people: dict[str, tuple[User, PersonRow]] = {}
    present = set(plan.columns)
    for row in plan.rows:
        try:
            team = _team_for(row.get("team"), parents, result, teams) if row.get("team") else None
            user = User.objects.filter(username__iexact=row.get("username")).first()
            role = _ROLE_WORDS[row.get("role").lower()] if row.get("role") else None
            if user is None:
                user = user_create(
                    username=row.get("username"), password=password or None, role=role or Role.MEMBER, team=team,
                    email=row.get("email"), first_name=row.get("first_name"), last_name=row.get("last_name"),
                    job_title=row.get("job_title"), skills=row.skills, check_password=False)
                result.created.append(user)
            else:
                fields = {name: row.get(name) for name in ("first_name", "last_name", "email", "job_title")
                          if name in present and row.get(name)}
                user = user_update(user=user, role=role, team=team if team is not None else ..., **fields)
                if row.skills:
                    user.skills.set(skill_get_or_create_many(names=row.skills))
                result.updated.append(user)
            people[user.username.lower()] = (user, row)
        except ValidationError as exc:
            result.errors += [RowError(row.line, e["field"] or "", e["message"]) for e in validation_fields(exc)]
    if result.errors:
        return
    # Managers last, so that a manager may appear further down the file than the people they manage.
    for user, row in people.values():
        if not row.get("manager"):
            continue
        boss = people.get(row.get("manager").lower(), (None,))[0] or User.objects.get(
            username__iexact=row.get("manager"))
        if user.manager_id == boss.pk:
            continue
        try:
            user_update(user=user, manager=boss)
        except ValidationError as exc:
            result.errors += [RowError(row.line, "manager" if e["field"] in (None, "manager") else e["field"],
                                       e["message"]) for e in validation_fields(exc)]
