"""HTML pages of manager-led development. Each view parses the request, calls one selector or service, renders.
Anything the viewer may not see is a 404, whatever their role."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors, validation_fields
from learnflow.development import selectors, services
from learnflow.development.chart import indicator_svg
from learnflow.development.forms import (
    ActionForm, ActionFormSet, CheckInForm, IndicatorForm, IndicatorValueForm, ObjectiveForm, ReflectionForm,
    RespondForm, StretchForm,
)
from learnflow.journal.services import today_for


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _message_errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(e["message"] for e in validation_fields(exc)))


# --- overview

@login_required
def overview(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    return render(request, "development/overview.html", {
        "reports": list(selectors.reports_list(viewer=viewer)),
        "shared_check_ins": list(selectors.check_ins_shared_with(viewer=viewer)[:5]),
        "open_actions": list(selectors.actions_open_for(viewer=viewer)[:20]),
        "stretch_for_me": selectors.stretch_list_for(viewer=viewer),
        "stretch_by_me": selectors.stretch_list_proposed_by(viewer=viewer),
    })


# --- a manager's page per direct report

@login_required
def report_page(request: HttpRequest, username: str) -> HttpResponse:
    page = _get_or_404(selectors.report_page, viewer=request.user, username=username)
    return render(request, "development/report.html", {"page": page, "person": page.person})


@login_required
def check_in_new(request: HttpRequest, username: str) -> HttpResponse:
    person = _get_or_404(selectors.report_get, viewer=request.user, username=username)
    if request.method == "POST":
        form, actions = CheckInForm(request.POST), ActionFormSet(request.POST, prefix="actions")
        if form.is_valid() and actions.is_valid():
            rows = [services.ActionIn(text=a["text"], owner=a["owner"], due_on=a["due_on"])
                    for a in actions.cleaned_data if a and a.get("text", "").strip()]
            try:
                check_in = services.check_in_create(manager=request.user, report=person, actions=rows,
                                                    **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Check-in saved." + (f" {person.display_name} can read it."
                                                              if check_in.shared_with_report else
                                                              " It is private to you."))
                return redirect("development:check_in", check_in.pk)
        return render(request, "development/check_in_form.html",
                      {"form": form, "actions": actions, "person": person}, status=400)
    form = CheckInForm(initial={"held_on": today_for(request.user)})
    return render(request, "development/check_in_form.html",
                  {"form": form, "actions": ActionFormSet(prefix="actions"), "person": person})


# --- check-ins

@login_required
def check_ins_shared(request: HttpRequest) -> HttpResponse:
    """The person's own page: check-ins their manager shared with them."""
    return render(request, "development/check_ins_shared.html",
                  {"check_ins": list(selectors.check_ins_shared_with(viewer=request.user))})


def _check_in_context(request: HttpRequest, check_in, **extra) -> dict:
    is_writer = check_in.manager_id == request.user.pk
    context = {"check_in": check_in, "is_writer": is_writer, "actions": list(check_in.actions.all())}
    if is_writer:
        context["action_form"] = extra.pop("action_form", None) or ActionForm()
    context.update(extra)
    return context


@login_required
def check_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get_or_404(selectors.check_in_get, viewer=request.user, pk=pk)
    return render(request, "development/check_in_detail.html", _check_in_context(request, check_in))


