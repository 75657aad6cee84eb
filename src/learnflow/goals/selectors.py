"""Every read of goals, evidence and endorsements. Each takes the viewer.

Who sees what
- A goal, its steps and its progress: whoever core.visibility lets see the goal (owner_field="owner"). Managers,
  admins and L&D get no extra rights: a private goal is the owner's alone.
- Evidence on a goal the viewer may see: files and links belong to the goal and are seen with it; a journal entry,
  a recorded activity or a library resource is shown to someone else only if that entry (core.visibility), that
  activity (its share) or that resource (library.selectors: published, or a draft they may review) is visible to
  them too, so sharing a goal never un-hides a private entry under it.
- The one narrow exception, for endorsement: the person asked to confirm a piece of evidence sees that evidence
  (its entry, activity, file or link) through the request, while the request is open, and nothing else of the
  requester's. Once answered they keep what they wrote and the evidence's title, not its content.
  `endorsement_request_for_endorser` and `evidence_file_get` are the only places this rule is applied.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.core.models import Skill
from learnflow.goals.models import (
    EndorsementRequest, EndorsementStatus, Evidence, EvidenceKind, EvidenceSkill, Framework, FrameworkSkill, Goal,
    GoalSkill, GoalStatus, Step,
)
from learnflow.journal.models import Entry


def _with_related(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    return qs.select_related("owner", "owner__team").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("position", "id")),
        Prefetch("goal_skills", queryset=GoalSkill.objects.select_related("skill").order_by("skill__name")),
    ).annotate(steps_total=Count("steps", distinct=True),
               steps_done=Count("steps", filter=Q(steps__done=True), distinct=True))


def goal_list(*, viewer: Any, scope: str = "mine", status: str = "") -> QuerySet[Goal]:
    """scope: mine (own), shared (shared with me by others), all (both)."""
    if scope == "mine":
        qs = Goal.objects.owned_by(viewer)
    elif scope == "shared":
        qs = Goal.objects.shared_with(viewer)
    else:
        qs = Goal.objects.visible_to(viewer)
    if status:
        qs = qs.filter(status=status)
    return _with_related(qs).order_by("status", "target_date", "id")


def goal_get(*, viewer: Any, pk: int) -> Goal:
    goal = _with_related(Goal.objects.visible_to(viewer)).filter(pk=pk).first()
    if goal is None:
        raise NotFound("No such goal, or it is not shared with you.")
    return goal


def goal_get_own(*, viewer: Any, pk: int) -> Goal:
    goal = _with_related(Goal.objects.owned_by(viewer)).filter(pk=pk).first()
    if goal is None:
        raise NotFound("No such goal among yours.")
    return goal


def step_get_own(*, viewer: Any, goal: Goal, pk: int) -> Step:
    step = Step.objects.select_related("goal").filter(pk=pk, goal=goal, goal__owner=viewer).first()
    if step is None:
        raise NotFound("No such step on this goal.")
    return step


def _evidence_qs() -> QuerySet[Evidence]:
    return Evidence.objects.select_related("entry", "statement", "resource", "step", "goal").prefetch_related(
        Prefetch("evidence_skills", queryset=EvidenceSkill.objects.select_related("skill").order_by("skill__name")))


def _visible_evidence_q(viewer: Any) -> Q:
    """For someone who already may see the goal: the evidence they may see on it."""
    from learnflow.record.selectors import shared_statements_q

    shared_statements = Q(statement__in=_statement_model().objects.filter(shared_statements_q(viewer)))
    return (Q(owner=viewer)
            | Q(kind__in=[EvidenceKind.FILE, EvidenceKind.LINK])
            | Q(kind=EvidenceKind.ENTRY, entry__in=Entry.objects.visible_to(viewer))
            | Q(kind=EvidenceKind.ACTIVITY) & shared_statements
            | Q(kind=EvidenceKind.RESOURCE, resource__in=_resources_visible_to(viewer)))


def _resources_visible_to(viewer: Any):
    from learnflow.library.selectors import resources_visible_to

    return resources_visible_to(viewer=viewer)


def _statement_model():
    from learnflow.lrs.models import Statement

    return Statement


def goal_evidence(*, viewer: Any, goal: Goal) -> list[Evidence]:
    """The evidence on a goal that the viewer may see (the goal must have come from goal_get for this viewer)."""
    if not Goal.objects.visible_to(viewer).filter(pk=goal.pk).exists():
        return []
    return list(_evidence_qs().filter(goal=goal).filter(_visible_evidence_q(viewer)).order_by("created_at", "id"))


def evidence_get_own(*, viewer: Any, pk: int) -> Evidence:
    evidence = _evidence_qs().filter(pk=pk, owner=viewer).first()
    if evidence is None:
        raise NotFound("No such evidence among yours.")
    return evidence


def resource_by_reference(reference: str) -> Any:
    """The library resource a pasted page address (or bare uid) names, or None. Unrestricted on purpose: the service
    refuses, with a clear message, a resource the goal's owner may not see."""
    import re
    import uuid

    from learnflow.library.models import Resource

    found = re.search(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
                      reference or "")
    return Resource.objects.filter(uid=uuid.UUID(found.group(0))).first() if found else None


