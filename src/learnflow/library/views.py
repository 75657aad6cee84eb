"""HTML pages of the library: thin — parse the request, call one service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.library import selectors, services
from learnflow.library.forms import (
    CollectionAddForm, CollectionForm, CommentForm, FlagForm, ResourceEditForm, ResourceForm, ReviewForm,
)
from learnflow.library.models import Comment, Flag, Resource, ResourceKind, ResourceStatus


def _get(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _resource(request: HttpRequest, uid) -> Resource:
    return _get(selectors.resource_get, viewer=request.user, uid=uid)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in ResourceKind.values else ""
    sort = "useful" if request.GET.get("sort") == "useful" else "new"
    topic = request.GET.get("topic", "")[:120]
    qs = selectors.resource_list(viewer=request.user,
                                 filters=selectors.ResourceFilters(topic=topic, kind=kind, sort=sort))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    topics = selectors.topic_list(viewer=request.user)
    return render(request, "library/index.html", {
        "page": page, "kind": kind, "sort": sort, "topic": topic, "kinds": ResourceKind.choices,
        "topics": topics, "collections": selectors.collection_list(viewer=request.user)[:8],
        "review_count": selectors.review_queue(viewer=request.user).count(),
    })


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "library/mine.html", {"resources": selectors.resource_mine(viewer=request.user)})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.is_reviewer(request.user):
        raise PermissionDenied("Only L&D and admins review resources.")
    return render(request, "library/review_queue.html", {"resources": selectors.review_queue(viewer=request.user)})


def _create_from_form(request: HttpRequest, form: ResourceForm) -> Resource:
    d = form.cleaned_data
    submit = "draft" not in request.POST
    topics = list(d["topics"] or [])
    if d["url"] and not d["file"] and (d["kind"] == ResourceKind.LINK or not d["title"]):
        return services.resource_create_from_url(author=request.user, url=d["url"], topics=topics, title=d["title"],
                                                 summary=d["summary"], curator_note=d["curator_note"],
                                                 kind=d["kind"], submit=submit)
    return services.resource_create(author=request.user, kind=d["kind"], title=d["title"], summary=d["summary"],
                                    body=d["body"], url=d["url"], topics=topics, curator_note=d["curator_note"],
                                    upload=d["file"], submit=submit)


@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", ResourceKind.PAGE)}
    form = ResourceForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = _create_from_form(request, form)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                if resource.status == ResourceStatus.IN_REVIEW:
                    messages.success(request, "Sent for review: you will hear when it is published.")
                elif resource.status == ResourceStatus.DRAFT:
                    messages.success(request, "Saved as a draft: only you can see it.")
                else:
                    messages.success(request, "Published. Copy the link to share it.")
                return redirect(resource.get_absolute_url())
        return render(request, "library/resource_form.html", {"form": form, "creating": True}, status=400)
    return render(request, "library/resource_form.html", {"form": form, "creating": True})


@login_required
def resource_detail(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    services.resource_open(resource=resource, viewer=request.user)
    return render(request, "library/resource_detail.html", {
        "resource": resource,
        "comments": selectors.resource_comments(viewer=request.user, resource=resource),
        "flags": selectors.resource_open_flags(viewer=request.user, resource=resource),
        "can_edit": selectors.can_edit_resource(request.user, resource),
        "is_reviewer": selectors.is_reviewer(request.user),
        "comment_form": CommentForm(), "flag_form": FlagForm(), "review_form": ReviewForm(),
        "share_url": request.build_absolute_uri(resource.get_absolute_url()),
    })


@login_required
def resource_edit(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    if not selectors.can_edit_resource(request.user, resource):
        raise PermissionDenied("Only the resource's author and curators can change it.")
    initial = {f: getattr(resource, f) for f in ("kind", "title", "summary", "body", "url", "site_name",
                                                 "image_url", "curator_note")}
    initial["topics"] = list(resource.topics.all())
    form = ResourceEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.resource_update(resource=resource, actor=request.user, topics=list(d["topics"]),
                                         upload=d["file"], kind=d["kind"], title=d["title"], summary=d["summary"],
                                         body=d["body"], url=d["url"], site_name=d["site_name"],
                                         image_url=d["image_url"], curator_note=d["curator_note"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect(resource.get_absolute_url())
        return render(request, "library/resource_form.html", {"form": form, "resource": resource}, status=400)
    return render(request, "library/resource_form.html", {"form": form, "resource": resource})


def _act(request: HttpRequest, page: Resource, fn, done: str, **kwargs) -> HttpResponse:
    try:
        fn(**kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect(page.get_absolute_url())


@login_required
@require_POST
def resource_refresh(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    return _act(request, resource, services.resource_metadata_refresh, "Read the page again.", resource=resource,
                actor=request.user)


@login_required
@require_POST
def resource_submit(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    return _act(request, resource, services.resource_submit, "Submitted.", resource=resource, actor=request.user)


@login_required
@require_POST
def resource_review(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or to return it.")
        return redirect(resource.get_absolute_url())
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, resource, services.resource_review, "Published." if approve else "Returned to the author.",
                resource=resource, reviewer=request.user, approve=approve, note=form.cleaned_data["note"])


@login_required
@require_POST
def resource_archive(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    archived = request.POST.get("archived", "1") == "1"
    return _act(request, resource, services.resource_archive, "Archived." if archived else "Back in the library.",
                resource=resource, actor=request.user, archived=archived)


@login_required
def resource_file(request: HttpRequest, uid) -> FileResponse:
    resource = _resource(request, uid)
    if not resource.file:
        raise Http404("This resource has no file.")
    inline = resource.kind in (ResourceKind.VIDEO, ResourceKind.AUDIO) or resource.file_type == "application/pdf"
    response = FileResponse(resource.file.open("rb"), content_type=resource.file_type or "application/octet-stream",
                            as_attachment=not inline, filename=resource.file_name or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def resource_image(request: HttpRequest, uid, thumb: bool = False) -> HttpResponse:
    """The resource's stored picture (or its list-sized copy), to whoever may see the resource: the same rule as
    its page."""
    resource = selectors.resources_visible_to(viewer=request.user).select_related("image").filter(uid=uid).first()
    image = resource.shown_image if resource is not None else None
    stored = (image.thumb if thumb else image.file) if image is not None else None
    if not stored:
        raise Http404("This resource has no picture.")
    etag = f'"{image.version}{"t" if thumb else ""}"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        try:
            handle = stored.open("rb")
        except OSError:
            raise Http404("This resource has no picture.") from None
        response = FileResponse(handle, content_type=image.content_type)
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    # private: the picture follows the resource's visibility, so no shared cache may keep it.
    response["Cache-Control"] = "private, max-age=86400"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_POST
def resource_image_refetch(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    return _act(request, resource, services.resource_image_refetch,
                "Fetching the picture: it appears here in a moment.", resource=resource, actor=request.user)


@login_required
@require_POST
def resource_image_remove(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    return _act(request, resource, services.resource_image_remove, "Picture removed.", resource=resource,
                actor=request.user)


@login_required
@require_POST
def resource_vote(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    useful = request.POST.get("useful", "1") == "1"
    try:
        services.vote_set(resource=resource, user=request.user, useful=useful)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(resource.get_absolute_url())
    if request.htmx:
        resource = _resource(request, uid)
        return render(request, "library/_vote.html", {"resource": resource})
    return redirect(resource.get_absolute_url())


@login_required
@require_POST
def resource_complete(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    return _act(request, resource, services.resource_complete, "Marked as done: it is in your recorded activity.",
                resource=resource, viewer=request.user)


@login_required
@require_POST
def resource_comment(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(resource=resource, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            return redirect(resource.get_absolute_url() + "#comments")
    return render(request, "library/resource_detail.html", {
        "resource": resource, "comments": selectors.resource_comments(viewer=request.user, resource=resource),
        "flags": selectors.resource_open_flags(viewer=request.user, resource=resource),
        "can_edit": selectors.can_edit_resource(request.user, resource),
        "is_reviewer": selectors.is_reviewer(request.user), "comment_form": form, "flag_form": FlagForm(),
        "review_form": ReviewForm(), "share_url": request.build_absolute_uri(resource.get_absolute_url()),
    }, status=400)


@login_required
@require_POST
def comment_delete(request: HttpRequest, uid, pk: int) -> HttpResponse:
    resource = _resource(request, uid)
    comment = Comment.objects.filter(resource=resource, pk=pk).first()
    if comment is None:
        raise Http404("No such comment.")
    return _act(request, resource, services.comment_delete, "Comment removed.", comment=comment, actor=request.user)


@login_required
@require_POST
def resource_flag(request: HttpRequest, uid) -> HttpResponse:
    resource = _resource(request, uid)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether it is obsolete or needs an update.")
        return redirect(resource.get_absolute_url())
    return _act(request, resource, services.flag_raise, "Thank you: the owner has been told.", resource=resource,
                user=request.user, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"])


@login_required
@require_POST
def flag_resolve(request: HttpRequest, uid, pk: int) -> HttpResponse:
    resource = _resource(request, uid)
    flag = Flag.objects.select_related("resource").filter(resource=resource, pk=pk).first()
    if flag is None:
        raise Http404("No such flag.")
    return _act(request, resource, services.flag_resolve, "Marked as dealt with.", flag=flag, actor=request.user)


# --- topics

@login_required
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = _get(selectors.topic_get, viewer=request.user, slug=slug)
    qs = selectors.resource_list(viewer=request.user, filters=selectors.ResourceFilters(topic=slug))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    policy = getattr(topic, "review_policy", None) if hasattr(topic, "review_policy") else None
    return render(request, "library/topic.html", {
        "topic": topic, "page": page, "children": topic.children.order_by("name"),
        "collections": selectors.collection_list(viewer=request.user, topic=topic),
        "review_required": bool(policy and policy.review_required),
        "is_reviewer": selectors.is_reviewer(request.user),
    })


@login_required
@require_POST
def topic_review(request: HttpRequest, slug: str) -> HttpResponse:
    topic = _get(selectors.topic_get, viewer=request.user, slug=slug)
    required = request.POST.get("review_required") == "1"
    services.topic_review_set(topic=topic, actor=request.user, review_required=required)
    messages.success(request, "New resources on this topic now wait for review." if required
                     else "New resources on this topic are published at once.")
    return redirect("library:topic", slug=topic.slug)


# --- collections

@login_required
def collections(request: HttpRequest) -> HttpResponse:
    return render(request, "library/collections.html",
                  {"collections": selectors.collection_list(viewer=request.user)})


@login_required
def collection_new(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST or None, initial={"topic": request.GET.get("topic")})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                collection = services.collection_create(author=request.user, title=d["title"],
                                                        description=d["description"], topic=d["topic"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Collection made: add resources in the order to follow them.")
                return redirect(collection.get_absolute_url())
        return render(request, "library/collection_form.html", {"form": form}, status=400)
    return render(request, "library/collection_form.html", {"form": form})


@login_required
def collection_detail(request: HttpRequest, uid) -> HttpResponse:
    collection = _get(selectors.collection_get, viewer=request.user, uid=uid)
    can_edit = selectors.can_edit_collection(request.user, collection)
    add_form = CollectionAddForm(request.POST or None) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the collection's author and curators change it.")
        if add_form.is_valid():
            try:
                resource = selectors.resource_get(viewer=request.user, uid=add_form.cleaned_data["resource"])
                services.collection_item_add(collection=collection, actor=request.user, resource=resource,
                                             note=add_form.cleaned_data["note"])
            except NotFound:
                add_form.add_error("resource", "No such resource, or you cannot see it.")
            except ValidationError as exc:
                form_apply_errors(add_form, exc)
            else:
                return redirect(collection.get_absolute_url())
        status = 400
    return render(request, "library/collection_detail.html",
                  {"collection": collection, "can_edit": can_edit, "add_form": add_form}, status=status)


@login_required
@require_POST
def collection_item(request: HttpRequest, uid, pk: int) -> HttpResponse:
    collection = _get(selectors.collection_get, viewer=request.user, uid=uid)
    item = collection.items.filter(pk=pk).select_related("collection").first()
    if item is None:
        raise Http404("No such item.")
    action = request.POST.get("action", "")
    if action == "remove":
        services.collection_item_remove(item=item, actor=request.user)
    elif action in ("up", "down"):
        services.collection_item_move(item=item, actor=request.user, direction=action)
    return redirect(collection.get_absolute_url())