@login_required
def check_in_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get_or_404(selectors.check_in_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                services.check_in_update(check_in=check_in, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("development:check_in", check_in.pk)
        return render(request, "development/check_in_form.html",
                      {"form": form, "person": check_in.report, "check_in": check_in}, status=400)
    form = CheckInForm(initial={"held_on": check_in.held_on, "notes": check_in.notes,
                                "shared_with_report": check_in.shared_with_report})
    return render(request, "development/check_in_form.html",
                  {"form": form, "person": check_in.report, "check_in": check_in})


@login_required
@require_POST
def check_in_share(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get_or_404(selectors.check_in_get_own, viewer=request.user, pk=pk)
    shared = request.POST.get("shared") == "1"
    services.check_in_share(check_in=check_in, actor=request.user, shared=shared)
    messages.success(request, f"{check_in.report.display_name} can now read this check-in." if shared
                     else "This check-in is private to you again.")
    return redirect("development:check_in", check_in.pk)


@login_required
def check_in_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get_or_404(selectors.check_in_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        username = check_in.report.username
        services.check_in_delete(check_in=check_in, actor=request.user)
        messages.success(request, "Check-in deleted.")
        return redirect("development:report", username)
    return render(request, "development/confirm_delete.html",
                  {"what": f"the check-in of {check_in.held_on:%-d %B %Y} with {check_in.report.display_name}",
                   "cancel_url": reverse("development:check_in", args=[check_in.pk])})


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get_or_404(selectors.check_in_get_own, viewer=request.user, pk=pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(check_in=check_in, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("development:check_in", check_in.pk)
    return render(request, "development/check_in_detail.html",
                  _check_in_context(request, check_in, action_form=form), status=400)


@login_required
@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_or_404(selectors.action_get, viewer=request.user, pk=pk)
    what = request.POST.get("action")
    try:
        if what == "delete":
            services.action_delete(action=action, actor=request.user)
        elif what in ("done", "undone"):
            services.action_set_done(action=action, actor=request.user, done=what == "done")
        else:
            messages.error(request, "Unknown action.")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("development:check_in", action.check_in_id)


# --- stretch assignments

@login_required
def stretch_new(request: HttpRequest, username: str) -> HttpResponse:
    person = _get_or_404(selectors.report_get, viewer=request.user, username=username)
    goals = list(selectors.goals_for_stretch(viewer=request.user, person=person))
    form = StretchForm(request.POST or None, goals=goals)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                assignment = services.stretch_propose(manager=request.user, person=person, title=d["title"],
                                                      description=d["description"], goal_id=d["goal"],
                                                      skill=d["skill"], starts_on=d["starts_on"],
                                                      ends_on=d["ends_on"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, f"Proposed to {person.display_name}, who can accept or decline it.")
                return redirect("development:stretch", assignment.pk)
        return render(request, "development/stretch_form.html", {"form": form, "person": person}, status=400)
    return render(request, "development/stretch_form.html", {"form": form, "person": person})


def _stretch_context(request: HttpRequest, view, **extra) -> dict:
    context = {"view": view, "a": view.assignment,
               "respond_form": extra.pop("respond_form", None) or RespondForm(),
               "reflection_form": extra.pop("reflection_form", None) or ReflectionForm(
                   initial={"text": view.my_reflection})}
    context.update(extra)
    return context


@login_required
def stretch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.stretch_get, viewer=request.user, pk=pk)
    return render(request, "development/stretch_detail.html", _stretch_context(request, view))


@login_required
@require_POST
def stretch_respond(request: HttpRequest, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.stretch_get, viewer=request.user, pk=pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        accept = request.POST.get("decision") == "accept"
        try:
            services.stretch_respond(assignment=view.assignment, actor=request.user, accept=accept,
                                     note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Accepted. Good luck!" if accept else "Declined; your note was sent.")
            return redirect("development:stretch", pk)
    view = selectors.stretch_get(viewer=request.user, pk=pk)
    return render(request, "development/stretch_detail.html", _stretch_context(request, view, respond_form=form),
                  status=400)


@login_required
@require_POST
def stretch_status(request: HttpRequest, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.stretch_get, viewer=request.user, pk=pk)
    what = request.POST.get("action")
    try:
        if what == "done":
            services.stretch_complete(assignment=view.assignment, actor=request.user)
            messages.success(request, "Marked done. Now each of you can reflect on it.")
        elif what == "withdraw":
            services.stretch_withdraw(assignment=view.assignment, actor=request.user)
            messages.success(request, "Withdrawn.")
        else:
            messages.error(request, "Unknown action.")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _message_errors(request, exc)
    return redirect("development:stretch", pk)


@login_required
@require_POST
def stretch_reflect(request: HttpRequest, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.stretch_get, viewer=request.user, pk=pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.stretch_reflect(assignment=view.assignment, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Reflection saved.")
            return redirect("development:stretch", pk)
    return render(request, "development/stretch_detail.html",
                  _stretch_context(request, view, reflection_form=form), status=400)


# --- team objectives

def _quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, following - dt.timedelta(days=1)


def _performance_rows(objective) -> list:
    rows = []
    for indicator in objective.indicators.all():
        perf = selectors.performance(indicator)
        perf.svg = indicator_svg(chart_id=f"indicator-{indicator.pk}", name=indicator.name, unit=indicator.unit,
                                 target=indicator.target, points=[(v.measured_on, v.value) for v in perf.values])
        rows.append(perf)
    return rows


@login_required
def team(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    objectives = list(selectors.objective_list(viewer=viewer))
    leads = selectors.can_lead_team(viewer, viewer.team_id)
    learning = None
    if viewer.team_id:
        start, end = _quarter(today_for(viewer))
        learning = selectors.team_learning(viewer=viewer, team_id=viewer.team_id, start=start, end=end)
    form = ObjectiveForm(request.POST or None) if leads else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("Only a manager of the team can set its objectives.")
        if form.is_valid():
            try:
                objective = services.objective_create(actor=viewer, **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Objective set. Add the indicators that show progress.")
                return redirect("development:objective", objective.pk)
        status = 400
    return render(request, "development/team.html", {
        "objectives": [(o, _performance_rows(o)) for o in objectives], "leads": leads, "form": form,
        "learning": learning, "minimum": selectors.minimum_group(),
    }, status=status)


def _objective_context(request: HttpRequest, objective, **extra) -> dict:
    viewer = request.user
    leads = selectors.can_lead_team(viewer, objective.team_id)
    context = {"objective": objective, "leads": leads, "performance": _performance_rows(objective),
               "learning": selectors.team_learning(viewer=viewer, team_id=objective.team_id,
                                                   start=objective.starts_on, end=objective.ends_on,
                                                   objective=objective),
               "minimum": selectors.minimum_group(), "today": today_for(viewer)}
    if leads:
        context["indicator_form"] = extra.pop("indicator_form", None) or IndicatorForm()
        context["value_form"] = extra.pop("value_form", None) or IndicatorValueForm(
            initial={"measured_on": today_for(viewer)})
        context["value_for"] = extra.pop("value_for", None)
        context["edit_form"] = extra.pop("edit_form", None) or ObjectiveForm(initial={
            "title": objective.title, "description": objective.description, "starts_on": objective.starts_on,
            "ends_on": objective.ends_on})
    context.update(extra)
    return context


@login_required
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_or_404(selectors.objective_get, viewer=request.user, pk=pk)
    return render(request, "development/objective.html", _objective_context(request, objective))


@login_required
@require_POST
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_or_404(selectors.objective_get_to_lead, viewer=request.user, pk=pk)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            services.objective_update(objective=objective, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("development:objective", pk)
    return render(request, "development/objective.html",
                  _objective_context(request, objective, edit_form=form), status=400)


@login_required
def objective_delete(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_or_404(selectors.objective_get_to_lead, viewer=request.user, pk=pk)
    if request.method == "POST":
        services.objective_delete(objective=objective, actor=request.user)
        messages.success(request, f"Deleted “{objective.title}”.")
        return redirect("development:team")
    return render(request, "development/confirm_delete.html",
                  {"what": f"the objective “{objective.title}” with its indicators and their values",
                   "cancel_url": reverse("development:objective", args=[objective.pk])})


@login_required
@require_POST
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _get_or_404(selectors.objective_get_to_lead, viewer=request.user, pk=pk)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_create(objective=objective, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Indicator added. Record its values as they come in.")
            return redirect("development:objective", pk)
    return render(request, "development/objective.html",
                  _objective_context(request, objective, indicator_form=form), status=400)


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _get_or_404(selectors.indicator_get_to_lead, viewer=request.user, pk=pk)
    services.indicator_delete(indicator=indicator, actor=request.user)
    messages.success(request, f"Removed the indicator “{indicator.name}”.")
    return redirect("development:objective", indicator.objective_id)


@login_required
@require_POST
def indicator_value_add(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _get_or_404(selectors.indicator_get_to_lead, viewer=request.user, pk=pk)
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_value_record(indicator=indicator, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, f"Recorded a value for “{indicator.name}”.")
            return redirect("development:objective", indicator.objective_id)
    objective = selectors.objective_get(viewer=request.user, pk=indicator.objective_id)
    return render(request, "development/objective.html",
                  _objective_context(request, objective, value_form=form, value_for=indicator.pk), status=400)


@login_required
@require_POST
def indicator_value_delete(request: HttpRequest, pk: int) -> HttpResponse:
    value = _get_or_404(selectors.indicator_value_get_to_lead, viewer=request.user, pk=pk)
    services.indicator_value_delete(value=value, actor=request.user)
    messages.success(request, "Value removed.")
    return redirect("development:objective", value.indicator.objective_id)
