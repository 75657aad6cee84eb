from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.core.paging import peek_page
from learnflow.core.visibility import Visibility
from learnflow.journal import selectors, services
from learnflow.journal.forms import EntryForm, QuickCaptureForm, ShareForm, TimelineFilterForm, WeeklyReviewForm
from learnflow.journal.models import Entry

PAGE_SIZE = 20


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _filters(form: TimelineFilterForm) -> selectors.EntryFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.EntryFilters(
        q=data.get("q") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
        way=data.get("way") or "", tag=data.get("tag") or "", skill=data.get("skill") or "",
        visibility=data.get("visibility") or "",
    )


@login_required
def timeline(request: HttpRequest) -> HttpResponse:
    form = TimelineFilterForm(request.GET or None)
    qs = selectors.entry_timeline(viewer=request.user, filters=_filters(form), detail=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "entries": page.object_list,
               "items": _with_recorded_activity(request, form, page)}
    if request.htmx and request.htmx.target == "timeline-results":
        return render(request, "journal/_timeline_results.html", context)
    grid, streak, total = selectors.heatmap(viewer=request.user)
    context.update(heatmap=grid, streak=streak, year_total=total)
    return render(request, "journal/timeline.html", context)


def _with_recorded_activity(request: HttpRequest, form: TimelineFilterForm, page) -> list[tuple[str, object]]:
    """The page's entries with the person's recorded xAPI activity of the same days woven in, newest first.
    Filters that only apply to journal entries (way, tag, skill, visibility, text) show entries alone."""
    items: list[tuple[str, object]] = [("entry", e) for e in page.object_list]
    data = form.cleaned_data if form.is_valid() else {}
    if any(data.get(k) for k in ("q", "way", "tag", "skill", "visibility")):
        return items
    from learnflow.record.selectors import recorded_activity

    entries = list(page.object_list)
    newest = None if page.number == 1 else entries[0].learned_on if entries else None
    oldest = entries[-1].learned_on if entries and page.has_next() else None
    activities = recorded_activity(viewer=request.user, date_from=max(filter(None, [oldest, data.get("date_from")]),
                                                                        default=None),
                                   date_to=min(filter(None, [newest, data.get("date_to")]), default=None), limit=100)
    items += [("activity", a) for a in activities]
    items.sort(key=lambda item: (item[1].learned_on, 1 if item[0] == "activity" else 0), reverse=True)
    return items


def _form_initial(entry: Entry) -> dict:
    return {
        "title": entry.title, "body": entry.body, "way": entry.way, "learned_on": entry.learned_on,
        "minutes": entry.minutes, "visibility": entry.visibility, "share_note": entry.share_note,
        "tags": ", ".join(t.name for t in entry.tags.all()), "skills": ", ".join(s.name for s in entry.skills.all()),
        "links": "\n".join(f"{l.url} {l.title}".strip() for l in entry.links.all()),
        "reflection_happened": entry.reflection_happened, "reflection_learned": entry.reflection_learned,
        "reflection_apply": entry.reflection_apply, "reflection_differently": entry.reflection_differently,
    }


def _save_files(entry: Entry, user, files) -> None:
    if files:
        services.attachment_add_many(entry=entry, actor=user, uploads=files)


