"""/api/communities: communities, posts, replies, reactions and join requests, with the same visibility as the pages
(hidden communities are 404 to outsiders)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from learnflow.community import selectors, services
from learnflow.community.models import (
    Community, CommunityResource, GuidedDiscussion, JoinRequest, Membership, Post, Reply,
)
from learnflow.core.errors import NotFound
from learnflow.core.markdown import render_markdown

router = Router(tags=["community"])

AccessName = Literal["open", "closed", "hidden"]
PostKindName = Literal["working_on", "learned", "stuck", "question", "entry", "resource"]


class PersonOut(Schema):
    id: int
    username: str
    name: str


def _person(user) -> dict:
    return {"id": user.pk, "username": user.username, "name": user.display_name}


class AccessOut(Schema):
    read: bool
    member: bool
    facilitator: bool
    can_join: bool
    can_ask: bool


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    access: str
    member_count: int
    post_count: int | None
    you: AccessOut
    url: str


class CommunityIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=10_000)
    access: AccessName = "open"


class CommunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=10_000)
    access: AccessName | None = None


class SharedEntryOut(Schema):
    id: int
    title: str
    body: str
    body_html: str


class PostOut(Schema):
    id: int
    community: str
    kind: str
    title: str
    body: str
    body_html: str
    author: PersonOut
    created_at: dt.datetime
    reply_count: int
    useful_count: int
    accepted_reply_id: int | None
    resource_uid: str | None = None
    shared_entry: SharedEntryOut | None = None
    discussion_id: int | None = None
    url: str


class ReplyOut(Schema):
    id: int
    post_id: int
    parent_id: int | None
    author: PersonOut
    body: str
    body_html: str
    useful_count: int
    accepted: bool
    created_at: dt.datetime
    evidence_entry_id: int | None = Field(None, description="The private journal entry its author keeps it as "
                                                            "(shown to its author only)")


class PostDetailOut(PostOut):
    replies: list[ReplyOut]


class PostIn(Schema):
    kind: PostKindName
    title: str = Field("", max_length=200)
    body: str = Field("", max_length=20_000)
    entry_id: int | None = Field(None, ge=1, le=2**63 - 1)
    resource_id: int | None = Field(None, ge=1, le=2**63 - 1)
    confirm_share: bool = Field(False, description="Required to share an entry that is not visible to everyone: "
                                                   "it shares that one entry with this community's members.")


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=20_000)
    parent_id: int | None = Field(None, ge=1, le=2**63 - 1)


class UsefulIn(Schema):
    useful: bool = True


class AcceptIn(Schema):
    reply_id: int = Field(..., ge=1, le=2**63 - 1)


class JoinIn(Schema):
    message: str = Field("", max_length=1_000)


class JoinOut(Schema):
    status: Literal["member", "requested"]


class JoinRequestOut(Schema):
    id: int
    person: PersonOut
    message: str
    status: str
    created_at: dt.datetime


class DecisionIn(Schema):
    approve: bool


class EvidenceOut(Schema):
    entry_id: int
    url: str


class PromptOut(Schema):
    id: int
    position: int
    title: str
    body: str
    opens_at: dt.datetime | None
    open: bool
    reply_count: int
    url: str


class DiscussionOut(Schema):
    id: int
    community: str
    title: str
    intro: str
    summary_resource_uid: str | None
    prompts: list[PromptOut] = Field(..., description="Open prompts; facilitators also see the ones still to open")
    url: str


class DiscussionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    intro: str = Field("", max_length=10_000)
    prompts: list[str] = Field(..., min_length=1, description="One prompt each: its first line is its title")
    starts_at: dt.datetime = Field(..., description="When the first prompt opens (UTC if no offset is given)")
    every_days: int = Field(7, ge=0, le=90)


class SummaryIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    body: str = Field(..., min_length=1, max_length=100_000)


class SummaryOut(Schema):
    resource_uid: str
    status: str
    url: str


class ResourceLinkOut(Schema):
    resource_uid: str
    title: str
    note: str
    added_by: PersonOut | None
    created_at: dt.datetime
    url: str


class ResourceLinkIn(Schema):
    resource_id: int = Field(..., ge=1, le=2**63 - 1)
    note: str = Field("", max_length=500)


class PostFilters(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)
    kind: str = ""


def _community_out(c: Community, access: selectors.CommunityAccess) -> dict:
    return {"slug": c.slug, "name": c.name, "description": c.description, "access": c.access,
            "member_count": c.member_count, "post_count": c.post_count if access.read else None,
            "you": {"read": access.read, "member": access.member, "facilitator": access.facilitator,
                    "can_join": access.can_join, "can_ask": access.can_ask},
            "url": c.get_absolute_url()}


def _post_out(p: Post, entry=None) -> dict:
    return {"id": p.pk, "community": p.community.slug, "kind": p.kind, "title": p.label, "body": p.body,
            "body_html": str(render_markdown(p.body)), "author": _person(p.author), "created_at": p.created_at,
            "reply_count": p.reply_count, "useful_count": p.useful_count, "accepted_reply_id": p.accepted_reply_id,
            "resource_uid": str(p.resource.uid) if p.resource_id and p.resource else None,
            "shared_entry": ({"id": entry.pk, "title": entry.title, "body": entry.body,
                              "body_html": str(render_markdown(entry.body))} if entry is not None else None),
            "discussion_id": p.discussion_id, "url": p.get_absolute_url()}


def _reply_out(r: Reply, accepted_id: int | None, viewer=None) -> dict:
    return {"id": r.pk, "post_id": r.post_id, "parent_id": r.parent_id, "author": _person(r.author),
            "body": r.body, "body_html": str(render_markdown(r.body)), "useful_count": r.useful_count,
            "accepted": r.pk == accepted_id, "created_at": r.created_at,
            "evidence_entry_id": r.evidence_entry_id if viewer is not None and r.author_id == viewer.pk else None}


def _discussion_out(d: GuidedDiscussion, prompts: list[Post]) -> dict:
    now = timezone.now()
    return {"id": d.pk, "community": d.community.slug, "title": d.title, "intro": d.intro,
            "summary_resource_uid": str(d.summary_resource.uid) if d.summary_resource_id and d.summary_resource
            else None,
            "prompts": [{"id": p.pk, "position": p.position, "title": p.label, "body": p.body, "opens_at": p.opens_at,
                         "open": p.opens_at is None or p.opens_at <= now, "reply_count": p.reply_count,
                         "url": p.get_absolute_url()} for p in prompts],
            "url": reverse("community:discussion", args=[d.community.slug, d.pk])}


def _link_out(link: CommunityResource) -> dict:
    return {"resource_uid": str(link.resource.uid), "title": link.resource.title, "note": link.note,
            "added_by": _person(link.added_by) if link.added_by else None, "created_at": link.created_at,
            "url": link.resource.get_absolute_url()}


def _post_detail(request: HttpRequest, pk: int) -> dict:
    view = selectors.post_view(viewer=request.user, pk=pk)
    flat: list[Reply] = []

    def walk(replies):
        for r in replies:
            flat.append(r)
            walk(r.thread)

    walk(view.replies)
    flat.sort(key=lambda r: (r.created_at, r.pk))
    return {**_post_out(view.post, view.shared_entry),
            "replies": [_reply_out(r, view.post.accepted_reply_id, request.user) for r in flat]}


@router.get("", response=list[CommunityOut])
def community_list(request: HttpRequest, scope: Literal["all", "mine", "discover"] = "all", q: str = ""):
    mine = selectors.my_memberships(viewer=request.user)
    out = []
    for c in selectors.community_list(viewer=request.user, scope=scope, q=q[:100])[:500]:
        out.append(_community_out(c, selectors.community_access(viewer=request.user, community=c,
                                                                membership=mine.get(c.pk))))
    return out


@router.post("", response={201: CommunityOut})
def community_create(request: HttpRequest, payload: CommunityIn):
    c = services.community_create(actor=request.user, **payload.dict())
    return Status(201, _community_out(c, selectors.community_access(viewer=request.user, community=c)))


@router.get("/{slug}", response=CommunityOut)
def community_get(request: HttpRequest, slug: str):
    c, access = selectors.community_get(viewer=request.user, slug=slug)
    return _community_out(c, access)


@router.patch("/{slug}", response=CommunityOut)
def community_update(request: HttpRequest, slug: str, payload: CommunityPatch):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    c = services.community_update(community=c, actor=request.user, **payload.dict())
    return _community_out(c, selectors.community_access(viewer=request.user, community=c))


@router.post("/{slug}/join", response=JoinOut)
def community_join(request: HttpRequest, slug: str, payload: JoinIn | None = None):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    result = services.community_join(community=c, actor=request.user, message=payload.message if payload else "")
    return {"status": "member" if isinstance(result, Membership) else "requested"}


@router.post("/{slug}/leave", response={204: None})
def community_leave(request: HttpRequest, slug: str):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    services.community_leave(community=c, actor=request.user)
    return Status(204, None)


@router.get("/{slug}/members", response=list[PersonOut])
def community_members(request: HttpRequest, slug: str):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    return [_person(m.user) for m in selectors.members_of(viewer=request.user, community=c)[:1000]]


@router.get("/{slug}/requests", response=list[JoinRequestOut])
def join_requests(request: HttpRequest, slug: str):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    return [{"id": r.pk, "person": _person(r.user), "message": r.message, "status": r.status,
             "created_at": r.created_at} for r in selectors.join_requests_open(viewer=request.user, community=c)]


@router.post("/requests/{request_id}", response=JoinRequestOut)
def join_request_decide(request: HttpRequest, request_id: int, payload: DecisionIn):
    req: JoinRequest = selectors.join_request_get_for_facilitator(viewer=request.user, pk=request_id)
    req = services.join_request_decide(join_request=req, actor=request.user, approve=payload.approve)
    return {"id": req.pk, "person": _person(req.user), "message": req.message, "status": req.status,
            "created_at": req.created_at}


@router.get("/{slug}/posts", response=list[PostOut])
def post_list(request: HttpRequest, slug: str, filters: Query[PostFilters]):
    c, access = selectors.community_get(viewer=request.user, slug=slug)
    if not access.read:
        raise NotFound("Posts of this community are for its members.")
    posts = selectors.posts_of(viewer=request.user, community=c, limit=filters.limit, offset=filters.offset,
                               kind=filters.kind)
    entries = selectors.shared_entries_for(viewer=request.user, posts=posts, access=access)
    return [_post_out(p, entries.get(p.share_id)) for p in posts]


@router.post("/{slug}/posts", response={201: PostDetailOut})
def post_create(request: HttpRequest, slug: str, payload: PostIn):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    post = services.post_create(community=c, author=request.user, **payload.dict())
    return Status(201, _post_detail(request, post.pk))


@router.get("/posts/{post_id}", response=PostDetailOut)
def post_get(request: HttpRequest, post_id: int):
    return _post_detail(request, post_id)


@router.delete("/posts/{post_id}", response={204: None})
def post_delete(request: HttpRequest, post_id: int):
    services.post_delete(post=selectors.post_get(viewer=request.user, pk=post_id), actor=request.user)
    return Status(204, None)


@router.post("/posts/{post_id}/replies", response={201: ReplyOut})
def reply_create(request: HttpRequest, post_id: int, payload: ReplyIn):
    post = selectors.post_get(viewer=request.user, pk=post_id)
    parent = Reply.objects.filter(pk=payload.parent_id, post=post).first() if payload.parent_id else None
    if payload.parent_id and parent is None:
        raise NotFound("No such reply on this post.")
    reply = services.reply_create(post=post, author=request.user, body=payload.body, parent=parent)
    return Status(201, _reply_out(reply, post.accepted_reply_id, request.user))


@router.post("/posts/{post_id}/accept", response=PostDetailOut)
def answer_accept(request: HttpRequest, post_id: int, payload: AcceptIn):
    post = selectors.post_get(viewer=request.user, pk=post_id)
    reply = Reply.objects.filter(pk=payload.reply_id, post=post).first()
    if reply is None:
        raise NotFound("No such reply on this post.")
    services.answer_accept(post=post, reply=reply, actor=request.user)
    return _post_detail(request, post.pk)


@router.put("/posts/{post_id}/useful", response=UsefulIn)
def post_useful(request: HttpRequest, post_id: int, payload: UsefulIn):
    post = selectors.post_get(viewer=request.user, pk=post_id)
    return {"useful": services.useful_set(actor=request.user, useful=payload.useful, post=post)}


@router.put("/replies/{reply_id}/useful", response=UsefulIn)
def reply_useful(request: HttpRequest, reply_id: int, payload: UsefulIn):
    reply = selectors.reply_get(viewer=request.user, pk=reply_id)
    return {"useful": services.useful_set(actor=request.user, useful=payload.useful, reply=reply)}


@router.post("/replies/{reply_id}/evidence", response={201: EvidenceOut},
             summary="Keep your reply (an accepted answer, say) as evidence: a private entry in your journal")
def reply_evidence(request: HttpRequest, reply_id: int):
    reply = selectors.reply_get(viewer=request.user, pk=reply_id)
    entry = services.reply_to_evidence(reply=reply, actor=request.user)
    return Status(201, {"entry_id": entry.pk, "url": reverse("journal:detail", args=[entry.pk])})


# --- guided discussions: the same visibility as the pages (readers see open prompts, facilitators the schedule)

@router.get("/{slug}/discussions", response=list[DiscussionOut])
def discussion_list(request: HttpRequest, slug: str):
    c, access = selectors.community_get(viewer=request.user, slug=slug)
    if not access.read:
        raise NotFound("Discussions of this community are for its members.")
    return [_discussion_out(d, prompts) for d, prompts in selectors.discussions_of(viewer=request.user, community=c)]


@router.post("/{slug}/discussions", response={201: DiscussionOut},
             summary="Schedule a guided discussion: prompts that open one by one (facilitators)")
def discussion_create(request: HttpRequest, slug: str, payload: DiscussionIn):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    starts_at = payload.starts_at
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, dt.timezone.utc)
    if any(len(p) > 10_000 for p in payload.prompts):
        raise ValidationError({"prompts": "A prompt is at most 10,000 characters."})
    d = services.discussion_create(community=c, actor=request.user, title=payload.title, intro=payload.intro,
                                   prompts=payload.prompts, starts_at=starts_at, every_days=payload.every_days)
    return Status(201, _discussion_out(*selectors.discussion_get(viewer=request.user, pk=d.pk)[:2]))


@router.get("/discussions/{discussion_id}", response=DiscussionOut)
def discussion_get(request: HttpRequest, discussion_id: int):
    return _discussion_out(*selectors.discussion_get(viewer=request.user, pk=discussion_id)[:2])


@router.post("/discussions/{discussion_id}/summary", response={201: SummaryOut},
             summary="Summarise a discussion into a library page (facilitators)")
def discussion_summarise(request: HttpRequest, discussion_id: int, payload: SummaryIn):
    d, _, _ = selectors.discussion_get(viewer=request.user, pk=discussion_id)
    resource = services.discussion_summarise(discussion=d, actor=request.user, title=payload.title,
                                             body=payload.body)
    return Status(201, {"resource_uid": str(resource.uid), "status": resource.status,
                        "url": resource.get_absolute_url()})


# --- the community's resource list

@router.get("/{slug}/resources", response=list[ResourceLinkOut])
def resource_links(request: HttpRequest, slug: str):
    c, access = selectors.community_get(viewer=request.user, slug=slug)
    if not access.read:
        raise NotFound("Resources of this community are for its members.")
    return [_link_out(link) for link in selectors.resources_of(viewer=request.user, community=c)[:200]]


@router.post("/{slug}/resources", response={201: ResourceLinkOut},
             summary="Add a published library resource to the community's list (members)")
def resource_link(request: HttpRequest, slug: str, payload: ResourceLinkIn):
    c, _ = selectors.community_get(viewer=request.user, slug=slug)
    try:
        link = services.resource_link(community=c, actor=request.user, resource_id=payload.resource_id,
                                      note=payload.note)
    except ValidationError as exc:
        if "resource" in getattr(exc, "error_dict", {}):
            raise ValidationError({"resource_id": exc.error_dict["resource"]}) from exc
        raise
    return Status(201, _link_out(CommunityResource.objects.select_related("resource", "added_by").get(pk=link.pk)))
