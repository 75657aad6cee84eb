"""HTML views: parse, call one service/selector, render. Hidden communities and everything in them answer 404 to
anyone who is not a member (the selectors raise NotFound)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from learnflow.community import selectors, services
from learnflow.community.forms import (
    CommunityForm, DiscussionForm, JoinForm, MemberAddForm, PostForm, ReplyForm, ResourceLinkForm, SummaryForm,
)
from learnflow.community.models import CommunityShare, PostKind, Reply
from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.core.paging import MAX_PAGE


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _int(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def index(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    mine = list(selectors.community_list(viewer=request.user, scope="mine", q=q))
    others = list(selectors.community_list(viewer=request.user, scope="discover", q=q, popular=True)[:30])
    return render(request, "community/index.html", {"mine": mine, "others": others, "q": q,
                                                    "memberships": selectors.my_memberships(viewer=request.user)})


@login_required
def community_new(request: HttpRequest) -> HttpResponse:
    form = CommunityForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                community = services.community_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Community started. You are its facilitator.")
                return redirect(community.get_absolute_url())
        return render(request, "community/community_form.html", {"form": form}, status=400)
    return render(request, "community/community_form.html", {"form": form})


@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    number = min(max(_int(request.GET.get("page")), 1), MAX_PAGE)  # ?page=10**20 would overflow OFFSET
    page = _get_or_404(selectors.community_page, viewer=request.user, slug=slug, page=number)
    context = {"page": page, "community": page.community, "access": page.access,
               "posts_url": reverse("community:post", args=[slug, 0])[:-2],
               "page_number": number, "join_form": JoinForm()}
    return render(request, "community/detail.html", context)


@login_required
def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.facilitator:
        raise PermissionDenied("Only facilitators can edit the community.")
    form = CommunityForm(request.POST or None, initial={"name": community.name, "description": community.description,
                                                        "access": community.access})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.community_update(community=community, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect(community.get_absolute_url())
        return render(request, "community/community_form.html", {"form": form, "community": community}, status=400)
    return render(request, "community/community_form.html", {"form": form, "community": community})


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community, _ = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    form = JoinForm(request.POST)
    if not form.is_valid():
        # A message that is too long used to send the request without it.
        return HttpResponseBadRequest(" ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                                      content_type="text/plain; charset=utf-8")
    message = form.cleaned_data["message"]
    result = _get_or_404(services.community_join, community=community, actor=request.user, message=message)
    if hasattr(result, "role"):
        messages.success(request, f"You are a member of {community.name}.")
    else:
        messages.success(request, "Request sent: a facilitator will decide, and you will be notified.")
    return redirect(community.get_absolute_url())


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    community, _ = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    try:
        services.community_leave(community=community, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(community.get_absolute_url())
    messages.success(request, f"You left {community.name}.")
    return redirect("community:index")


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.read:
        raise Http404("Members are listed for members only.")
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if not access.facilitator:
            raise PermissionDenied("Only facilitators can add people.")
        if form.is_valid():
            person = get_user_model().objects.filter(username=form.cleaned_data["username"], is_active=True).first()
            try:
                if person is None:
                    raise ValidationError({"username": "No active person with this username."})
                services.member_add(community=community, actor=request.user, user=person,
                                    role=form.cleaned_data["role"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, f"{person.display_name} is now in {community.name}.")
                return redirect("community:members", slug)
    people = list(selectors.members_of(viewer=request.user, community=community)[:500])
    return render(request, "community/members.html", {"community": community, "access": access, "people": people,
                                                      "form": form}, status=400 if form.errors else 200)


@login_required
def requests_page(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.facilitator:
        raise PermissionDenied("Only facilitators decide requests to join.")
    pending = list(selectors.join_requests_open(viewer=request.user, community=community))
    return render(request, "community/requests.html", {"community": community, "pending": pending})


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    req = _get_or_404(selectors.join_request_get_for_facilitator, viewer=request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        # A missing or misspelled decision must not quietly decline someone: nothing is decided.
        return HttpResponseBadRequest("Choose approve or decline (field “decision”): nothing was decided.",
                                      content_type="text/plain; charset=utf-8")
    approve = decision == "approve"
    try:
        services.join_request_decide(join_request=req, actor=request.user, approve=approve)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{'Approved' if approve else 'Declined'}: {req.user.display_name}.")
    return redirect("community:requests", req.community.slug)


def _post_form(request: HttpRequest, data=None, initial=None) -> PostForm:
    return PostForm(data, initial=initial, entries=selectors.entries_to_share(viewer=request.user),
                    resources=selectors.resources_to_share(viewer=request.user))


@login_required
def post_new(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.member:
        raise PermissionDenied("Join the community to post in it.")
    initial = {"kind": request.GET.get("kind") or PostKind.WORKING_ON}
    if request.GET.get("entry"):
        initial.update(kind=PostKind.ENTRY, entry=_int(request.GET.get("entry"), 0))
    form = _post_form(request, request.POST or None, initial)
    context = {"community": community, "form": form}
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                post = services.post_create(community=community, author=request.user, kind=d["kind"],
                                            title=d["title"], body=d["body"], entry_id=d["entry"],
                                            confirm_share=d["confirm_share"], resource_id=d["resource"])
            except ValidationError as exc:
                if "confirm_share" in getattr(exc, "error_dict", {}) and not d["confirm_share"]:
                    # The confirmation step: same form, everything kept, one question asked.
                    entry = selectors.own_entry(viewer=request.user, pk=d["entry"])
                    return render(request, "community/share_confirm.html", {
                        "community": community, "form": form, "entry": entry})
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Posted.")
                return redirect(post.get_absolute_url())
        return render(request, "community/post_form.html", context, status=400)
    return render(request, "community/post_form.html", context)


@login_required
def post_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.post_view, viewer=request.user, pk=pk, slug=slug)
    return render(request, "community/post_detail.html", {"view": view, "post": view.post,
                                                          "community": view.post.community,
                                                          "reply_form": ReplyForm()})


@login_required
@require_POST
def reply_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    view = _get_or_404(selectors.post_view, viewer=request.user, pk=pk, slug=slug)
    form = ReplyForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Reply.objects.filter(pk=form.cleaned_data["parent"], post=view.post).first()
        try:
            if form.cleaned_data.get("parent") and parent is None:
                # Not silently a top-level reply: the person meant to answer someone.
                raise ValidationError({"body": "The reply you answered is not on this post."})
            reply = services.reply_create(post=view.post, author=request.user, body=form.cleaned_data["body"],
                                          parent=parent)
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            return redirect(f"{view.post.get_absolute_url()}#reply-{reply.pk}")
    return render(request, "community/post_detail.html", {"view": view, "post": view.post,
                                                          "community": view.post.community, "reply_form": form},
                  status=400)


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, pk: int, reply_pk: int) -> HttpResponse:
    post = _get_or_404(selectors.post_get, viewer=request.user, pk=pk, slug=slug)
    reply = Reply.objects.filter(pk=reply_pk, post=post).first()
    if reply is None:
        raise Http404("No such reply on this post.")
    try:
        services.answer_accept(post=post, reply=reply, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Answer accepted. Thank you for closing the loop.")
    return redirect(f"{post.get_absolute_url()}#reply-{reply.pk}")


@login_required
@require_POST
def reply_evidence(request: HttpRequest, slug: str, pk: int, reply_pk: int) -> HttpResponse:
    post = _get_or_404(selectors.post_get, viewer=request.user, pk=pk, slug=slug)
    reply = Reply.objects.filter(pk=reply_pk, post=post, author=request.user).first()
    if reply is None:
        raise Http404("No such reply of yours on this post.")
    try:
        services.reply_to_evidence(reply=reply, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Added to your journal (private: share it from there if you like).")
    return redirect(f"{post.get_absolute_url()}#reply-{reply.pk}")


@login_required
@require_POST
def useful(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    post = _get_or_404(selectors.post_get, viewer=request.user, pk=pk, slug=slug)
    reply = None
    if request.POST.get("reply"):
        reply = Reply.objects.filter(pk=_int(request.POST.get("reply"), 0), post=post).first()
        if reply is None:
            raise Http404("No such reply on this post.")
    if request.POST.get("useful", "1") not in ("0", "1"):
        return HttpResponseBadRequest("“useful” is 1 (mark) or 0 (unmark).", content_type="text/plain; charset=utf-8")
    try:
        services.useful_set(actor=request.user, useful=request.POST.get("useful", "1") != "0",
                            post=None if reply else post, reply=reply)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    anchor = f"#reply-{reply.pk}" if reply else ""
    return redirect(f"{post.get_absolute_url()}{anchor}")


@login_required
@require_POST
def post_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    post = _get_or_404(selectors.post_get, viewer=request.user, pk=pk, slug=slug)
    services.post_delete(post=post, actor=request.user)
    messages.success(request, "Post removed.")
    return redirect(post.community.get_absolute_url())


@login_required
@require_POST
def share_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    share = CommunityShare.objects.select_related("entry", "community").filter(
        pk=pk, community__slug=slug, entry__author=request.user).first()
    if share is None:
        raise Http404("No such share of yours.")
    services.share_withdraw(share=share, actor=request.user)
    messages.success(request, "Your entry is no longer shared with this community.")
    return redirect(share.community.get_absolute_url())


@login_required
def resources(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.read:
        raise Http404("Resources are listed for members only.")
    form = ResourceLinkForm(request.POST or None, resources=selectors.resources_to_share(viewer=request.user))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_link(community=community, actor=request.user,
                                       resource_id=form.cleaned_data["resource"], note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Added to the community's resources.")
                return redirect("community:resources", slug)
    links = list(selectors.resources_of(viewer=request.user, community=community)[:200])
    return render(request, "community/resources.html", {"community": community, "access": access, "links": links,
                                                        "form": form}, status=400 if form.errors else 200)


@login_required
def discussion_new(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _get_or_404(selectors.community_get, viewer=request.user, slug=slug)
    if not access.facilitator:
        raise PermissionDenied("Only facilitators schedule guided discussions.")
    form = DiscussionForm(request.POST or None, initial={"starts_at": timezone.now().replace(second=0,
                                                                                             microsecond=0)})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                discussion = services.discussion_create(community=community, actor=request.user, title=d["title"],
                                                        intro=d["intro"], prompts=d["prompts"].splitlines(),
                                                        starts_at=d["starts_at"], every_days=d["every_days"])
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Discussion scheduled.")
                return redirect("community:discussion", slug, discussion.pk)
        return render(request, "community/discussion_form.html", {"community": community, "form": form}, status=400)
    return render(request, "community/discussion_form.html", {"community": community, "form": form})


@login_required
def discussion(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, prompts, facilitating = _get_or_404(selectors.discussion_get, viewer=request.user, pk=pk, slug=slug)
    now = timezone.now()
    return render(request, "community/discussion.html", {
        "discussion": found, "community": found.community, "prompts": prompts, "facilitating": facilitating,
        "now": now})


@login_required
def discussion_summarise(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, prompts, facilitating = _get_or_404(selectors.discussion_get, viewer=request.user, pk=pk, slug=slug)
    if not facilitating:
        raise PermissionDenied("Only facilitators summarise a discussion.")
    form = SummaryForm(request.POST or None, initial={
        "title": f"What we learned: {found.title}",
        "body": selectors.discussion_transcript(discussion=found, prompts=prompts)})
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = services.discussion_summarise(discussion=found, actor=request.user,
                                                         **form.cleaned_data)
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Summary published in the library.")
                return redirect(resource.get_absolute_url())
        return render(request, "community/summary_form.html", {"community": found.community, "discussion": found,
                                                               "form": form}, status=400)
    return render(request, "community/summary_form.html", {"community": found.community, "discussion": found,
                                                           "form": form})
