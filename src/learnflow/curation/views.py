"""Curators' pages (L&D and admins): topics, subscriptions with OPML, and each topic's curation inbox."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors, validation_fields
from learnflow.curation import selectors, services
from learnflow.curation.forms import OpmlImportForm, PublishForm, SubscribeForm, TopicForm
from learnflow.curation.models import InboxStatus
from learnflow.curation.opml import MAX_OPML_BYTES


def curator_page(view):
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not services.is_curator(request.user):
            raise PermissionDenied("Only L&D and admins curate topics.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


@curator_page
def topic_index(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                topic = services.topic_create(actor=request.user, name=d["name"], parent=d["parent"],
                                              description=d["description"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, f"Topic “{topic.name}” created. Subscribe it to a few feeds next.")
                return redirect("curation:sources", topic.slug)
        status = 400
    else:
        status = 200
    return render(request, "curation/topic_index.html",
                  {"topics": selectors.topic_list(viewer=request.user), "form": form}, status=status)


@curator_page
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_get(viewer=request.user, slug=slug)
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.source_subscribe(actor=request.user, topic=topic, url=form.cleaned_data["url"],
                                          title=form.cleaned_data["title"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Subscribed. New items will arrive in the inbox.")
                return redirect("curation:sources", topic.slug)
        status = 400
    return render(request, "curation/sources.html", {
        "topic": topic, "sources": selectors.source_list(viewer=request.user, topic=topic),
        "form": form, "import_form": OpmlImportForm(),
    }, status=status)


@curator_page
@require_POST
def source_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    topic = selectors.topic_get(viewer=request.user, slug=slug)
    source = selectors.source_get(viewer=request.user, topic=topic, pk=pk)
    services.source_unsubscribe(actor=request.user, source=source)
    messages.success(request, f"Unsubscribed from {source}.")
    return redirect("curation:sources", topic.slug)


@curator_page
@require_POST
def opml_import(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_get(viewer=request.user, slug=slug)
    form = OpmlImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_OPML_BYTES:
            form.add_error("file", "The OPML file is larger than 2 MB.")
        else:
            try:
                result = services.sources_import_opml(actor=request.user, topic=topic, data=upload.read())
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                text = f"{len(result.added)} feeds subscribed, {result.already} already were"
                if result.invalid:
                    text += f", {len(result.invalid)} not web addresses (left out)"
                messages.success(request, text + ".")
                return redirect("curation:sources", topic.slug)
    return render(request, "curation/sources.html", {
        "topic": topic, "sources": selectors.source_list(viewer=request.user, topic=topic),
        "form": SubscribeForm(), "import_form": form,
    }, status=400)


@curator_page
def opml_export(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    topic = selectors.topic_get(viewer=request.user, slug=slug) if slug else None
    data = services.sources_export_opml(viewer=request.user, topic=topic)
    response = HttpResponse(data, content_type="text/x-opml; charset=utf-8")
    name = topic.slug if topic else "learnflow"
    response["Content-Disposition"] = f'attachment; filename="{name}-subscriptions.opml"'
    return response


@curator_page
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    topic = selectors.topic_get(viewer=request.user, slug=slug)
    status = request.GET.get("status", InboxStatus.NEW)
    if status not in InboxStatus.values:
        status = InboxStatus.NEW
    items = list(selectors.inbox_list(viewer=request.user, topic=topic, status=status)[:100])
    counts = selectors.inbox_counts(viewer=request.user, topic=topic)
    return render(request, "curation/inbox.html", {
        "topic": topic, "items": items, "status": status,
        "statuses": [(value, label, counts[value]) for value, label in InboxStatus.choices],
    })


@curator_page
@require_POST
def inbox_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Publish (with a note) or dismiss one item. With htmx the item is swapped in place; without, back to the inbox."""
    topic = selectors.topic_get(viewer=request.user, slug=slug)
    item = selectors.inbox_item_get(viewer=request.user, topic=topic, pk=pk)
    action = request.POST.get("action")
    form = PublishForm(request.POST)
    errors: list[str] = []
    try:
        if action == "publish":
            if form.is_valid():
                services.inbox_item_publish(item=item, curator=request.user, note=form.cleaned_data["note"])
            else:
                errors = [e for errs in form.errors.values() for e in errs]
        elif action == "dismiss":
            services.inbox_item_dismiss(item=item, curator=request.user)
        else:
            errors = ["Choose publish or dismiss."]
    except ValidationError as exc:
        errors = [e["message"] for e in validation_fields(exc)]
    status = 400 if errors else 200
    if request.htmx:
        return render(request, "curation/_inbox_item.html",
                      {"item": item, "topic": topic, "note": request.POST.get("note", ""), "errors": errors},
                      status=status)
    if errors:
        messages.error(request, "; ".join(errors))
    else:
        messages.success(request, f"“{item.title}” {item.get_status_display().lower()}.")
    return redirect("curation:inbox", topic.slug)
