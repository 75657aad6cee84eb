"""Every read of manager-led development. Each takes the viewer.

Who sees what
- A manager's page about a direct report: only the report's current manager (not admins, not L&D, not the
  manager's own manager). It shows what the report shared, read through the journal's and the goals' selectors
  with the manager as viewer, so it can never show more than those apps allow, plus the manager's own check-ins.
- A check-in: the manager who wrote it; the report too once it is shared with them. Nobody else, whatever role.
- A stretch assignment: the manager who proposed it and the person. The goal it serves is shown to each only while
  that goal is visible to them (core.visibility). Reflections: each party's reflection is hidden from the other
  until both have written theirs, so that neither is anchored by the other's, or until its author chooses to
  share it earlier ("show mine now"). A reflection once shown stays shown.
- Team objectives and their indicators: members of the objective's team (read-only) and its managers (who edit).
- Team learning counts: aggregates over the team's members, computed only from what the viewer may see anyway
  (core.visibility) and never over fewer than MIN_AGGREGATE_GROUP people; no per-person figure is ever returned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.core.visibility import MIN_AGGREGATE_GROUP, Visibility, aggregate_allowed, can_see
from learnflow.development.models import (
    AgreedAction, CheckIn, Direction, Indicator, IndicatorValue, StretchAssignment, TeamObjective,
)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_manager_of(viewer: Any, person: Any) -> bool:
    return (_active(viewer) and person is not None and person.is_active and person.pk != viewer.pk
            and person.manager_id == viewer.pk)


def can_lead_team(viewer: Any, team_id: int | None) -> bool:
    from learnflow.org.models import Role

    return _active(viewer) and team_id is not None and viewer.team_id == team_id and viewer.role == Role.MANAGER


# --- direct reports

def reports_list(*, viewer: Any) -> QuerySet:
    from learnflow.org.selectors import direct_reports

    if not _active(viewer):
        return get_user_model().objects.none()
    return direct_reports(viewer=viewer)


def report_get(*, viewer: Any, username: str) -> Any:
    """One direct report of the viewer, or NotFound (also for anyone who is not their manager, whatever role)."""
    if not _active(viewer):
        raise NotFound("No such person among your direct reports.")
    person = (get_user_model().objects.select_related("team")
              .filter(username=username, manager=viewer, is_active=True).exclude(pk=viewer.pk).first())
    if person is None:
        raise NotFound("No such person among your direct reports.")
    return person


@dataclass
class SharedGoal:
    goal: Any
    progress: Any
    evidence: list


@dataclass
class ReportPage:
    person: Any
    goals: list[SharedGoal]
    entries: list
    check_ins: list[CheckIn]
    stretch: list[StretchAssignment]


def report_page(*, viewer: Any, username: str, entries_limit: int = 20) -> ReportPage:
    from learnflow.goals import selectors as goals
    from learnflow.journal.selectors import EntryFilters, entry_list

    person = report_get(viewer=viewer, username=username)
    shared_goals = [SharedGoal(goal=g, progress=goals.goal_progress(g), evidence=goals.goal_evidence(viewer=viewer,
                                                                                                     goal=g))
                    for g in goals.goal_list(viewer=viewer, scope="shared").filter(owner=person)]
    entries = list(entry_list(viewer=viewer, scope="shared",
                              filters=EntryFilters(author_ids=[person.pk]))[:entries_limit])
    return ReportPage(person=person, goals=shared_goals, entries=entries,
                      check_ins=list(check_ins_written(viewer=viewer, report=person)),
                      stretch=stretch_list_proposed_by(viewer=viewer, person=person))


# --- check-ins

def _check_in_qs() -> QuerySet[CheckIn]:
    return CheckIn.objects.select_related("manager", "report").prefetch_related(
        Prefetch("actions", queryset=AgreedAction.objects.order_by("done", "due_on", "id")))


def check_ins_written(*, viewer: Any, report: Any) -> QuerySet[CheckIn]:
    """The viewer's own notes about one person."""
    if not _active(viewer):
        return CheckIn.objects.none()
    return _check_in_qs().filter(manager=viewer, report=report).order_by("-held_on", "-id")


def check_ins_shared_with(*, viewer: Any) -> QuerySet[CheckIn]:
    """Check-ins the viewer's managers shared with the viewer."""
    if not _active(viewer):
        return CheckIn.objects.none()
    return _check_in_qs().filter(report=viewer, shared_with_report=True).order_by("-held_on", "-id")


def _check_in_visible_q(viewer: Any) -> Q:
    return Q(manager=viewer) | Q(report=viewer, shared_with_report=True)


def check_in_get(*, viewer: Any, pk: int) -> CheckIn:
    check_in = _check_in_qs().filter(_check_in_visible_q(viewer), pk=pk).first() if _active(viewer) else None
    if check_in is None:
        raise NotFound("No such check-in, or it is not shared with you.")
    return check_in


def check_in_get_own(*, viewer: Any, pk: int) -> CheckIn:
    check_in = _check_in_qs().filter(manager=viewer, pk=pk).first() if _active(viewer) else None
    if check_in is None:
        raise NotFound("No such check-in among yours.")
    return check_in


