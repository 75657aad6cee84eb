from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.goals import framework as framework_io
from learnflow.goals import selectors, services
from learnflow.goals.forms import (
    AnswerForm, EndorsementRequestForm, EvidenceForm, FrameworkImportForm, GoalEditForm, GoalForm, ShareForm,
    SkillEndorsementForm, StepForm, skill_picks_text,
)
from learnflow.goals.models import Goal, GoalStatus
from learnflow.journal.services import today_for


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _errors_text(form) -> str:
    return "; ".join(e for errs in form.errors.values() for e in errs)


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.goal_list(viewer=request.user, scope="mine"))
    shared = list(selectors.goal_list(viewer=request.user, scope="shared", status=GoalStatus.ACTIVE)[:50])
    return render(request, "goals/goal_list.html", {
        "active": [g for g in mine if g.status == GoalStatus.ACTIVE],
        "closed": [g for g in mine if g.status != GoalStatus.ACTIVE],
        "shared": shared, "open_requests": selectors.endorsement_open_count(viewer=request.user),
    })


@login_required
def goal_new(request: HttpRequest) -> HttpResponse:
    form = GoalForm(request.POST or None, initial={"target_date": None}, owner=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                goal = services.goal_create(owner=request.user, title=d["title"], why=d["why"],
                                            success=d["success"], target_date=d["target_date"],
                                            visibility=d["visibility"], skills=d["skills"],
                                            team_objective_id=d.get("team_objective"))
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Goal set. Break it into steps and attach evidence as you go.")
                return redirect("goals:detail", goal.pk)
        return render(request, "goals/goal_form.html", {"form": form, "creating": True}, status=400)
    return render(request, "goals/goal_form.html", {"form": form, "creating": True,
                                                    "today": today_for(request.user)})


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        form = GoalEditForm(request.POST, owner=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.goal_update(goal=goal, actor=request.user, title=d["title"], why=d["why"],
                                     success=d["success"], target_date=d["target_date"], status=d["status"],
                                     visibility=d["visibility"], skills=d["skills"],
                                     team_objective_id=d.get("team_objective"))
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("goals:detail", goal.pk)
        return render(request, "goals/goal_form.html", {"form": form, "goal": goal}, status=400)
    form = GoalEditForm(initial={"title": goal.title, "why": goal.why, "success": goal.success,
                                 "target_date": goal.target_date, "status": goal.status,
                                 "visibility": goal.visibility, "skills": skill_picks_text(goal.goal_skills.all()),
                                 "team_objective": goal.team_objective_id}, owner=request.user)
    return render(request, "goals/goal_form.html", {"form": form, "goal": goal})


def _detail_context(request: HttpRequest, goal: Goal, **extra) -> dict:
    is_owner = goal.owner_id == request.user.pk
    evidence = selectors.goal_evidence(viewer=request.user, goal=goal)
    context = {"goal": goal, "is_owner": is_owner, "evidence": evidence,
               "progress": selectors.goal_progress(goal), "steps": list(goal.steps.all())}
    if is_owner:
        endorsed = selectors.endorsements_confirmed_for(viewer=request.user, evidence_ids=[e.pk for e in evidence])
        for e in evidence:
            e.confirmed = endorsed.get(e.pk, [])
        people = selectors.people_to_ask(viewer=request.user)
        context.update(
            share_form=extra.pop("share_form", None) or ShareForm(initial={"visibility": goal.visibility}),
            step_form=extra.pop("step_form", None) or StepForm(),
            evidence_form=extra.pop("evidence_form", None) or EvidenceForm(
                entries=selectors.entries_to_link(viewer=request.user, goal=goal),
                activities=selectors.activity_to_link(viewer=request.user, goal=goal), steps=context["steps"]),
            ask_form=EndorsementRequestForm(people=people),
        )
    context.update(extra)
    return context


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get, viewer=request.user, pk=pk)
    return render(request, "goals/goal_detail.html", _detail_context(request, goal))


@login_required
@require_POST
def goal_share(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        goal = services.goal_share(goal=goal, actor=request.user, visibility=form.cleaned_data["visibility"])
        messages.success(request, f"Now visible to: {goal.get_visibility_display().lower()}.")
    else:
        messages.error(request, _errors_text(form))
    return redirect("goals:detail", goal.pk)


@login_required
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        services.goal_delete(goal=goal, actor=request.user)
        messages.success(request, f"Deleted “{goal.title}”.")
        return redirect("goals:list")
    return render(request, "goals/goal_confirm_delete.html", {"goal": goal})


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.step_add(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            return redirect("goals:detail", goal.pk)
    return render(request, "goals/goal_detail.html", _detail_context(request, goal, step_form=form), status=400)


@login_required
@require_POST
def step_action(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    step = _get_or_404(selectors.step_get_own, viewer=request.user, goal=goal, pk=step_pk)
    action = request.POST.get("action")
    if action == "done":
        services.step_update(step=step, actor=request.user, done=True)
    elif action == "undone":
        services.step_update(step=step, actor=request.user, done=False)
    elif action in ("up", "down"):
        services.step_move(step=step, actor=request.user, offset=-1 if action == "up" else 1)
    elif action == "delete":
        services.step_delete(step=step, actor=request.user)
    else:
        messages.error(request, "Unknown action.")
    return redirect(f"{goal_url(goal)}#steps")


def goal_url(goal: Goal) -> str:
    from django.urls import reverse

    return reverse("goals:detail", args=[goal.pk])


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get_or_404(selectors.goal_get_own, viewer=request.user, pk=pk)
    steps = list(goal.steps.all())
    form = EvidenceForm(request.POST, request.FILES, steps=steps,
                        entries=selectors.entries_to_link(viewer=request.user, goal=goal),
                        activities=selectors.activity_to_link(viewer=request.user, goal=goal))
    if form.is_valid():
        d = form.cleaned_data
        step = next((s for s in steps if s.pk == d["step"]), None)
        common = {"owner": request.user, "goal": goal, "step": step, "note": d["note"], "skills": d["skills"]}
        try:
            if d["kind"] == "entry":
                services.goal_evidence_add_entry(entry=_entry_or_none(d["entry"]), **common)
            elif d["kind"] == "activity":
                services.goal_evidence_add_activity(statement=_statement_or_none(d["statement"]), **common)
            elif d["kind"] == "link":
                services.goal_evidence_add_link(url=d["url"], title=d["title"], **common)
            elif d["kind"] == "resource":
                services.goal_evidence_add_resource(resource=selectors.resource_by_reference(d["resource"]), **common)
            else:
                services.goal_evidence_add_file(upload=d["file"], title=d["title"], **common)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Evidence attached.")
            return redirect(f"{goal_url(goal)}#evidence")
    return render(request, "goals/goal_detail.html", _detail_context(request, goal, evidence_form=form), status=400)


def _entry_or_none(pk):
    from learnflow.journal.models import Entry

    # Unrestricted on purpose: the service refuses, with a clear message, an entry that is not the goal owner's.
    return Entry.objects.unrestricted().filter(pk=pk).first() if pk else None


def _statement_or_none(statement_id):
    import uuid

    from learnflow.lrs.models import Statement

    try:
        sid = uuid.UUID(str(statement_id))
    except ValueError:
        return None
    return Statement.objects.filter(id=sid).first()


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_or_404(selectors.evidence_get_own, viewer=request.user, pk=pk)
    services.goal_evidence_remove(evidence=evidence, actor=request.user)
    messages.success(request, "Evidence removed from the goal (the entry or activity itself is untouched).")
    return redirect(f"{goal_url(evidence.goal)}#evidence")


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_or_404(selectors.evidence_file_get, viewer=request.user, pk=pk)
    inline = evidence.content_type.startswith("image/") or evidence.content_type == "application/pdf"
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type,
                            as_attachment=not inline, filename=evidence.original_name)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- endorsement

@login_required
@require_POST
def endorsement_ask(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_or_404(selectors.evidence_get_own, viewer=request.user, pk=pk)
    form = EndorsementRequestForm(request.POST, people=selectors.people_to_ask(viewer=request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            endorser = selectors.person_to_ask(viewer=request.user, pk=d["endorser"],
                                               username=d["endorser_username"])
            services.endorsement_request(requester=request.user, endorser=endorser, evidence=evidence,
                                         message=d["message"], remind_after_days=d["remind_after_days"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Asked {endorser.display_name} to confirm it.")
    else:
        messages.error(request, _errors_text(form))
    return redirect(f"{goal_url(evidence.goal)}#evidence")


@login_required
def endorsement_ask_skill(request: HttpRequest) -> HttpResponse:
    people = selectors.people_to_ask(viewer=request.user)
    form = SkillEndorsementForm(request.POST or None, people=people, levels=selectors.level_choices(),
                                initial={"skill": request.GET.get("skill", "")})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            endorser = selectors.person_to_ask(viewer=request.user, pk=d["endorser"],
                                               username=d["endorser_username"])
            try:
                services.endorsement_request(requester=request.user, endorser=endorser, skill=d["skill"],
                                             level=d["level"], message=d["message"],
                                             remind_after_days=d["remind_after_days"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, f"Asked {endorser.display_name} to confirm “{d['skill']}”.")
                return redirect("goals:requests")
        return render(request, "goals/endorsement_skill_form.html", {"form": form}, status=400)
    return render(request, "goals/endorsement_skill_form.html", {"form": form})


@login_required
def endorsement_requests(request: HttpRequest) -> HttpResponse:
    incoming = list(selectors.endorsement_requests_for(viewer=request.user)[:100])
    return render(request, "goals/requests.html", {
        "open": [r for r in incoming if r.is_open], "answered": [r for r in incoming if not r.is_open],
        "mine": list(selectors.endorsement_requests_by(viewer=request.user)[:100]),
    })


@login_required
def endorsement_answer(request: HttpRequest, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.endorsement_request_for_endorser, viewer=request.user, pk=pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = services.endorsement_confirm if request.POST.get("answer") == "confirm" else \
            services.endorsement_decline
        try:
            answer(request=view.request, actor=request.user, comment=form.cleaned_data["comment"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Thank you: your answer was sent.")
            return redirect("goals:requests")
    return render(request, "goals/request_detail.html", {"view": view, "r": view.request, "form": form})


@login_required
@require_POST
def endorsement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    r = _get_or_404(selectors.endorsement_request_own, viewer=request.user, pk=pk)
    try:
        services.endorsement_withdraw(request=r, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("goals:requests")


# --- skills framework

@login_required
def evidence_map(request: HttpRequest) -> HttpResponse:
    try:
        pk = int(request.GET.get("framework") or 0)
    except ValueError:
        pk = 0
    framework = selectors.framework_get(pk=pk or None)
    rows = selectors.evidence_map(viewer=request.user, framework=framework) if framework else []
    return render(request, "goals/evidence_map.html", {
        "framework": framework, "frameworks": list(selectors.frameworks()), "rows": rows,
        "levels": list(framework.levels.all()) if framework else [],
    })


@login_required
def framework_import(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lnd:
        raise PermissionDenied("Only L&D or an admin can import a skills framework.")
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > framework_io.MAX_FRAMEWORK_BYTES:
            problems = [(None, f"The file is larger than {framework_io.MAX_FRAMEWORK_BYTES // (1024 * 1024)} MB.")]
        else:
            try:
                with transaction.atomic():
                    result = framework_io.framework_import(
                        actor=request.user, data=upload.read(), filename=upload.name,
                        name=form.cleaned_data["name"], description=form.cleaned_data["description"])
            except framework_io.FrameworkFileError as exc:
                problems = exc.problems
    status = 400 if request.method == "POST" and (problems or form.errors) else 200
    return render(request, "goals/framework_import.html", {
        "form": form, "problems": problems, "result": result, "frameworks": list(selectors.frameworks()),
    }, status=status)