def evidence_file_get(*, viewer: Any, pk: int) -> Evidence:
    """A file of evidence, for whoever may see its goal, or for the endorser of an open request about it."""
    asked = EndorsementRequest.objects.filter(endorser=viewer, status=EndorsementStatus.OPEN).values("evidence_id")
    evidence = (Evidence.objects.select_related("goal", "owner").filter(pk=pk, kind=EvidenceKind.FILE)
                .filter(Q(goal__in=Goal.objects.visible_to(viewer)) | Q(pk__in=asked)).first())
    if evidence is None or not getattr(viewer, "is_active", False):
        raise NotFound("No such file, or it is not shared with you.")
    return evidence


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def goal_progress(goal: Goal) -> Progress:
    if hasattr(goal, "steps_total"):
        return Progress(done=goal.steps_done, total=goal.steps_total)
    steps = list(goal.steps.all())
    return Progress(done=sum(1 for s in steps if s.done), total=len(steps))


def entries_to_link(*, viewer: Any, goal: Goal, limit: int = 50) -> QuerySet[Entry]:
    """The viewer's own recent entries not yet evidence for this goal."""
    linked = Evidence.objects.filter(goal=goal, entry__isnull=False).values("entry_id")
    return Entry.objects.owned_by(viewer).exclude(pk__in=linked).order_by("-learned_on", "-id")[:limit]


def activity_to_link(*, viewer: Any, goal: Goal, limit: int = 30) -> list:
    from learnflow.record.selectors import recorded_activity

    linked = set(Evidence.objects.filter(goal=goal, statement__isnull=False).values_list("statement_id", flat=True))
    return [a for a in recorded_activity(viewer=viewer, limit=limit) if a.statement.pk not in linked]


def goals_for_capture(*, viewer: Any) -> QuerySet[Goal]:
    """The viewer's active goals, to link a new journal entry to one from the capture form."""
    return Goal.objects.owned_by(viewer).filter(status=GoalStatus.ACTIVE).order_by("target_date", "id")


# --- endorsement

def endorsement_requests_for(*, viewer: Any, status: str = "") -> QuerySet[EndorsementRequest]:
    qs = EndorsementRequest.objects.filter(endorser=viewer).select_related(
        "requester", "evidence", "evidence__entry", "evidence__goal", "skill")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def endorsement_requests_by(*, viewer: Any) -> QuerySet[EndorsementRequest]:
    return EndorsementRequest.objects.filter(requester=viewer).select_related(
        "endorser", "evidence", "evidence__entry", "skill").order_by("-created_at", "-id")


def endorsement_open_count(*, viewer: Any) -> int:
    if not getattr(viewer, "is_authenticated", False):
        return 0
    return EndorsementRequest.objects.filter(endorser=viewer, status=EndorsementStatus.OPEN).count()


@dataclass
class RequestView:
    request: EndorsementRequest
    evidence: Evidence | None  # with its content, only while the request is open
    activity: Any = None


def endorsement_request_for_endorser(*, viewer: Any, pk: int) -> RequestView:
    request = endorsement_requests_for(viewer=viewer).filter(pk=pk).first()
    if request is None:
        raise NotFound("No such request for you.")
    evidence = None
    activity = None
    if request.is_open and request.evidence_id:
        evidence = _evidence_qs().get(pk=request.evidence_id)
        if evidence.kind == EvidenceKind.ACTIVITY and evidence.statement is not None:
            from learnflow.record.selectors import describe

            activity = describe(evidence.statement)
    return RequestView(request=request, evidence=evidence, activity=activity)


def endorsement_request_own(*, viewer: Any, pk: int) -> EndorsementRequest:
    request = endorsement_requests_by(viewer=viewer).filter(pk=pk).first()
    if request is None:
        raise NotFound("No such request of yours.")
    return request


def endorsements_confirmed_for(*, viewer: Any, evidence_ids: list[int]) -> dict[int, list[EndorsementRequest]]:
    """Confirmed endorsements on the viewer's own evidence, by evidence id."""
    out: dict[int, list[EndorsementRequest]] = defaultdict(list)
    for r in (EndorsementRequest.objects.filter(requester=viewer, evidence_id__in=evidence_ids,
                                                status=EndorsementStatus.CONFIRMED).select_related("endorser")):
        out[r.evidence_id].append(r)
    return out


def people_to_ask(*, viewer: Any) -> list:
    """The people nearest the viewer, offered first when asking for an endorsement: their manager, teammates and
    direct reports (anyone else in the organisation can be named by username)."""
    from django.contrib.auth import get_user_model

    near = Q(reports=viewer) | Q(manager=viewer)
    if viewer.team_id:
        near |= Q(team_id=viewer.team_id)
    people = (get_user_model().objects.filter(near, is_active=True).exclude(pk=viewer.pk).distinct()
              .order_by("first_name", "last_name", "username")[:200])
    return sorted(people, key=lambda p: p.pk != viewer.manager_id)