def action_get(*, viewer: Any, pk: int) -> AgreedAction:
    action = None
    if _active(viewer):
        action = (AgreedAction.objects.select_related("check_in", "check_in__manager", "check_in__report")
                  .filter(pk=pk, check_in__in=CheckIn.objects.filter(_check_in_visible_q(viewer))).first())
    if action is None:
        raise NotFound("No such action, or it is not shared with you.")
    return action


def actions_open_for(*, viewer: Any) -> QuerySet[AgreedAction]:
    """Open actions the viewer owns: as the person on shared check-ins, as the manager on their own."""
    if not _active(viewer):
        return AgreedAction.objects.none()
    mine = (Q(check_in__report=viewer, check_in__shared_with_report=True, owner="report")
            | Q(check_in__manager=viewer, owner="manager"))
    return (AgreedAction.objects.select_related("check_in", "check_in__report", "check_in__manager")
            .filter(mine, done=False).order_by("due_on", "id"))


# --- stretch assignments

def _stretch_qs() -> QuerySet[StretchAssignment]:
    return StretchAssignment.objects.select_related("manager", "person", "goal", "goal__owner", "skill")


def _with_visible_goal(viewer: Any, rows: list[StretchAssignment]) -> list[StretchAssignment]:
    for a in rows:
        goal = a.goal
        a.visible_goal = goal if goal is not None and can_see(viewer, owner=goal.owner,
                                                              visibility=goal.visibility) else None
    return rows


def stretch_list_for(*, viewer: Any) -> list[StretchAssignment]:
    """Assignments proposed to the viewer."""
    if not _active(viewer):
        return []
    return _with_visible_goal(viewer, list(_stretch_qs().filter(person=viewer)))


def stretch_list_proposed_by(*, viewer: Any, person: Any = None) -> list[StretchAssignment]:
    if not _active(viewer):
        return []
    qs = _stretch_qs().filter(manager=viewer)
    if person is not None:
        qs = qs.filter(person=person)
    return _with_visible_goal(viewer, list(qs))


@dataclass
class StretchView:
    assignment: StretchAssignment
    side: str  # "manager" or "person"
    my_reflection: str
    other_reflection: str | None  # None while hidden (or not written)
    other_has_written: bool

    @property
    def is_manager(self) -> bool:
        return self.side == "manager"

    @property
    def other(self) -> Any:
        return self.assignment.person if self.is_manager else self.assignment.manager


def reflection_visible_to_other(assignment: StretchAssignment, side: str) -> bool:
    """Is `side`'s reflection readable by the other party? (The rule in this module's docstring.)"""
    written = bool(getattr(assignment, f"{side}_reflection"))
    both = bool(assignment.manager_reflection) and bool(assignment.person_reflection)
    return written and (both or getattr(assignment, f"{side}_reflection_shared"))


def stretch_get(*, viewer: Any, pk: int) -> StretchView:
    assignment = None
    if _active(viewer):
        assignment = _stretch_qs().filter(Q(manager=viewer) | Q(person=viewer), pk=pk).first()
    if assignment is None:
        raise NotFound("No such stretch assignment for you.")
    return stretch_view(viewer=viewer, assignment=_with_visible_goal(viewer, [assignment])[0])


def stretch_view(*, viewer: Any, assignment: StretchAssignment) -> StretchView:
    """What one party sees of an assignment that came from stretch_get/stretch_list_* for this viewer."""
    side = "manager" if assignment.manager_id == viewer.pk else "person"
    other = "person" if side == "manager" else "manager"
    return StretchView(
        assignment=assignment, side=side, my_reflection=getattr(assignment, f"{side}_reflection"),
        other_reflection=(getattr(assignment, f"{other}_reflection")
                          if reflection_visible_to_other(assignment, other) else None),
        other_has_written=bool(getattr(assignment, f"{other}_reflection")),
    )


def goals_for_stretch(*, viewer: Any, person: Any) -> QuerySet:
    """The person's active goals the viewer may see: what a stretch assignment can serve."""
    from learnflow.goals.models import Goal, GoalStatus

    return (Goal.objects.visible_to(viewer).filter(owner=person, status=GoalStatus.ACTIVE)
            .order_by("target_date", "id"))


# --- team objectives

def _objective_visible_q(viewer: Any) -> Q:
    if not _active(viewer) or not viewer.team_id:
        return Q(pk__in=[])
    return Q(team_id=viewer.team_id)


def _objective_qs() -> QuerySet[TeamObjective]:
    return TeamObjective.objects.select_related("team", "set_by").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("measured_on")))))


def objective_list(*, viewer: Any) -> QuerySet[TeamObjective]:
    """The objectives of the viewer's team (read-only unless the viewer leads the team)."""
    return _objective_qs().filter(_objective_visible_q(viewer)).order_by("-ends_on", "title", "id")


def objective_get(*, viewer: Any, pk: int) -> TeamObjective:
    objective = _objective_qs().filter(_objective_visible_q(viewer), pk=pk).first()
    if objective is None:
        raise NotFound("No such objective for your team.")
    return objective