@login_required
def entry_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                # Entry and its files are one unit: a refused file leaves no half-saved entry behind.
                with transaction.atomic():
                    entry = services.entry_create(
                        author=request.user, title=d["title"], body=d["body"], way=d["way"],
                        learned_on=d["learned_on"], minutes=d["minutes"], visibility=d["visibility"],
                        share_note=d["share_note"], tags=services_split(d["tags"]), skills=services_split(d["skills"]),
                        links=d["links"], reflection=form.reflection(),
                    )
                    _save_files(entry, request.user, d["files"])
                    if d.get("goal"):
                        from learnflow.goals.services import goal_evidence_add_entry

                        goal_evidence_add_entry(owner=request.user, goal=d["goal"], entry=entry)
            except ValidationError as exc:
                form_apply_errors(form, exc, aliases={"file": "files"})
            else:
                messages.success(request, "Logged.")
                return redirect("journal:detail", entry.pk)
        return render(request, "journal/entry_form.html", {"form": form, "creating": True}, status=400)
    initial = {"learned_on": services.today_for(request.user)}
    for key in ("title", "way", "goal"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    return render(request, "journal/entry_form.html", {"form": EntryForm(initial=initial, user=request.user),
                                                       "creating": True})


def services_split(text: str) -> list[str]:
    from learnflow.core.services import split_names

    return split_names(text)


@login_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_or_404(selectors.entry_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    services.entry_update(
                        entry=entry, actor=request.user, title=d["title"], body=d["body"], way=d["way"],
                        learned_on=d["learned_on"], minutes=d["minutes"], visibility=d["visibility"],
                        share_note=d["share_note"], tags=services_split(d["tags"]),
                        skills=services_split(d["skills"]), links=d["links"], reflection=form.reflection(),
                    )
                    _save_files(entry, request.user, d["files"])
            except ValidationError as exc:
                form_apply_errors(form, exc, aliases={"file": "files"})
            else:
                messages.success(request, "Saved.")
                return redirect("journal:detail", entry.pk)
        return render(request, "journal/entry_form.html", {"form": form, "entry": entry}, status=400)
    return render(request, "journal/entry_form.html", {"form": EntryForm(initial=_form_initial(entry)),
                                                       "entry": entry})


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_or_404(selectors.entry_get, viewer=request.user, pk=pk)
    share_form = ShareForm(initial={"visibility": entry.visibility, "share_note": entry.share_note})
    return render(request, "journal/entry_detail.html", {"entry": entry, "share_form": share_form,
                                                         "is_owner": entry.author_id == request.user.pk})


@login_required
@require_POST
def entry_share(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_or_404(selectors.entry_get_own, viewer=request.user, pk=pk)
    form = ShareForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            entry = services.entry_share(entry=entry, actor=request.user, visibility=form.cleaned_data["visibility"],
                                         note=form.cleaned_data["share_note"])
            if not request.htmx:
                messages.success(request, f"Now visible to: {entry.get_visibility_display().lower()}.")
        except ValidationError as exc:
            form_apply_errors(form, exc)
            status = 400
    else:
        status = 400
    if request.htmx:
        return render(request, "journal/_share_panel.html", {"entry": entry, "share_form": form, "is_owner": True,
                                                             "saved": status == 200}, status=status)
    if status != 200:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("journal:detail", entry.pk)


@login_required
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_or_404(selectors.entry_get_own, viewer=request.user, pk=pk)
    if request.method == "POST":
        services.entry_delete(entry=entry, actor=request.user)
        messages.success(request, f"Deleted “{entry.title}”.")
        return redirect("journal:timeline")
    return render(request, "journal/entry_confirm_delete.html", {"entry": entry})


@login_required
@require_POST
def quick_capture(request: HttpRequest) -> HttpResponse:
    form = QuickCaptureForm(request.POST)
    entry = None
    if form.is_valid():
        try:
            entry = services.entry_create(author=request.user, title=form.cleaned_data["title"],
                                          way=form.cleaned_data["way"], source="quick")
        except ValidationError as exc:
            form_apply_errors(form, exc)
    if request.htmx:
        if entry is not None:
            form = QuickCaptureForm(initial={"way": form.cleaned_data["way"]})
        return render(request, "journal/_quick_capture.html", {"quick_form": form, "captured": entry},
                      status=200 if entry or not form.errors else 400)
    if entry is not None:
        messages.success(request, f"Logged “{entry.title}”.")
    else:
        messages.error(request, "Nothing was logged: " + "; ".join(e for errs in form.errors.values() for e in errs))
    target = request.POST.get("next") or reverse("home")
    return redirect(target if target.startswith("/") and not target.startswith("//") else reverse("home"))


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _get_or_404(selectors.attachment_get, viewer=request.user, pk=pk)
    inline = attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=not inline, filename=attachment.original_name)
    # A file is data, never a page of ours: no scripts, no framing, private caching only.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _get_or_404(selectors.attachment_get, viewer=request.user, pk=pk)
    if attachment.entry.author_id != request.user.pk:
        raise Http404("No such file.")
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, f"Removed {attachment.original_name}.")
    return redirect("journal:edit", attachment.entry_id)


def _feed(request: HttpRequest, qs, title: str, intro: str) -> HttpResponse:
    page = peek_page(qs, request.GET.get("page"), PAGE_SIZE)
    return render(request, "journal/feed.html", {"page": page, "entries": page.object_list, "title": title,
                                                 "intro": intro})


@login_required
def team_feed(request: HttpRequest) -> HttpResponse:
    return _feed(request, selectors.team_feed(viewer=request.user, detail=False), "Team",
                 "What your teammates (and the people you manage) chose to share with you.")


@login_required
def organisation_feed(request: HttpRequest) -> HttpResponse:
    return _feed(request, selectors.organisation_feed(viewer=request.user, detail=False), "Organisation",
                 "Learnings people shared with the whole organisation.")


@login_required
def weekly_review(request: HttpRequest) -> HttpResponse:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else None
    except ValueError:
        day = None
    day = day or services.today_for(request.user)
    week_start, week_end = selectors.week_bounds(day)
    review = selectors.weekly_review_get(viewer=request.user, week_start=week_start)
    initial = {k: getattr(review, k) for k in ("went_well", "key_learning", "next_week")} if review else {}
    form = WeeklyReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_review_save(author=request.user, week_start=week_start, **form.cleaned_data)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Your weekly review is saved.")
            return redirect(f"{reverse('journal:week')}?week={week_start.isoformat()}")
    entries = selectors.week_entries(viewer=request.user, week_start=week_start)
    return render(request, "journal/weekly_review.html", {
        "form": form, "entries": entries, "week_start": week_start, "week_end": week_end, "review": review,
        "previous_week": week_start - dt.timedelta(days=7), "next_week": week_start + dt.timedelta(days=7),
        "is_current": week_start <= services.today_for(request.user) <= week_end,
        "minutes": sum(e.minutes or 0 for e in entries),
    })
