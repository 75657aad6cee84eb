"""Every write of manager-led development. Keyword-only, one transaction each, every check before the first write,
an event for the audit trail in the same transaction.

Rules decided here (tested in tests/test_services.py):
- Only a person's current manager writes 1:1 check-ins about them and proposes stretch assignments to them.
  A check-in stays its writer's: only the manager who wrote it edits, shares or deletes it.
- An agreed action's due date is not before its check-in's date; moving a check-in's date after an action's due
  date is refused (the message names the action).
- A stretch assignment ends on or after its start, and serves one of the person's goals that the manager may see,
  or a named skill (at least one of the two).
- Stretch flow: proposed → accepted | declined (a note saying why is required) | withdrawn (by the manager);
  accepted → done (by either) | withdrawn. Once done, each writes a reflection; see selectors.stretch_get for who
  reads whose.
- Team objectives and their indicators are set by a manager of the team (role manager, in that team). An
  objective's period ends on or after its start. An indicator value is recorded for a day not in the future;
  recording another value for the same day replaces it.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from learnflow.core.services import event_record, skill_get_or_create_many
from learnflow.development.models import (
    ActionOwner, AgreedAction, CheckIn, Direction, Indicator, IndicatorValue, StretchAssignment, StretchStatus,
    TeamObjective,
)
from learnflow.development.selectors import can_lead_team, is_manager_of
from learnflow.journal.services import today_for

log = logging.getLogger(__name__)

MAX_ACTIONS = 30
MAX_INDICATORS = 20
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class ActionIn:
    text: str
    owner: str = ActionOwner.REPORT
    due_on: dt.date | None = None


# --- helpers

def _check_sane(day: dt.date | None, field: str) -> None:
    if day is not None and not EARLIEST <= day <= dt.date(2100, 12, 31):
        raise ValidationError({field: "That date is out of range."})


def _check_order(start: dt.date, end: dt.date, field: str, what: str) -> None:
    if end < start:
        raise ValidationError({field: f"The {what} ({end.isoformat()}) cannot be before the start "
                                      f"({start.isoformat()})."})


def _clean_action(action: ActionIn, held_on: dt.date, field: str = "actions") -> ActionIn:
    text = " ".join((action.text or "").split())
    if not text:
        raise ValidationError({field: "Say what was agreed."})
    if len(text) > 300:
        raise ValidationError({field: "An agreed action is at most 300 characters."})
    if action.owner not in ActionOwner.values:
        raise ValidationError({field: f"“{action.owner}” is not one of: {', '.join(ActionOwner.values)}."})
    _check_sane(action.due_on, field)
    if action.due_on is not None and action.due_on < held_on:
        raise ValidationError({field: f"“{text}” is due on {action.due_on.isoformat()}, before the check-in "
                                      f"({held_on.isoformat()}): choose a due date on or after it."})
    return ActionIn(text=text, owner=action.owner, due_on=action.due_on)


def _writer(check_in: CheckIn, actor: Any) -> None:
    if check_in.manager_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the manager who wrote this check-in can change it.")


# --- 1:1 check-ins

@transaction.atomic
def check_in_create(*, manager: Any, report: Any, held_on: dt.date, notes: str = "",
                    shared_with_report: bool = False, actions: Sequence[ActionIn] = ()) -> CheckIn:
    if not is_manager_of(manager, report):
        raise PermissionDenied("Only a person's manager can write check-ins about them.")
    _check_sane(held_on, "held_on")
    if len(actions) > MAX_ACTIONS:
        raise ValidationError({"actions": f"At most {MAX_ACTIONS} agreed actions per check-in."})
    cleaned = [_clean_action(a, held_on) for a in actions]
    check_in = CheckIn(manager=manager, report=report, held_on=held_on, notes=notes or "",
                       shared_with_report=shared_with_report)
    check_in.full_clean()
    check_in.save()
    AgreedAction.objects.bulk_create(
        [AgreedAction(check_in=check_in, text=a.text, owner=a.owner, due_on=a.due_on) for a in cleaned])
    event_record(actor=manager, verb="created", obj=check_in,
                 data={"report": report.username, "shared": "yes" if shared_with_report else "no"})
    if any(a.due_on for a in cleaned):
        transaction.on_commit(_reminders_kick)
    return check_in


@transaction.atomic
def check_in_update(*, check_in: CheckIn, actor: Any, held_on: dt.date, notes: str,
                    shared_with_report: bool) -> CheckIn:
    _writer(check_in, actor)
    _check_sane(held_on, "held_on")
    early = check_in.actions.filter(due_on__lt=held_on).order_by("due_on", "id").first()
    if early is not None:
        raise ValidationError({"held_on": f"The action “{early.text}” is due on {early.due_on.isoformat()}, before "
                                          f"this date: change the action first or choose an earlier date."})
    check_in.held_on, check_in.notes, check_in.shared_with_report = held_on, notes or "", shared_with_report
    check_in.full_clean()
    check_in.save()
    event_record(actor=actor, verb="updated", obj=check_in, data={"shared": "yes" if shared_with_report else "no"})
    return check_in


@transaction.atomic
def check_in_share(*, check_in: CheckIn, actor: Any, shared: bool) -> CheckIn:
    _writer(check_in, actor)
    check_in.shared_with_report = shared
    check_in.save(update_fields=["shared_with_report", "updated_at"])
    event_record(actor=actor, verb="shared" if shared else "unshared", obj=check_in)
    return check_in


@transaction.atomic
def check_in_delete(*, check_in: CheckIn, actor: Any) -> None:
    _writer(check_in, actor)
    event_record(actor=actor, verb="deleted", obj=check_in)
    check_in.delete()


@transaction.atomic
def action_add(*, check_in: CheckIn, actor: Any, text: str, owner: str = ActionOwner.REPORT,
               due_on: dt.date | None = None) -> AgreedAction:
    _writer(check_in, actor)
    if check_in.actions.count() >= MAX_ACTIONS:
        raise ValidationError({"text": f"At most {MAX_ACTIONS} agreed actions per check-in."})
    clean = _clean_action(ActionIn(text=text, owner=owner, due_on=due_on), check_in.held_on, field="due_on")
    action = AgreedAction.objects.create(check_in=check_in, text=clean.text, owner=clean.owner, due_on=clean.due_on)
    event_record(actor=actor, verb="added", obj=action, data={"check_in": str(check_in.pk)})
    if action.due_on:
        transaction.on_commit(_reminders_kick)
    return action


def _reminders_kick() -> None:
    from learnflow.development.tasks import action_reminders_kick

    action_reminders_kick()  # never raises: a queue that is down must not fail the check-in just written


def _may_tick(action: AgreedAction, actor: Any) -> bool:
    check_in = action.check_in
    if check_in.manager_id == actor.pk:
        return True
    # The person ticks off their own actions, on a check-in shared with them.
    return (check_in.report_id == actor.pk and check_in.shared_with_report
            and action.owner == ActionOwner.REPORT)


@transaction.atomic
def action_set_done(*, action: AgreedAction, actor: Any, done: bool) -> AgreedAction:
    if not _may_tick(action, actor):
        raise PermissionDenied("Only the manager, or the person for their own actions, can tick this off.")
    action.done = done
    action.done_on = today_for(actor) if done else None
    action.save(update_fields=["done", "done_on"])
    event_record(actor=actor, verb="completed" if done else "reopened", obj=action)
    return action


@transaction.atomic
def action_delete(*, action: AgreedAction, actor: Any) -> None:
    _writer(action.check_in, actor)
    event_record(actor=actor, verb="deleted", obj=action)
    action.delete()


def action_reminders_send_due(*, today: dt.date | None = None) -> list[int]:
    """Email the owner of each open agreed action due tomorrow: the manager for theirs, the person for theirs only
    when the check-in is shared with them (a private check-in never reaches the person, not even as a reminder).
    Each action is claimed with one conditional UPDATE before sending, so runs may repeat or overlap safely."""
    today = today or timezone.now().date()
    tomorrow = today + dt.timedelta(days=1)
    reachable = Q(owner=ActionOwner.MANAGER) | Q(owner=ActionOwner.REPORT, check_in__shared_with_report=True)
    due = (AgreedAction.objects.filter(reachable, done=False, due_on=tomorrow, reminded_on__isnull=True)
           .select_related("check_in", "check_in__manager", "check_in__report"))
    sent: list[int] = []
    site = settings.SITE_URL.rstrip("/")
    for action in due:
        if not AgreedAction.objects.filter(pk=action.pk, reminded_on__isnull=True).update(reminded_on=today):
            continue
        check_in = action.check_in
        person = check_in.manager if action.owner == ActionOwner.MANAGER else check_in.report
        if not person.is_active or not person.email:
            continue
        try:
            send_mail(subject=f"Due tomorrow: {action.text}",
                      message=(f"Hello {person.display_name},\n\nThe action you agreed in the check-in of "
                               f"{check_in.held_on:%-d %B %Y}, “{action.text}”, is due tomorrow.\n\n"
                               f"{site}/development/check-ins/{check_in.pk}/\n\n— Learnflow"),
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[person.email])
        except Exception:  # noqa: BLE001 - release the claim so that the next run tries again
            log.exception("agreed action reminder %s could not be sent", action.pk)
            AgreedAction.objects.filter(pk=action.pk).update(reminded_on=None)
            continue
        sent.append(action.pk)
    return sent


# --- stretch assignments

@transaction.atomic
def stretch_propose(*, manager: Any, person: Any, title: str, starts_on: dt.date, ends_on: dt.date,
                    description: str = "", goal_id: int | None = None, skill: str = "") -> StretchAssignment:
    from learnflow.development.selectors import goals_for_stretch

    if not is_manager_of(manager, person):
        raise PermissionDenied("Only a person's manager can propose a stretch assignment to them.")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Say what the assignment is."})
    _check_sane(starts_on, "starts_on")
    _check_sane(ends_on, "ends_on")
    _check_order(starts_on, ends_on, "ends_on", "end date")
    goal = None
    if goal_id is not None:
        goal = goals_for_stretch(viewer=manager, person=person).filter(pk=goal_id).first()
        if goal is None:
            raise ValidationError({"goal": f"Choose one of {person.display_name}'s goals that is shared with you."})
    skill_name = " ".join((skill or "").split())
    if goal is None and not skill_name:
        raise ValidationError({"goal": "Say which goal or skill this assignment serves."})
    skill_row = skill_get_or_create_many(names=[skill_name])[0] if skill_name else None
    assignment = StretchAssignment(manager=manager, person=person, title=title, description=description or "",
                                   goal=goal, skill=skill_row, starts_on=starts_on, ends_on=ends_on)
    assignment.full_clean()
    assignment.save()
    event_record(actor=manager, verb="proposed", obj=assignment, data={"person": person.username})
    return assignment


@transaction.atomic
def stretch_respond(*, assignment: StretchAssignment, actor: Any, accept: bool, note: str = "") -> StretchAssignment:
    if assignment.person_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the person it was proposed to can accept or decline it.")
    if assignment.status != StretchStatus.PROPOSED:
        raise ValidationError({"status": f"This assignment is already {assignment.get_status_display().lower()}."})
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": "Say why you decline, so your manager can suggest something that fits."})
    assignment.status = StretchStatus.ACCEPTED if accept else StretchStatus.DECLINED
    assignment.response_note = note
    assignment.responded_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    event_record(actor=actor, verb="accepted" if accept else "declined", obj=assignment)
    return assignment


@transaction.atomic
def stretch_withdraw(*, assignment: StretchAssignment, actor: Any) -> StretchAssignment:
    if assignment.manager_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the manager who proposed it can withdraw it.")
    if assignment.status not in (StretchStatus.PROPOSED, StretchStatus.ACCEPTED):
        raise ValidationError({"status": f"This assignment is already {assignment.get_status_display().lower()}."})
    assignment.status = StretchStatus.WITHDRAWN
    assignment.save(update_fields=["status"])
    event_record(actor=actor, verb="withdrew", obj=assignment)
    return assignment


def _party(assignment: StretchAssignment, actor: Any) -> str:
    pk = getattr(actor, "pk", None)
    if pk == assignment.manager_id:
        return "manager"
    if pk == assignment.person_id:
        return "person"
    raise PermissionDenied("Only the manager and the person can do this.")


@transaction.atomic
def stretch_complete(*, assignment: StretchAssignment, actor: Any) -> StretchAssignment:
    _party(assignment, actor)
    if assignment.status != StretchStatus.ACCEPTED:
        raise ValidationError({"status": "Only an accepted assignment can be marked done."})
    assignment.status = StretchStatus.DONE
    assignment.done_at = timezone.now()
    assignment.save(update_fields=["status", "done_at"])
    event_record(actor=actor, verb="completed", obj=assignment)
    return assignment


@transaction.atomic
def stretch_reflect(*, assignment: StretchAssignment, actor: Any, text: str,
                    share_now: bool = False) -> StretchAssignment:
    side = _party(assignment, actor)
    if assignment.status != StretchStatus.DONE:
        raise ValidationError({"text": "Reflect once the assignment is marked done."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write your reflection first."})
    setattr(assignment, f"{side}_reflection", text)
    setattr(assignment, f"{side}_reflected_at", timezone.now())
    # Sharing early cannot be taken back once the other has read it, so it only ever switches on.
    setattr(assignment, f"{side}_reflection_shared", share_now or getattr(assignment, f"{side}_reflection_shared"))
    assignment.full_clean()
    assignment.save()
    event_record(actor=actor, verb="reflected", obj=assignment, data={"side": side})
    return assignment


# --- team objectives and indicators

def _lead(actor: Any, team_id: int | None) -> None:
    if not can_lead_team(actor, team_id):
        raise PermissionDenied("Only a manager of the team can set its objectives and indicators.")


@transaction.atomic
def objective_create(*, actor: Any, title: str, starts_on: dt.date, ends_on: dt.date,
                     description: str = "") -> TeamObjective:
    _lead(actor, getattr(actor, "team_id", None))
    _check_sane(starts_on, "starts_on")
    _check_sane(ends_on, "ends_on")
    _check_order(starts_on, ends_on, "ends_on", "end of the period")
    objective = TeamObjective(team_id=actor.team_id, set_by=actor, title=" ".join((title or "").split()),
                              description=description or "", starts_on=starts_on, ends_on=ends_on)
    objective.full_clean()
    objective.save()
    event_record(actor=actor, verb="created", obj=objective)
    return objective


@transaction.atomic
def objective_update(*, objective: TeamObjective, actor: Any, title: str, starts_on: dt.date, ends_on: dt.date,
                     description: str = "") -> TeamObjective:
    _lead(actor, objective.team_id)
    _check_sane(starts_on, "starts_on")
    _check_sane(ends_on, "ends_on")
    _check_order(starts_on, ends_on, "ends_on", "end of the period")
    objective.title = " ".join((title or "").split())
    objective.description, objective.starts_on, objective.ends_on = description or "", starts_on, ends_on
    objective.full_clean()
    objective.save()
    event_record(actor=actor, verb="updated", obj=objective)
    return objective


@transaction.atomic
def objective_delete(*, objective: TeamObjective, actor: Any) -> None:
    _lead(actor, objective.team_id)
    event_record(actor=actor, verb="deleted", obj=objective)
    objective.delete()


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter a number, e.g. 42 or 3.5."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({field: "Enter a number below a trillion."})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def indicator_create(*, objective: TeamObjective, actor: Any, name: str, target: Any, unit: str = "",
                     direction: str = Direction.UP) -> Indicator:
    _lead(actor, objective.team_id)
    name = " ".join((name or "").split())
    if objective.indicators.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"This objective already has an indicator called “{name}”."})
    if objective.indicators.count() >= MAX_INDICATORS:
        raise ValidationError({"name": f"At most {MAX_INDICATORS} indicators per objective."})
    if direction not in Direction.values:
        raise ValidationError({"direction": f"Choose one of: {', '.join(Direction.values)}."})
    indicator = Indicator(objective=objective, name=name, unit=(unit or "").strip(),
                          target=_decimal(target, "target"), direction=direction)
    indicator.full_clean()
    indicator.save()
    event_record(actor=actor, verb="created", obj=indicator)
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor: Any) -> None:
    _lead(actor, indicator.objective.team_id)
    event_record(actor=actor, verb="deleted", obj=indicator)
    indicator.delete()


@transaction.atomic
def indicator_value_record(*, indicator: Indicator, actor: Any, measured_on: dt.date, value: Any) -> IndicatorValue:
    _lead(actor, indicator.objective.team_id)
    _check_sane(measured_on, "measured_on")
    if measured_on > today_for(actor):
        raise ValidationError({"measured_on": "A value cannot be recorded for a day in the future."})
    number = _decimal(value, "value")
    row, created = IndicatorValue.objects.update_or_create(
        indicator=indicator, measured_on=measured_on, defaults={"value": number, "recorded_by": actor})
    event_record(actor=actor, verb="recorded" if created else "updated", obj=row,
                 data={"indicator": str(indicator.pk), "measured_on": measured_on.isoformat(), "value": str(number)})
    return row


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue, actor: Any) -> None:
    _lead(actor, value.indicator.objective.team_id)
    event_record(actor=actor, verb="deleted", obj=value)
    value.delete()
