"""/api/goals: goals, steps and evidence, with the same visibility as the pages (selectors take the caller)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from learnflow.goals import selectors, services
from learnflow.goals.models import Evidence, EvidenceKind, Goal
from learnflow.journal.models import Entry

router = Router(tags=["goals"])

VisibilityName = Literal["private", "manager", "team", "organisation"]
StatusName = Literal["active", "achieved", "dropped"]


class SkillPickSchema(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    level: int | None = Field(None, ge=1, le=99)


class OwnerOut(Schema):
    id: int
    username: str
    name: str


class StepOut(Schema):
    id: int
    position: int
    title: str
    due_date: dt.date | None
    done: bool
    done_on: dt.date | None


class EvidenceOut(Schema):
    id: int
    kind: str
    step_id: int | None
    title: str
    note: str
    entry_id: int | None = None
    statement_id: str | None = None
    url: str | None = None
    file_url: str | None = None
    resource_uid: str | None = None
    skills: list[SkillPickSchema]
    created_at: dt.datetime


class ProgressOut(Schema):
    done: int
    total: int
    percent: int


class GoalOut(Schema):
    id: int
    uid: str
    title: str
    why: str
    success: str
    target_date: dt.date
    status: str
    visibility: str
    achieved_on: dt.date | None
    skills: list[SkillPickSchema]
    owner: OwnerOut
    progress: ProgressOut
    steps: list[StepOut]
    evidence: list[EvidenceOut] | None = None
    team_objective_id: int | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class GoalPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[GoalOut]


class GoalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    why: str = Field("", max_length=5_000)
    success: str = Field("", max_length=5_000)
    target_date: dt.date
    visibility: VisibilityName = "private"
    skills: list[SkillPickSchema] = Field(default_factory=list, max_length=20)
    team_objective_id: int | None = Field(None, description="One of your team's current objectives "
                                                             "(GET /api/development/objectives).")


class GoalPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    why: str | None = Field(None, max_length=5_000)
    success: str | None = Field(None, max_length=5_000)
    target_date: dt.date | None = None
    status: StatusName | None = None
    visibility: VisibilityName | None = None
    skills: list[SkillPickSchema] | None = Field(None, max_length=20)
    team_objective_id: int | None = Field(None, description="null to align the goal to no objective")


class StepIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_date: dt.date | None = None


class StepPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    due_date: dt.date | None = None
    done: bool | None = None
    move: Literal["up", "down"] | None = None


class EvidenceIn(Schema):
    kind: Literal["entry", "activity", "link", "resource"]
    entry_id: int | None = None
    resource_uid: str | None = Field(None, description="A library resource's uid (kind resource).")
    statement_id: str | None = Field(None, description="The xAPI statement id (UUID).")
    url: str | None = Field(None, max_length=2000)
    title: str = Field("", max_length=200)
    step_id: int | None = None
    note: str = Field("", max_length=5_000)
    skills: list[SkillPickSchema] = Field(default_factory=list, max_length=20)


class ListFilters(Schema):
    scope: Literal["mine", "shared", "all"] = "mine"
    status: StatusName | Literal[""] = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


def _picks(items) -> list[services.SkillPick]:
    return [services.SkillPick(name=i["name"], level=i.get("level")) for i in items or []]


def evidence_out(e: Evidence) -> dict:
    return {
        "id": e.pk, "kind": e.kind, "step_id": e.step_id, "title": e.label, "note": e.note,
        "entry_id": e.entry_id, "statement_id": str(e.statement.id) if e.statement_id else None,
        "url": (e.url or None) if e.kind != EvidenceKind.RESOURCE else e.resource.get_absolute_url(),
        "resource_uid": str(e.resource.uid) if e.resource_id else None,
        "file_url": reverse("goals:evidence_file", args=[e.pk]) if e.kind == EvidenceKind.FILE else None,
        "skills": [{"name": s.skill.name, "level": s.level} for s in e.evidence_skills.all()],
        "created_at": e.created_at,
    }


def goal_out(goal: Goal, *, evidence: list[Evidence] | None = None) -> dict:
    progress = selectors.goal_progress(goal)
    return {
        "id": goal.pk, "uid": str(goal.uid), "title": goal.title, "why": goal.why, "success": goal.success,
        "target_date": goal.target_date, "status": goal.status, "visibility": goal.visibility,
        "achieved_on": goal.achieved_on,
        "skills": [{"name": gs.skill.name, "level": gs.level} for gs in goal.goal_skills.all()],
        "owner": {"id": goal.owner.pk, "username": goal.owner.username, "name": goal.owner.display_name},
        "progress": {"done": progress.done, "total": progress.total, "percent": progress.percent},
        "steps": [{"id": s.pk, "position": s.position, "title": s.title, "due_date": s.due_date, "done": s.done,
                   "done_on": s.done_on} for s in goal.steps.all()],
        "evidence": [evidence_out(e) for e in evidence] if evidence is not None else None,
        "team_objective_id": goal.team_objective_id,
        "created_at": goal.created_at, "updated_at": goal.updated_at,
        "url": reverse("goals:detail", args=[goal.pk]),
    }


def _full(request: HttpRequest, pk: int) -> dict:
    goal = selectors.goal_get(viewer=request.user, pk=pk)
    return goal_out(goal, evidence=selectors.goal_evidence(viewer=request.user, goal=goal))


# --- endorsement, the skills framework and the evidence map (declared before "/{goal_id}" so that these paths are
# matched first)

class PersonOut(Schema):
    username: str
    name: str


class EndorsementOut(Schema):
    id: int
    requester: PersonOut
    endorser: PersonOut
    evidence_id: int | None
    evidence_title: str | None
    skill: str | None
    level: int | None
    message: str
    status: str
    comment: str
    remind_after_days: int
    created_at: dt.datetime
    answered_at: dt.datetime | None


class EndorsementIn(Schema):
    endorser: str = Field(..., min_length=1, max_length=150, description="The colleague's or manager's username")
    evidence_id: int | None = Field(None, description="One piece of your evidence …")
    skill: str | None = Field(None, max_length=100, description="… or a skill (with a framework level)")
    level: int | None = Field(None, ge=1, le=99)
    message: str = Field("", max_length=2_000)
    remind_after_days: int = Field(7, description="Remind the endorser after this many days (1–90)")


class AnswerIn(Schema):
    answer: Literal["confirm", "decline"]
    comment: str = Field("", max_length=2_000)


class EndorsementFilters(Schema):
    role: Literal["endorser", "requester"] = Field("endorser", description="endorser: requests for you; "
                                                                           "requester: requests you made")
    status: Literal["open", "confirmed", "declined", "withdrawn", ""] = ""


def _endorsement_out(r) -> dict:
    # The evidence's title only, never its content: content is read through the request page while it is open.
    return {"id": r.pk, "requester": {"username": r.requester.username, "name": r.requester.display_name},
            "endorser": {"username": r.endorser.username, "name": r.endorser.display_name},
            "evidence_id": r.evidence_id, "evidence_title": r.evidence.label if r.evidence_id else None,
            "skill": r.skill.name if r.skill_id else None, "level": r.level, "message": r.message,
            "status": r.status, "comment": r.comment, "remind_after_days": r.remind_after_days,
            "created_at": r.created_at, "answered_at": r.answered_at}


@router.get("/endorsements", response=list[EndorsementOut], summary="Endorsement requests for you, or made by you")
def list_endorsements(request: HttpRequest, filters: Query[EndorsementFilters]):
    if filters.role == "requester":
        qs = selectors.endorsement_requests_by(viewer=request.user).select_related("requester")
        if filters.status:
            qs = qs.filter(status=filters.status)
    else:
        qs = selectors.endorsement_requests_for(viewer=request.user, status=filters.status)
    return [_endorsement_out(r) for r in qs[:200]]


@router.post("/endorsements", response={201: EndorsementOut},
             summary="Ask a colleague or your manager to confirm a piece of your evidence or a skill level")
def ask_endorsement(request: HttpRequest, payload: EndorsementIn):
    evidence = None
    if payload.evidence_id is not None:
        evidence = selectors.evidence_get_own(viewer=request.user, pk=payload.evidence_id)
    endorser = selectors.person_to_ask(viewer=request.user, username=payload.endorser)
    if endorser is None:
        raise ValidationError({"endorser": f"No active person with the username “{payload.endorser[:40]}”."})
    created = services.endorsement_request(requester=request.user, endorser=endorser, evidence=evidence,
                                           skill=payload.skill, level=payload.level, message=payload.message,
                                           remind_after_days=payload.remind_after_days)
    return Status(201, _endorsement_out(selectors.endorsement_request_own(viewer=request.user, pk=created.pk)))


@router.post("/endorsements/{request_id}/answer", response=EndorsementOut,
             summary="Confirm (with a comment) or decline a request addressed to you")
def answer_endorsement(request: HttpRequest, request_id: int, payload: AnswerIn):
    view = selectors.endorsement_request_for_endorser(viewer=request.user, pk=request_id)
    answer = services.endorsement_confirm if payload.answer == "confirm" else services.endorsement_decline
    answer(request=view.request, actor=request.user, comment=payload.comment)
    return _endorsement_out(selectors.endorsement_requests_for(viewer=request.user).get(pk=request_id))


@router.post("/endorsements/{request_id}/withdraw", response=EndorsementOut, summary="Withdraw a request you made")
def withdraw_endorsement(request: HttpRequest, request_id: int):
    r = selectors.endorsement_request_own(viewer=request.user, pk=request_id)
    services.endorsement_withdraw(request=r, actor=request.user)
    return _endorsement_out(selectors.endorsement_request_own(viewer=request.user, pk=request_id))


class LevelOut(Schema):
    rank: int
    name: str
    description: str


class FrameworkOut(Schema):
    id: int
    name: str
    description: str
    skill_count: int
    levels: list[LevelOut]


class FrameworkImportOut(Schema):
    framework: FrameworkOut
    created: list[str]
    updated: list[str]
    removed: list[str]


def _framework_out(framework) -> dict:
    return {"id": framework.pk, "name": framework.name, "description": framework.description,
            "skill_count": getattr(framework, "skill_count", None) or framework.framework_skills.count(),
            "levels": [{"rank": lv.rank, "name": lv.name, "description": lv.description}
                       for lv in framework.levels.all()]}


@router.get("/frameworks", response=list[FrameworkOut], summary="The skills frameworks L&D imported")
def list_frameworks(request: HttpRequest):
    return [_framework_out(f) for f in selectors.frameworks()]


@router.post("/frameworks", response={201: FrameworkImportOut},
             summary="Import or update a skills framework from CSV or JSON (L&D and admins)")
def import_framework(request: HttpRequest, file: File[UploadedFile], name: Form[str] = "",
                     description: Form[str] = ""):
    from django.db import transaction

    from learnflow.goals import framework as framework_io

    if file.size > framework_io.MAX_FRAMEWORK_BYTES:
        raise ValidationError({"file": f"The file is larger than {framework_io.MAX_FRAMEWORK_BYTES // (1024 * 1024)} "
                                       f"MB."})
    # The whole file is checked before anything is written; a refused file raises with every problem listed.
    with transaction.atomic():
        result = framework_io.framework_import(actor=request.user, data=file.read(), filename=file.name or "",
                                               name=name, description=description)
    return Status(201, {"framework": _framework_out(selectors.framework_get(pk=result.framework.pk)),
                        "created": result.created, "updated": result.updated, "removed": result.removed})


class MapEvidenceOut(Schema):
    id: int
    goal_id: int
    kind: str
    title: str
    level: int | None


class MapRowOut(Schema):
    skill: str
    category: str
    entry_count: int
    evidence: list[MapEvidenceOut]
    level: int | None
    level_name: str
    confirmed_level: int | None
    confirmed_by: list[str]


@router.get("/map", response=list[MapRowOut],
            summary="Your evidence map: per skill of a framework, your entries, evidence and confirmed levels")
def evidence_map(request: HttpRequest, framework: int | None = None):
    fw = selectors.framework_get(pk=framework)
    if fw is None:
        from learnflow.core.errors import NotFound

        raise NotFound("No such skills framework." if framework else "No skills framework has been imported yet.")
    return [{"skill": row.skill.name, "category": row.category, "entry_count": row.entry_count,
             "evidence": [{"id": e.pk, "goal_id": e.goal_id, "kind": e.kind, "title": e.label, "level": level}
                          for e, level in row.evidence],
             "level": row.level, "level_name": row.level_name, "confirmed_level": row.confirmed_level,
             "confirmed_by": sorted({r.endorser.username for r in row.endorsements})}
            for row in selectors.evidence_map(viewer=request.user, framework=fw)]


@router.get("", response=GoalPage, summary="List goals the caller may see")
def list_goals(request: HttpRequest, filters: Query[ListFilters]):
    qs = selectors.goal_list(viewer=request.user, scope=filters.scope, status=filters.status)
    items = list(qs[filters.offset: filters.offset + filters.limit])
    return {"count": qs.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [goal_out(g) for g in items]}


@router.post("", response={201: GoalOut}, summary="Set a goal")
def create_goal(request: HttpRequest, payload: GoalIn):
    data = payload.dict()
    goal = services.goal_create(owner=request.user, title=data["title"], why=data["why"], success=data["success"],
                                target_date=data["target_date"], visibility=data["visibility"],
                                skills=_picks(data["skills"]), team_objective_id=data["team_objective_id"])
    return Status(201, _full(request, goal.pk))


@router.get("/{goal_id}", response=GoalOut, summary="One goal with its steps and the evidence the caller may see")
def get_goal(request: HttpRequest, goal_id: int):
    return _full(request, goal_id)


@router.patch("/{goal_id}", response=GoalOut, summary="Change a goal (owner only)")
def patch_goal(request: HttpRequest, goal_id: int, payload: GoalPatch):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    data = payload.dict(exclude_unset=True)
    if "skills" in data:
        data["skills"] = _picks(data["skills"]) if data["skills"] is not None else None
    services.goal_update(goal=goal, actor=request.user, **data)
    return _full(request, goal_id)


@router.delete("/{goal_id}", response={204: None}, summary="Delete a goal (owner only)")
def delete_goal(request: HttpRequest, goal_id: int):
    services.goal_delete(goal=selectors.goal_get_own(viewer=request.user, pk=goal_id), actor=request.user)
    return Status(204, None)


@router.post("/{goal_id}/steps", response={201: StepOut}, summary="Add a step")
def add_step(request: HttpRequest, goal_id: int, payload: StepIn):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    step = services.step_add(goal=goal, actor=request.user, title=payload.title, due_date=payload.due_date)
    return Status(201, step)


@router.patch("/{goal_id}/steps/{step_id}", response=StepOut, summary="Change, tick off or move a step")
def patch_step(request: HttpRequest, goal_id: int, step_id: int, payload: StepPatch):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    step = selectors.step_get_own(viewer=request.user, goal=goal, pk=step_id)
    data = payload.dict(exclude_unset=True)
    move = data.pop("move", None)
    if "due_date" not in data:
        data["due_date"] = ...
    services.step_update(step=step, actor=request.user, **data)
    if move:
        services.step_move(step=step, actor=request.user, offset=-1 if move == "up" else 1)
    return selectors.step_get_own(viewer=request.user, goal=goal, pk=step_id)


@router.delete("/{goal_id}/steps/{step_id}", response={204: None}, summary="Remove a step")
def delete_step(request: HttpRequest, goal_id: int, step_id: int):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    services.step_delete(step=selectors.step_get_own(viewer=request.user, goal=goal, pk=step_id),
                         actor=request.user)
    return Status(204, None)


def _step(goal: Goal, step_id: int | None):
    if step_id is None:
        return None
    step = goal.steps.filter(pk=step_id).first()
    if step is None:
        raise ValidationError({"step_id": "No such step on this goal."})
    return step


@router.post("/{goal_id}/evidence", response={201: EvidenceOut},
             summary="Attach evidence: one of your journal entries, your recorded activity, a library resource or a "
                     "link")
def add_evidence(request: HttpRequest, goal_id: int, payload: EvidenceIn):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    common = {"owner": request.user, "goal": goal, "step": _step(goal, payload.step_id), "note": payload.note,
              "skills": _picks([s.dict() for s in payload.skills])}
    if payload.kind == "entry":
        if payload.entry_id is None:
            raise ValidationError({"entry_id": "Give the id of one of your journal entries."})
        # Unrestricted on purpose: the service refuses an entry the owner may not use, with a clear message.
        entry = Entry.objects.unrestricted().filter(pk=payload.entry_id).first()
        evidence = services.goal_evidence_add_entry(entry=entry, **common)
    elif payload.kind == "activity":
        from learnflow.lrs.models import Statement

        try:
            sid = uuid.UUID(payload.statement_id or "")
        except ValueError:
            raise ValidationError({"statement_id": "Give the id (a UUID) of a statement about you."}) from None
        evidence = services.goal_evidence_add_activity(statement=Statement.objects.filter(id=sid).first(), **common)
    elif payload.kind == "resource":
        evidence = services.goal_evidence_add_resource(
            resource=selectors.resource_by_reference(payload.resource_uid or ""),
                                                       **common)
    else:
        evidence = services.goal_evidence_add_link(url=payload.url or "", title=payload.title, **common)
    return Status(201, evidence_out(selectors.evidence_get_own(viewer=request.user, pk=evidence.pk)))


@router.post("/{goal_id}/evidence/file", response={201: EvidenceOut}, summary="Attach a file as evidence")
def add_evidence_file(request: HttpRequest, goal_id: int, file: File[UploadedFile], title: Form[str] = "",
                      note: Form[str] = ""):
    goal = selectors.goal_get_own(viewer=request.user, pk=goal_id)
    evidence = services.goal_evidence_add_file(owner=request.user, goal=goal, upload=file, title=title, note=note)
    return Status(201, evidence_out(selectors.evidence_get_own(viewer=request.user, pk=evidence.pk)))


@router.delete("/{goal_id}/evidence/{evidence_id}", response={204: None}, summary="Remove evidence")
def remove_evidence(request: HttpRequest, goal_id: int, evidence_id: int):
    evidence = selectors.evidence_get_own(viewer=request.user, pk=evidence_id)
    if evidence.goal_id != goal_id:
        from learnflow.core.errors import NotFound

        raise NotFound("No such evidence on this goal.")
    services.goal_evidence_remove(evidence=evidence, actor=request.user)
    return Status(204, None)