def objective_get_to_lead(*, viewer: Any, pk: int) -> TeamObjective:
    objective = objective_get(viewer=viewer, pk=pk)
    if not can_lead_team(viewer, objective.team_id):
        raise NotFound("No such objective among those you set.")
    return objective


def indicator_get_to_lead(*, viewer: Any, pk: int) -> Indicator:
    indicator = Indicator.objects.select_related("objective").filter(
        pk=pk, objective__in=TeamObjective.objects.filter(_objective_visible_q(viewer))).first()
    if indicator is None or not can_lead_team(viewer, indicator.objective.team_id):
        raise NotFound("No such indicator among those you set.")
    return indicator


def indicator_value_get_to_lead(*, viewer: Any, pk: int) -> IndicatorValue:
    value = IndicatorValue.objects.select_related("indicator", "indicator__objective").filter(
        pk=pk, indicator__objective__in=TeamObjective.objects.filter(_objective_visible_q(viewer))).first()
    if value is None or not can_lead_team(viewer, value.indicator.objective.team_id):
        raise NotFound("No such value among those you recorded.")
    return value


def objectives_to_align(*, viewer: Any) -> QuerySet[TeamObjective]:
    """Objectives a person may align one of their goals to: their team's, not yet ended. For the goals app."""
    from learnflow.journal.services import today_for

    return objective_list(viewer=viewer).filter(ends_on__gte=today_for(viewer)) if _active(viewer) else \
        TeamObjective.objects.none()


@dataclass
class Performance:
    """An indicator against its target, from the values the manager recorded."""

    indicator: Indicator
    values: list[IndicatorValue]
    latest: IndicatorValue | None
    met: bool | None  # None while there is no value yet
    progress_percent: int | None  # from the first value towards the target, 0–100


def performance(indicator: Indicator) -> Performance:
    values = list(indicator.values.all())
    if not values:
        return Performance(indicator=indicator, values=[], latest=None, met=None, progress_percent=None)
    first, latest = values[0], values[-1]
    up = indicator.direction == Direction.UP
    met = latest.value >= indicator.target if up else latest.value <= indicator.target
    span = indicator.target - first.value
    if met:
        percent = 100
    elif span == 0 or (span > 0) != up:
        percent = 0  # started on the wrong side of a target that moved past: no meaningful fraction
    else:
        percent = max(0, min(100, int((latest.value - first.value) * 100 / span)))
    return Performance(indicator=indicator, values=values, latest=latest, met=met, progress_percent=percent)


# --- team learning aggregates

@dataclass
class TeamLearning:
    group_size: int
    start: dt.date
    end: dt.date
    shown: bool  # False when the group is too small: then every count below is None
    entries_shared: int | None = None
    people_sharing: int | None = None
    by_formality: list[tuple[str, int]] = field(default_factory=list)
    goals_shared: int | None = None
    goals_aligned: int | None = None


def team_members(*, team_id: int) -> QuerySet:
    return get_user_model().objects.filter(team_id=team_id, is_active=True)


def goal_alignment_field() -> str | None:
    """The goals app's Goal.team_objective, once it exists (see the report to the lead)."""
    from learnflow.goals.models import Goal

    return "team_objective" if any(f.name == "team_objective" for f in Goal._meta.get_fields()) else None


def team_learning(*, viewer: Any, team_id: int, start: dt.date, end: dt.date,
                  objective: TeamObjective | None = None) -> TeamLearning:
    """Counts of learning the team shared between start and end, as far as the viewer may see it. Only for members
    of the team; nothing at all for a group under MIN_AGGREGATE_GROUP people."""
    from learnflow.goals.models import Goal
    from learnflow.journal.models import FORMALITY_OF_WAY, Entry, Formality

    if not _active(viewer) or viewer.team_id != team_id:
        raise NotFound("Not your team.")
    members = team_members(team_id=team_id)
    size = members.count()
    result = TeamLearning(group_size=size, start=start, end=end, shown=aggregate_allowed(size))
    if not result.shown:
        return result
    shared = (Entry.objects.visible_to(viewer).exclude(visibility=Visibility.PRIVATE)
              .filter(author__in=members, learned_on__gte=start, learned_on__lte=end))
    totals = shared.aggregate(n=Count("id"), people=Count("author", distinct=True))
    result.entries_shared, result.people_sharing = totals["n"], totals["people"]
    per_way = dict(shared.values_list("way").annotate(n=Count("id")).order_by())
    result.by_formality = [(f.label, sum(n for way, n in per_way.items()
                                         if FORMALITY_OF_WAY.get(way, Formality.INFORMAL) == f.value))
                           for f in Formality]
    goals = Goal.objects.visible_to(viewer).exclude(visibility=Visibility.PRIVATE).filter(owner__in=members)
    result.goals_shared = goals.filter(created_at__date__lte=end).count()
    align = goal_alignment_field()
    if align and objective is not None:
        result.goals_aligned = goals.filter(**{align: objective}).count()
    return result


def minimum_group() -> int:
    return MIN_AGGREGATE_GROUP


def decimal_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