def person_to_ask(*, viewer: Any, pk: int | None = None, username: str = "") -> Any:
    """The person chosen (by id from the list, or by username): any active person; the services refuse oneself."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if username.strip():
        return users.filter(username__iexact=username.strip()).first()
    return users.filter(pk=pk).first() if pk else None


# --- skills framework and the evidence map

def frameworks() -> QuerySet[Framework]:
    return Framework.objects.prefetch_related("levels").annotate(skill_count=Count("framework_skills"))


def framework_get(*, pk: int | None = None) -> Framework | None:
    qs = frameworks()
    return qs.filter(pk=pk).first() if pk else qs.order_by("-updated_at").first()


def level_choices() -> list[tuple[int, str]]:
    """Levels known to any framework, for pickers: (rank, "rank name / name …")."""
    names: dict[int, list[str]] = defaultdict(list)
    from learnflow.goals.models import FrameworkLevel

    for rank, name in FrameworkLevel.objects.order_by("rank", "framework__name").values_list("rank", "name"):
        if name not in names[rank]:
            names[rank].append(name)
    return [(rank, f"{rank} {' / '.join(n)}") for rank, n in sorted(names.items())]


@dataclass
class MapRow:
    skill: Skill
    category: str
    description: str
    entries: list[Entry] = field(default_factory=list)
    entry_count: int = 0
    evidence: list[tuple[Evidence, int | None]] = field(default_factory=list)
    endorsements: list[EndorsementRequest] = field(default_factory=list)
    level: int | None = None
    level_name: str = ""
    confirmed_level: int | None = None

    @property
    def has_anything(self) -> bool:
        return bool(self.entry_count or self.evidence or self.endorsements)


def evidence_map(*, viewer: Any, framework: Framework) -> list[MapRow]:
    """Per skill of the framework: the viewer's own entries tagged with it, their evidence that shows it (tagged on
    the evidence, or on a goal that develops it), the confirmed endorsements, and the highest level evidenced and
    confirmed. The viewer's own record only: a fixed number of queries, whatever the framework's size."""
    rows_fs = list(FrameworkSkill.objects.filter(framework=framework).select_related("skill")
                   .order_by("category", "position", "id"))
    skill_ids = [fs.skill_id for fs in rows_fs]
    level_names = {lv.rank: lv.name for lv in framework.levels.all()}
    rows = {fs.skill_id: MapRow(skill=fs.skill, category=fs.category, description=fs.description or
                                fs.skill.description) for fs in rows_fs}

    counts = (Entry.objects.owned_by(viewer).filter(skills__in=skill_ids).values("skills")
              .annotate(n=Count("id")).order_by())
    for row in counts:
        rows[row["skills"]].entry_count = row["n"]
    through = Entry.skills.through
    recent = (through.objects.filter(skill_id__in=skill_ids, entry__author=viewer).select_related("entry")
              .order_by("-entry__learned_on", "-entry_id")[:20 * max(1, len(skill_ids))])
    for link in recent:
        entries = rows[link.skill_id].entries
        if len(entries) < 5:
            entries.append(link.entry)

    evidence = {e.pk: e for e in _evidence_qs().filter(owner=viewer).filter(
        Q(evidence_skills__skill_id__in=skill_ids) | Q(goal__goal_skills__skill_id__in=skill_ids)).distinct()}
    tagged = EvidenceSkill.objects.filter(evidence_id__in=evidence, skill_id__in=skill_ids)
    levels_by = {(t.evidence_id, t.skill_id): t.level for t in tagged}
    goal_skills = defaultdict(set)
    for gs in GoalSkill.objects.filter(goal__owner=viewer, skill_id__in=skill_ids):
        goal_skills[gs.goal_id].add(gs.skill_id)
    for e in evidence.values():
        shown = {sid for (eid, sid) in levels_by if eid == e.pk} | goal_skills.get(e.goal_id, set())
        for sid in shown:
            level = levels_by.get((e.pk, sid))
            rows[sid].evidence.append((e, level))
            if level is not None and (rows[sid].level is None or level > rows[sid].level):
                rows[sid].level = level

    confirmed = EndorsementRequest.objects.filter(requester=viewer, status=EndorsementStatus.CONFIRMED).filter(
        Q(skill_id__in=skill_ids) | Q(evidence_id__in=list(evidence))).select_related("endorser", "skill")
    for r in confirmed:
        if r.skill_id in rows and r.evidence_id is None:
            targets = [(r.skill_id, r.level)]
        else:
            targets = [(sid, levels_by.get((r.evidence_id, sid))) for sid in rows
                       if any(e.pk == r.evidence_id for e, _ in rows[sid].evidence)]
        for sid, level in targets:
            rows[sid].endorsements.append(r)
            if level is not None and (rows[sid].confirmed_level is None or level > rows[sid].confirmed_level):
                rows[sid].confirmed_level = level
    for row in rows.values():
        row.level_name = level_names.get(row.level, "") if row.level else ""
    return [rows[fs.skill_id] for fs in rows_fs]
