"""Every write to goals, steps, evidence and endorsements. Keyword-only, one transaction each, checks before writes,
an event for the audit/xAPI trail in the same transaction.

Date rules (decided here, tested in tests/test_services.py):
- a goal's target date may not be before today (the owner's today) when it is set or changed; an unchanged past
  target date does not block editing the rest of an overdue goal;
- a step's due date may not be after its goal's target date, and a goal's target date may not move before a step
  that is due later (the message names the step);
- a step's due date, when set or changed, may not be before today either.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from learnflow.core.models import Skill
from learnflow.core.services import event_record, skill_get_or_create_many
from learnflow.core.visibility import Visibility
from learnflow.goals.models import (
    EndorsementRequest, EndorsementStatus, Evidence, EvidenceKind, EvidenceSkill, FrameworkLevel, Goal,
    GoalSkill, GoalStatus, Step,
)
# The journal's upload rules (allowed types, size limit, content sniffing) apply to goal evidence as they are.
from learnflow.journal.services import _check_upload as upload_check
from learnflow.journal.services import today_for

log = logging.getLogger(__name__)

MAX_STEPS = 50
MAX_EVIDENCE = 100
MAX_SKILLS = 20
MAX_OPEN_REQUESTS_PER_PERSON = 100


@dataclass(frozen=True)
class SkillPick:
    """A skill by name, with the framework level aimed for (goals) or shown (evidence)."""

    name: str
    level: int | None = None


# --- helpers

def _own(goal: Goal, actor: Any) -> None:
    if goal.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the goal's owner can change it.")


def _check_choice(value: str, choices: Sequence[str], field: str, what: str) -> None:
    if value not in choices:
        raise ValidationError({field: f"“{value}” is not a {what}; choose one of: {', '.join(choices)}."})


def _check_future(owner: Any, day: dt.date, field: str, what: str) -> None:
    today = today_for(owner)
    if day < today:
        raise ValidationError({field: f"The {what} cannot be before today ({today.isoformat()})."})


def _check_steps_fit(goal: Goal, target: dt.date) -> None:
    late = goal.steps.filter(due_date__gt=target).order_by("due_date").first() if goal.pk else None
    if late is not None:
        raise ValidationError({"target_date": f"Step “{late.title}” is due on {late.due_date.isoformat()}, after "
                                              f"this target date: move the step first or choose a later date."})


def _level_allowed(skill: Skill, level: int) -> bool:
    return FrameworkLevel.objects.filter(
        rank=level, framework__framework_skills__skill=skill).exists()


def _resolve_skills(picks: Sequence[SkillPick], field: str = "skills") -> list[tuple[Skill, int | None]]:
    if len(picks) > MAX_SKILLS:
        raise ValidationError({field: f"At most {MAX_SKILLS} skills."})
    names = [p.name for p in picks]
    skills = skill_get_or_create_many(names=names)
    by_name = {s.name.lower(): s for s in skills}
    resolved: dict[int, tuple[Skill, int | None]] = {}
    for pick in picks:
        skill = by_name.get(Skill.normalise(pick.name).lower())
        if skill is None:
            continue
        if pick.level is not None and not _level_allowed(skill, pick.level):
            raise ValidationError({field: f"Level {pick.level} is not a level of “{skill.name}” in any skills "
                                          f"framework."})
        resolved[skill.pk] = (skill, pick.level)
    return list(resolved.values())


def _check_visibility(visibility: str) -> None:
    _check_choice(visibility, Visibility.values, "visibility", "visibility")


# --- goals

def _check_objective(owner: Any, team_objective_id: int | None) -> Any:
    if not team_objective_id:
        return None
    from learnflow.development.selectors import objectives_to_align

    objective = objectives_to_align(viewer=owner).filter(pk=team_objective_id).first()
    if objective is None:
        raise ValidationError({"team_objective": "Choose one of your team's current objectives."})
    return objective


@transaction.atomic
def goal_create(*, owner: Any, title: str, target_date: dt.date, why: str = "", success: str = "",
                visibility: str = Visibility.PRIVATE, skills: Sequence[SkillPick] = (),
                team_objective_id: int | None = None) -> Goal:
    _check_visibility(visibility)
    objective = _check_objective(owner, team_objective_id)
    if target_date is None:
        raise ValidationError({"target_date": "Choose a target date."})
    _check_future(owner, target_date, "target_date", "target date")
    goal = Goal(owner=owner, title=(title or "").strip(), why=(why or "").strip(), success=(success or "").strip(),
                target_date=target_date, visibility=visibility, team_objective=objective)
    goal.full_clean(exclude=["uid"])
    resolved = _resolve_skills(skills)
    goal.save()
    GoalSkill.objects.bulk_create([GoalSkill(goal=goal, skill=s, level=lvl) for s, lvl in resolved])
    event_record(actor=owner, verb="set", obj=goal)
    if visibility != Visibility.PRIVATE:
        event_record(actor=owner, verb="shared", obj=goal, data={"visibility": visibility})
    transaction.on_commit(_nudges_kick)
    return goal


def _nudges_kick() -> None:
    from learnflow.account.tasks import weekly_goal_nudges_kick

    weekly_goal_nudges_kick()  # never raises: a queue that is down must not fail setting a goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: Any, title: str | None = None, why: str | None = None,
                success: str | None = None, target_date: dt.date | None = None, status: str | None = None,
                visibility: str | None = None, skills: Sequence[SkillPick] | None = None,
                team_objective_id: int | None | type[Ellipsis] = ...) -> Goal:
    _own(goal, actor)
    if team_objective_id is not ...:
        goal.team_objective = _check_objective(actor, team_objective_id)
    old_status, old_visibility = goal.status, goal.visibility
    if title is not None:
        goal.title = title.strip()
    if why is not None:
        goal.why = why.strip()
    if success is not None:
        goal.success = success.strip()
    if target_date is not None and target_date != goal.target_date:
        _check_future(actor, target_date, "target_date", "target date")
        _check_steps_fit(goal, target_date)
        goal.target_date = target_date
    if status is not None:
        _check_choice(status, GoalStatus.values, "status", "goal status")
        goal.status = status
        if status == GoalStatus.ACHIEVED and old_status != GoalStatus.ACHIEVED:
            goal.achieved_on = today_for(actor)
        elif status != GoalStatus.ACHIEVED:
            goal.achieved_on = None
    if visibility is not None:
        _check_visibility(visibility)
        goal.visibility = visibility
    goal.full_clean(exclude=["uid"])
    resolved = _resolve_skills(skills) if skills is not None else None
    goal.save()
    if resolved is not None:
        goal.goal_skills.all().delete()
        GoalSkill.objects.bulk_create([GoalSkill(goal=goal, skill=s, level=lvl) for s, lvl in resolved])
    event_record(actor=actor, verb="updated", obj=goal)
    if goal.status != old_status:
        verb = {GoalStatus.ACHIEVED: "achieved", GoalStatus.DROPPED: "dropped"}.get(goal.status, "reopened")
        event_record(actor=actor, verb=verb, obj=goal)
    if goal.visibility != old_visibility and goal.visibility != Visibility.PRIVATE:
        event_record(actor=actor, verb="shared", obj=goal, data={"visibility": goal.visibility})
    return goal


def goal_share(*, goal: Goal, actor: Any, visibility: str) -> Goal:
    """Share (or un-share) a goal. Reads are computed at query time: back to private hides it everywhere at once."""
    return goal_update(goal=goal, actor=actor, visibility=visibility)


@transaction.atomic
def goal_delete(*, goal: Goal, actor: Any) -> None:
    _own(goal, actor)
    files = [e.file for e in goal.evidence.all() if e.file]
    event_record(actor=actor, verb="deleted", obj=goal)
    goal.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


# --- steps

def _check_step_due(goal: Goal, actor: Any, due_date: dt.date | None) -> None:
    if due_date is None:
        return
    _check_future(actor, due_date, "due_date", "due date")
    if due_date > goal.target_date:
        raise ValidationError({"due_date": f"A step cannot be due after its goal's target date "
                                           f"({goal.target_date.isoformat()})."})


@transaction.atomic
def step_add(*, goal: Goal, actor: Any, title: str, due_date: dt.date | None = None) -> Step:
    _own(goal, actor)
    Goal.objects.select_for_update().filter(pk=goal.pk).first()  # positions are handed out one at a time
    if goal.steps.count() >= MAX_STEPS:
        raise ValidationError({"title": f"A goal can have at most {MAX_STEPS} steps."})
    _check_step_due(goal, actor, due_date)
    last = goal.steps.aggregate(m=Max("position"))["m"]
    step = Step(goal=goal, title=(title or "").strip(), due_date=due_date, position=0 if last is None else last + 1)
    step.full_clean()
    step.save()
    event_record(actor=actor, verb="planned", obj=step, data={"goal": str(goal.uid)})
    return step


@transaction.atomic
def step_update(*, step: Step, actor: Any, title: str | None = None, due_date: dt.date | None | type[Ellipsis] = ...,
                done: bool | None = None) -> Step:
    goal = step.goal
    _own(goal, actor)
    was_done = step.done
    if title is not None:
        step.title = title.strip()
    if due_date is not ... and due_date != step.due_date:
        _check_step_due(goal, actor, due_date)
        step.due_date = due_date
    if done is not None:
        step.done = done
        step.done_on = today_for(actor) if done else None
    step.full_clean()
    step.save()
    if step.done and not was_done:
        event_record(actor=actor, verb="completed", obj=step, data={"goal": str(goal.uid)})
    return step


@transaction.atomic
def step_move(*, step: Step, actor: Any, offset: int) -> None:
    """Move a step up (offset -1) or down (+1) among its goal's steps."""
    _own(step.goal, actor)
    steps = list(step.goal.steps.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = max(0, min(len(steps) - 1, index + offset))
    steps.insert(target, steps.pop(index))
    for position, s in enumerate(steps):
        if s.position != position:
            Step.objects.filter(pk=s.pk).update(position=position)


@transaction.atomic
def step_delete(*, step: Step, actor: Any) -> None:
    _own(step.goal, actor)
    event_record(actor=actor, verb="removed", obj=step, data={"goal": str(step.goal.uid)})
    step.delete()


# --- evidence

def _check_entry(owner: Any, entry: Any) -> None:
    # Evidence must be something the goal's owner may see; in practice their own entry, since a goal is evidence of
    # the owner's own work and someone else's shared entry could later be un-shared under it.
    if entry is None or entry.author_id != owner.pk:
        raise ValidationError({"entry": "This journal entry is not yours: evidence must be something you may see "
                                        "and own. Choose one of your own entries."})


def _check_statement(owner: Any, statement: Any) -> None:
    if statement is None or statement.person_id != owner.pk or statement.voided or statement.is_voiding:
        raise ValidationError({"statement": "This recorded activity is not yours: evidence must be activity "
                                            "recorded about you."})


def _check_resource(owner: Any, resource: Any) -> None:
    from learnflow.library.selectors import resources_visible_to

    if resource is None or not resources_visible_to(viewer=owner).filter(pk=resource.pk).exists():
        raise ValidationError({"resource": "This library resource is not one you may see: choose a published "
                                           "resource, or one of your own drafts."})


EVIDENCE_KINDS: dict[str, Callable[..., None]] = {
    EvidenceKind.ENTRY: lambda owner, evidence: _check_entry(owner, evidence.entry),
    EvidenceKind.RESOURCE: lambda owner, evidence: _check_resource(owner, evidence.resource),
    EvidenceKind.ACTIVITY: lambda owner, evidence: _check_statement(owner, evidence.statement),
    EvidenceKind.FILE: lambda owner, evidence: None,  # checked by upload_check before the file is written
    EvidenceKind.LINK: lambda owner, evidence: None,  # checked by _clean_url
}


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": f"“{url[:80]}” is not a web address (http:// or https://)."}) from None
    return url


def _check_step(goal: Goal, step: Step | None) -> None:
    if step is not None and step.goal_id != goal.pk:
        raise ValidationError({"step": "That step belongs to another goal."})


def _evidence_save(evidence: Evidence, actor: Any, skills: Sequence[SkillPick]) -> Evidence:
    goal = evidence.goal
    _own(goal, actor)
    _check_step(goal, evidence.step)
    if Evidence.objects.filter(goal=goal).count() >= MAX_EVIDENCE:
        raise ValidationError({"kind": f"A goal can have at most {MAX_EVIDENCE} pieces of evidence."})
    evidence.owner = goal.owner
    EVIDENCE_KINDS[evidence.kind](goal.owner, evidence)
    evidence.title = (evidence.title or "").strip()[:200]
    evidence.note = (evidence.note or "").strip()
    resolved = _resolve_skills(skills)
    evidence.full_clean(exclude=["file"] if evidence.kind != EvidenceKind.FILE else None,
                        validate_constraints=False)
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        raise ValidationError({"kind": "This is already evidence for this goal."}) from None
    EvidenceSkill.objects.bulk_create([EvidenceSkill(evidence=evidence, skill=s, level=lvl) for s, lvl in resolved])
    event_record(actor=actor, verb="evidenced", obj=goal,
                 data={"kind": evidence.kind, "evidence": str(evidence.pk)})
    return evidence


@transaction.atomic
def goal_evidence_add_entry(*, owner: Any, goal: Goal, entry: Any, step: Step | None = None, note: str = "",
                            skills: Sequence[SkillPick] = ()) -> Evidence:
    """Link one of the owner's journal entries to a goal (from the goal page or the journal's capture form)."""
    _own(goal, owner)
    _check_entry(owner, entry)
    if Evidence.objects.filter(goal=goal, entry=entry).exists():
        raise ValidationError({"entry": "This entry is already evidence for this goal."})
    return _evidence_save(Evidence(goal=goal, step=step, kind=EvidenceKind.ENTRY, entry=entry, note=note),
                          owner, skills)


@transaction.atomic
def goal_evidence_add_activity(*, owner: Any, goal: Goal, statement: Any, step: Step | None = None,
                               note: str = "", skills: Sequence[SkillPick] = ()) -> Evidence:
    _own(goal, owner)
    _check_statement(owner, statement)
    if Evidence.objects.filter(goal=goal, statement=statement).exists():
        raise ValidationError({"statement": "This activity is already evidence for this goal."})
    return _evidence_save(Evidence(goal=goal, step=step, kind=EvidenceKind.ACTIVITY, statement=statement,
                                   note=note), owner, skills)


@transaction.atomic
def goal_evidence_add_resource(*, owner: Any, goal: Goal, resource: Any, step: Step | None = None, note: str = "",
                               skills: Sequence[SkillPick] = ()) -> Evidence:
    """Link a library resource the owner learned from (one they may see) to a goal."""
    _own(goal, owner)
    _check_resource(owner, resource)
    if Evidence.objects.filter(goal=goal, resource=resource).exists():
        raise ValidationError({"resource": "This resource is already evidence for this goal."})
    return _evidence_save(Evidence(goal=goal, step=step, kind=EvidenceKind.RESOURCE, resource=resource, note=note),
                          owner, skills)


@transaction.atomic
def goal_evidence_add_link(*, owner: Any, goal: Goal, url: str, title: str = "", step: Step | None = None,
                           note: str = "", skills: Sequence[SkillPick] = ()) -> Evidence:
    clean = _clean_url(url)
    if len(clean) > 2000:
        raise ValidationError({"url": "A link is limited to 2,000 characters."})
    return _evidence_save(Evidence(goal=goal, step=step, kind=EvidenceKind.LINK, url=clean, title=title,
                                   note=note), owner, skills)


@transaction.atomic
def goal_evidence_add_file(*, owner: Any, goal: Goal, upload: UploadedFile, title: str = "",
                           step: Step | None = None, note: str = "", skills: Sequence[SkillPick] = ()) -> Evidence:
    _own(goal, owner)
    name, content_type = upload_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(goal=goal, step=step, owner=goal.owner, kind=EvidenceKind.FILE, original_name=name,
                        content_type=content_type, size=upload.size, sha256=digest.hexdigest(), title=title,
                        note=note)
    evidence.file.save(name, upload, save=False)
    stored = evidence.file.name
    try:
        return _evidence_save(evidence, owner, skills)
    except Exception:
        evidence.file.storage.delete(stored)
        raise


@transaction.atomic
def goal_evidence_remove(*, evidence: Evidence, actor: Any) -> None:
    _own(evidence.goal, actor)
    file = evidence.file if evidence.file else None
    event_record(actor=actor, verb="unevidenced", obj=evidence.goal,
                 data={"kind": evidence.kind, "evidence": str(evidence.pk)})
    evidence.delete()
    if file is not None:
        transaction.on_commit(lambda: file.storage.delete(file.name))


# --- endorsement

def _check_endorser(requester: Any, endorser: Any) -> None:
    if endorser is None or not endorser.is_active:
        raise ValidationError({"endorser": "Choose an active colleague or your manager."})
    if endorser.pk == requester.pk:
        raise ValidationError({"endorser": "You cannot endorse your own evidence: ask a colleague or your manager."})


@transaction.atomic
def endorsement_request(*, requester: Any, endorser: Any, evidence: Evidence | None = None,
                        skill: str | None = None, level: int | None = None, message: str = "",
                        remind_after_days: int = 7) -> EndorsementRequest:
    """Ask `endorser` to confirm one piece of the requester's evidence, or a skill at a level."""
    _check_endorser(requester, endorser)
    if evidence is None and not (skill or "").strip():
        raise ValidationError({"evidence": "Choose a piece of evidence or a skill to be confirmed."})
    if evidence is not None and evidence.owner_id != requester.pk:
        raise PermissionDenied("You can only ask for endorsement of your own evidence.")
    if not 1 <= int(remind_after_days) <= 90:
        raise ValidationError({"remind_after_days": "Remind after between 1 and 90 days."})
    skill_obj = None
    if (skill or "").strip():
        resolved = _resolve_skills([SkillPick(name=skill, level=level)], field="skill")
        if not resolved:
            raise ValidationError({"skill": "Name a skill."})
        skill_obj, level = resolved[0]
    open_requests = EndorsementRequest.objects.filter(requester=requester, endorser=endorser,
                                                      status=EndorsementStatus.OPEN)
    if evidence is not None and open_requests.filter(evidence=evidence).exists():
        raise ValidationError({"endorser": f"{endorser.display_name} already has an open request for this "
                                           f"evidence."})
    if evidence is None and open_requests.filter(evidence__isnull=True, skill=skill_obj).exists():
        raise ValidationError({"endorser": f"{endorser.display_name} already has an open request for this skill."})
    if EndorsementRequest.objects.filter(requester=requester, status=EndorsementStatus.OPEN).count() \
            >= MAX_OPEN_REQUESTS_PER_PERSON:
        raise ValidationError({"endorser": "You have too many open requests: withdraw some first."})
    request = EndorsementRequest(requester=requester, endorser=endorser, evidence=evidence, skill=skill_obj,
                                 level=level, message=(message or "").strip(), remind_after_days=remind_after_days)
    request.full_clean()
    request.save()
    event_record(actor=requester, verb="asked", obj=request, data={"endorser": endorser.username})
    transaction.on_commit(_reminders_kick)
    return request


def _reminders_kick() -> None:
    from learnflow.goals.tasks import endorsement_reminders_kick

    try:
        endorsement_reminders_kick()
    except Exception:  # noqa: BLE001 - a queue that is down must not fail the request that was just made
        log.exception("could not queue endorsement reminders")


def _answerable(request: EndorsementRequest, actor: Any) -> None:
    if request.endorser_id != actor.pk:
        raise PermissionDenied("This request is not addressed to you.")
    owns_evidence = request.evidence is not None and request.evidence.owner_id == actor.pk
    if owns_evidence or request.requester_id == actor.pk:
        raise PermissionDenied("You cannot endorse your own evidence.")
    if not request.is_open:
        raise ValidationError({"status": f"This request is already {request.get_status_display().lower()}."})


def _locked(request: EndorsementRequest) -> EndorsementRequest:
    # Two answers at once must not both pass the "still open" check; only the request row is locked (the evidence is
    # on the nullable side of a join, which PostgreSQL will not lock).
    return (EndorsementRequest.objects.select_for_update(of=("self",)).select_related("evidence")
            .get(pk=request.pk))


@transaction.atomic
def endorsement_confirm(*, request: EndorsementRequest, actor: Any, comment: str = "") -> EndorsementRequest:
    request = _locked(request)
    _answerable(request, actor)
    request.status, request.comment, request.answered_at = EndorsementStatus.CONFIRMED, comment.strip(), \
        timezone.now()
    request.full_clean()
    request.save()
    obj = request.evidence.goal if request.evidence is not None else request
    event_record(actor=actor, verb="endorsed", obj=obj,
                 data={"request": str(request.pk), "requester": request.requester.username})
    return request


@transaction.atomic
def endorsement_decline(*, request: EndorsementRequest, actor: Any, comment: str = "") -> EndorsementRequest:
    request = _locked(request)
    _answerable(request, actor)
    request.status, request.comment, request.answered_at = EndorsementStatus.DECLINED, comment.strip(), \
        timezone.now()
    request.full_clean()
    request.save()
    event_record(actor=actor, verb="declined", obj=request)
    return request


@transaction.atomic
def endorsement_withdraw(*, request: EndorsementRequest, actor: Any) -> EndorsementRequest:
    if request.requester_id != actor.pk:
        raise PermissionDenied("Only the person who asked can withdraw a request.")
    if not request.is_open:
        raise ValidationError({"status": f"This request is already {request.get_status_display().lower()}."})
    request.status, request.answered_at = EndorsementStatus.WITHDRAWN, timezone.now()
    request.save(update_fields=["status", "answered_at"])
    event_record(actor=actor, verb="withdrew", obj=request)
    return request


def endorsements_overdue(*, now: dt.datetime) -> models.QuerySet[EndorsementRequest]:
    """Open requests older than their reminder interval whose last reminder (if any) is that interval old."""
    today = now.date()
    candidates = EndorsementRequest.objects.filter(status=EndorsementStatus.OPEN, endorser__is_active=True,
                                                   created_at__lte=now - dt.timedelta(days=1))
    due = []
    for pk, created_at, days, reminded_on in candidates.values_list("pk", "created_at", "remind_after_days",
                                                                    "reminded_on"):
        interval = dt.timedelta(days=days)
        if now - created_at < interval:
            continue
        if reminded_on is not None and today - reminded_on < interval:
            continue
        due.append(pk)
    return EndorsementRequest.objects.filter(pk__in=due).select_related("requester", "endorser", "evidence",
                                                                        "skill")


def endorsement_reminders_send_due(*, now: dt.datetime | None = None) -> list[int]:
    """Remind endorsers of overdue open requests: an email (with the configured backend) and the in-app counter.
    Idempotent per day: a request is claimed for today with one conditional UPDATE before anything is sent, so a
    second run on the same day (or two workers at once) sends nothing more."""
    now = now or timezone.now()
    today = now.date()
    sent: list[int] = []
    for request in endorsements_overdue(now=now):
        claimed = (EndorsementRequest.objects.filter(pk=request.pk, status=EndorsementStatus.OPEN)
                   .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                   .update(reminded_on=today, reminder_count=models.F("reminder_count") + 1))
        if not claimed:
            continue
        if request.endorser.email:
            try:
                send_mail(
                    subject=f"Reminder: {request.requester.display_name} asked you to confirm something",
                    message=_reminder_text(request, now),
                    from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[request.endorser.email],
                )
            except Exception:  # noqa: BLE001 - the next run must try again, not skip this request for good
                log.exception("endorsement reminder %s could not be sent", request.pk)
                EndorsementRequest.objects.filter(pk=request.pk).update(
                    reminded_on=request.reminded_on, reminder_count=request.reminder_count)
                continue
        sent.append(request.pk)
    return sent


def _reminder_text(request: EndorsementRequest, now: dt.datetime) -> str:
    days = (now - request.created_at).days
    what = (f"a piece of evidence (“{request.evidence.label}”)" if request.evidence_id
            else f"the skill “{request.skill.name}”" + (f" at level {request.level}" if request.level else ""))
    site = settings.SITE_URL.rstrip("/")
    return (f"Hello {request.endorser.display_name},\n\n{request.requester.display_name} asked you {days} days ago "
            f"to confirm {what}.\n\nConfirm or decline it here: {site}/goals/requests/\n\n— Learnflow")
