"""/api/development: check-ins, stretch assignments and team objectives, with the same visibility as the pages
(every call goes through a selector that takes the caller)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from learnflow.core.markdown import render_markdown
from learnflow.development import selectors, services
from learnflow.development.models import CheckIn, StretchAssignment

router = Router(tags=["development"])


class PersonOut(Schema):
    username: str
    name: str


def _person(user) -> PersonOut:
    return PersonOut(username=user.username, name=user.display_name)


class ActionSchema(Schema):
    text: str = Field(..., min_length=1, max_length=300)
    owner: Literal["manager", "report"] = "report"
    due_on: dt.date | None = None


class ActionOut(ActionSchema):
    id: int
    done: bool
    done_on: dt.date | None


class CheckInOut(Schema):
    id: int
    manager: PersonOut
    report: PersonOut
    held_on: dt.date
    notes: str
    notes_html: str
    shared_with_report: bool
    actions: list[ActionOut]


class CheckInIn(Schema):
    report: str = Field(..., description="The direct report's username")
    held_on: dt.date
    notes: str = Field("", max_length=20_000)
    shared_with_report: bool = False
    actions: list[ActionSchema] = Field(default_factory=list, max_length=30)


def _check_in_out(c: CheckIn) -> CheckInOut:
    return CheckInOut(id=c.pk, manager=_person(c.manager), report=_person(c.report), held_on=c.held_on,
                      notes=c.notes, notes_html=str(render_markdown(c.notes)),
                      shared_with_report=c.shared_with_report,
                      actions=[ActionOut(id=a.pk, text=a.text, owner=a.owner, due_on=a.due_on, done=a.done,
                                         done_on=a.done_on) for a in c.actions.all()])


class CheckInFilters(Schema):
    scope: Literal["shared", "written"] = Field("shared", description="shared: shared with me; written: my notes "
                                                                       "(as a manager) about one person")
    report: str = ""


@router.get("/check-ins", response=list[CheckInOut])
def check_in_list(request: HttpRequest, filters: Query[CheckInFilters]):
    if filters.scope == "written":
        person = selectors.report_get(viewer=request.user, username=filters.report)
        rows = selectors.check_ins_written(viewer=request.user, report=person)
    else:
        rows = selectors.check_ins_shared_with(viewer=request.user)
    return [_check_in_out(c) for c in rows[:200]]


@router.get("/check-ins/{pk}", response=CheckInOut)
def check_in_get(request: HttpRequest, pk: int):
    return _check_in_out(selectors.check_in_get(viewer=request.user, pk=pk))


@router.post("/check-ins", response={201: CheckInOut})
def check_in_create(request: HttpRequest, payload: CheckInIn):
    person = selectors.report_get(viewer=request.user, username=payload.report)
    check_in = services.check_in_create(
        manager=request.user, report=person, held_on=payload.held_on, notes=payload.notes,
        shared_with_report=payload.shared_with_report,
        actions=[services.ActionIn(text=a.text, owner=a.owner, due_on=a.due_on) for a in payload.actions])
    return Status(201, _check_in_out(selectors.check_in_get(viewer=request.user, pk=check_in.pk)))


class StretchOut(Schema):
    id: int
    manager: PersonOut
    person: PersonOut
    title: str
    description: str
    goal_id: int | None
    goal_title: str | None
    skill: str | None
    starts_on: dt.date
    ends_on: dt.date
    status: str
    response_note: str
    my_reflection: str
    other_reflection: str | None


class StretchIn(Schema):
    person: str = Field(..., description="The direct report's username")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5_000)
    goal_id: int | None = None
    skill: str = Field("", max_length=100)
    starts_on: dt.date
    ends_on: dt.date


class RespondIn(Schema):
    accept: bool
    note: str = Field("", max_length=2_000)


def _stretch_out(view: selectors.StretchView) -> StretchOut:
    a = view.assignment
    return StretchOut(id=a.pk, manager=_person(a.manager), person=_person(a.person), title=a.title,
                      description=a.description, goal_id=a.visible_goal.pk if a.visible_goal else None,
                      goal_title=a.visible_goal.title if a.visible_goal else None,
                      skill=a.skill.name if a.skill_id else None, starts_on=a.starts_on, ends_on=a.ends_on,
                      status=a.status, response_note=a.response_note, my_reflection=view.my_reflection,
                      other_reflection=view.other_reflection)


@router.get("/stretch", response=list[StretchOut])
def stretch_list(request: HttpRequest):
    rows: list[StretchAssignment] = (selectors.stretch_list_for(viewer=request.user)
                                     + selectors.stretch_list_proposed_by(viewer=request.user))
    return [_stretch_out(selectors.stretch_view(viewer=request.user, assignment=a)) for a in rows[:200]]


@router.get("/stretch/{pk}", response=StretchOut)
def stretch_get(request: HttpRequest, pk: int):
    return _stretch_out(selectors.stretch_get(viewer=request.user, pk=pk))


@router.post("/stretch", response={201: StretchOut})
def stretch_propose(request: HttpRequest, payload: StretchIn):
    person = selectors.report_get(viewer=request.user, username=payload.person)
    data = payload.model_dump(exclude={"person"})
    assignment = services.stretch_propose(manager=request.user, person=person, **data)
    return Status(201, _stretch_out(selectors.stretch_get(viewer=request.user, pk=assignment.pk)))


@router.post("/stretch/{pk}/respond", response=StretchOut)
def stretch_respond(request: HttpRequest, pk: int, payload: RespondIn):
    view = selectors.stretch_get(viewer=request.user, pk=pk)
    services.stretch_respond(assignment=view.assignment, actor=request.user, accept=payload.accept,
                             note=payload.note)
    return _stretch_out(selectors.stretch_get(viewer=request.user, pk=pk))


class ValueOut(Schema):
    measured_on: dt.date
    value: Decimal


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    target: Decimal
    direction: str
    met: bool | None
    values: list[ValueOut]


class ObjectiveOut(Schema):
    id: int
    team: str
    title: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    indicators: list[IndicatorOut]


@router.get("/objectives", response=list[ObjectiveOut])
def objective_list(request: HttpRequest):
    out = []
    for o in selectors.objective_list(viewer=request.user):
        indicators = []
        for i in o.indicators.all():
            perf = selectors.performance(i)
            indicators.append(IndicatorOut(id=i.pk, name=i.name, unit=i.unit, target=i.target,
                                           direction=i.direction, met=perf.met,
                                           values=[ValueOut(measured_on=v.measured_on, value=v.value)
                                                   for v in perf.values]))
        out.append(ObjectiveOut(id=o.pk, team=o.team.name, title=o.title, description=o.description,
                                starts_on=o.starts_on, ends_on=o.ends_on, indicators=indicators))
    return out


class LearningOut(Schema):
    """Counts over the whole team of what the caller may see anyway; all null under the minimum group size."""

    shown: bool
    group_size: int
    minimum_group: int
    start: dt.date
    end: dt.date
    entries_shared: int | None
    people_sharing: int | None
    goals_shared: int | None
    goals_aligned: int | None
    by_formality: dict[str, int]


class IndicatorPerformanceOut(IndicatorOut):
    latest: Decimal | None
    progress_percent: int | None


class ObjectiveDetailOut(Schema):
    id: int
    team: str
    title: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    leads: bool
    indicators: list[IndicatorPerformanceOut]
    learning: LearningOut


class ObjectiveIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5_000)
    starts_on: dt.date
    ends_on: dt.date


class IndicatorIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    unit: str = Field("", max_length=40)
    target: Decimal
    direction: Literal["up", "down"] = "up"


class ValueIn(Schema):
    measured_on: dt.date
    value: Decimal


def _objective_detail(request: HttpRequest, pk: int) -> ObjectiveDetailOut:
    o = selectors.objective_get(viewer=request.user, pk=pk)
    indicators = []
    for i in o.indicators.all():
        perf = selectors.performance(i)
        indicators.append(IndicatorPerformanceOut(
            id=i.pk, name=i.name, unit=i.unit, target=i.target, direction=i.direction, met=perf.met,
            values=[ValueOut(measured_on=v.measured_on, value=v.value) for v in perf.values],
            latest=perf.latest.value if perf.latest else None, progress_percent=perf.progress_percent))
    learning = selectors.team_learning(viewer=request.user, team_id=o.team_id, start=o.starts_on, end=o.ends_on,
                                       objective=o)
    return ObjectiveDetailOut(
        id=o.pk, team=o.team.name, title=o.title, description=o.description, starts_on=o.starts_on,
        ends_on=o.ends_on, leads=selectors.can_lead_team(request.user, o.team_id), indicators=indicators,
        learning=LearningOut(shown=learning.shown, group_size=learning.group_size,
                             minimum_group=selectors.minimum_group(), start=learning.start, end=learning.end,
                             entries_shared=learning.entries_shared, people_sharing=learning.people_sharing,
                             goals_shared=learning.goals_shared, goals_aligned=learning.goals_aligned,
                             by_formality=dict(learning.by_formality) if learning.shown else {}))


@router.get("/objectives/{pk}", response=ObjectiveDetailOut,
            summary="One team objective: performance against its indicators beside counts of shared learning")
def objective_get(request: HttpRequest, pk: int):
    return _objective_detail(request, pk)


@router.post("/objectives", response={201: ObjectiveDetailOut}, summary="Set a team objective (the team's manager)")
def objective_create(request: HttpRequest, payload: ObjectiveIn):
    from django.core.exceptions import PermissionDenied

    if not selectors.can_lead_team(request.user, getattr(request.user, "team_id", None)):
        raise PermissionDenied("Only a manager of the team can set its objectives.")
    objective = services.objective_create(actor=request.user, **payload.dict())
    return Status(201, _objective_detail(request, objective.pk))


@router.post("/objectives/{pk}/indicators", response={201: ObjectiveDetailOut},
             summary="Add a performance indicator to an objective you lead")
def indicator_create(request: HttpRequest, pk: int, payload: IndicatorIn):
    objective = selectors.objective_get_to_lead(viewer=request.user, pk=pk)
    services.indicator_create(objective=objective, actor=request.user, **payload.dict())
    return Status(201, _objective_detail(request, pk))


@router.post("/indicators/{pk}/values", response={201: ObjectiveDetailOut},
             summary="Record an indicator's value on a day (a second value for that day replaces the first)")
def indicator_value_record(request: HttpRequest, pk: int, payload: ValueIn):
    indicator = selectors.indicator_get_to_lead(viewer=request.user, pk=pk)
    services.indicator_value_record(indicator=indicator, actor=request.user, measured_on=payload.measured_on,
                                    value=payload.value)
    return Status(201, _objective_detail(request, indicator.objective_id))
