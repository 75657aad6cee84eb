"""/api/library: resources (list, search, get, create, change), votes, comments, flags, completion, review.
Same selectors and services as the pages: the caller sees what they would see there."""
from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from learnflow.core.markdown import render_markdown
from learnflow.library import selectors, services
from learnflow.library.models import Comment, Resource
from learnflow.search import fulltext

router = Router(tags=["library"])


class TopicOut(Schema):
    id: int
    name: str
    slug: str


class ResourceOut(Schema):
    uid: uuid.UUID
    kind: str
    title: str
    summary: str
    body: str = Field(..., description="Markdown")
    body_html: str = Field(..., description="sanitised HTML")
    url: str
    site_name: str
    image_url: str
    image: str | None = Field(None, description="Learnflow's own copy of the picture (path), once it is fetched")
    file_url: str | None
    file_name: str
    file_type: str
    file_size: int | None
    topics: list[TopicOut]
    author: str | None
    author_username: str | None
    curator_note: str
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    useful_count: int
    link: str = Field(..., description="the resource's stable page (path)")


class ResourcePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResourceOut]


class ResourceIn(Schema):
    kind: str = Field("page", description="page, video, audio, document or link")
    title: str = Field("", max_length=300, description="may be blank for a link: read from the page")
    summary: str = Field("", max_length=5_000)
    body: str = Field("", max_length=100_000)
    url: str = Field("", max_length=2000)
    topics: list[int] = Field(default_factory=list, max_length=50, description="topic ids")
    curator_note: str = Field("", max_length=5_000)
    submit: bool = Field(True, description="publish (or send for review); false keeps a draft")
    read_page: bool = Field(True, description="for a link: fill blank title and summary from the page")


class ResourcePatch(Schema):
    kind: str | None = None
    title: str | None = Field(None, max_length=300)
    summary: str | None = Field(None, max_length=5_000)
    body: str | None = Field(None, max_length=100_000)
    url: str | None = Field(None, max_length=2000)
    site_name: str | None = Field(None, max_length=200)
    image_url: str | None = Field(None, max_length=2000)
    curator_note: str | None = Field(None, max_length=5_000)
    topics: list[int] | None = Field(None, max_length=50)


class ListParams(Schema):
    q: str = Field("", max_length=500, description="words to search for (ranked by relevance)")
    topic: str = Field("", max_length=120, description="a topic's slug (its subtopics included)")
    kind: str = Field("", pattern="^(|page|video|audio|document|link)$")
    status: str = Field("", pattern="^(|draft|in_review|published|archived)$")
    mine: bool = False
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


class VoteIn(Schema):
    useful: bool = True


class VoteOut(Schema):
    useful: bool
    useful_count: int


class CommentIn(Schema):
    body: str = Field(..., max_length=5_000)


class CommentOut(Schema):
    id: int
    author: str
    body: str
    body_html: str
    created_at: dt.datetime


class FlagIn(Schema):
    kind: str = Field(..., description="obsolete or needs_update")
    note: str = Field("", max_length=2_000)


class FlagOut(Schema):
    id: int
    kind: str
    note: str
    created_at: dt.datetime


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=5_000)


class CompletionOut(Schema):
    completed_at: dt.datetime


def resource_out(r: Resource) -> dict:
    from django.urls import reverse

    return {
        "uid": r.uid, "kind": r.kind, "title": r.title, "summary": r.summary, "body": r.body,
        "body_html": str(render_markdown(r.body)) if r.body else "", "url": r.url, "site_name": r.site_name,
        "image_url": r.image_url,
        "image": r.shown_image.get_absolute_url() if r.shown_image else None,
        "file_url": reverse("library:file", args=[r.uid]) if r.file else None,
        "file_name": r.file_name, "file_type": r.file_type, "file_size": r.file_size,
        "topics": [{"id": t.pk, "name": t.name, "slug": t.slug} for t in r.topics.all()],
        "author": r.author.display_name if r.author else None,
        "author_username": r.author.username if r.author else None, "curator_note": r.curator_note,
        "status": r.status, "published_at": r.published_at, "created_at": r.created_at, "updated_at": r.updated_at,
        "useful_count": r.useful_count, "link": r.get_absolute_url(),
    }


def _get(request: HttpRequest, uid: uuid.UUID) -> Resource:
    return selectors.resource_get(viewer=request.user, uid=uid)


@router.get("", response=ResourcePage, summary="List or search the resources the caller may see")
def list_resources(request: HttpRequest, params: Query[ListParams]):
    if params.mine:
        qs = selectors.resource_mine(viewer=request.user)
        if params.status:
            qs = qs.filter(status=params.status)
        if params.kind:
            qs = qs.filter(kind=params.kind)
    else:
        qs = selectors.resource_list(viewer=request.user, filters=selectors.ResourceFilters(
            topic=params.topic, kind=params.kind, status=params.status))
    if params.q:
        qs = fulltext.search(qs, params.q) if fulltext.words(params.q) else qs.none()
    items = list(qs[params.offset: params.offset + params.limit])
    return {"count": qs.count(), "limit": params.limit, "offset": params.offset,
            "items": [resource_out(r) for r in items]}


@router.post("", response={201: ResourceOut}, summary="Add a resource (a page, a link, a video or document by link)")
def create_resource(request: HttpRequest, payload: ResourceIn):
    if payload.kind == "link" and payload.read_page and payload.url and not (payload.title and payload.summary):
        resource = services.resource_create_from_url(
            author=request.user, url=payload.url, topics=payload.topics, title=payload.title,
            summary=payload.summary, curator_note=payload.curator_note, submit=payload.submit)
    else:
        resource = services.resource_create(
            author=request.user, kind=payload.kind, title=payload.title, summary=payload.summary, body=payload.body,
            url=payload.url, topics=payload.topics, curator_note=payload.curator_note, submit=payload.submit)
    return Status(201, resource_out(_get(request, resource.uid)))


@router.post("/upload", response={201: ResourceOut}, summary="Add a video, audio or document as a file")
def upload_resource(request: HttpRequest, file: File[UploadedFile], kind: Form[str], title: Form[str],
                    summary: Form[str] = "", topics: Form[str] = "", submit: Form[bool] = True):
    try:
        topic_ids = [int(t) for t in topics.split(",") if t.strip()]
    except ValueError:
        raise ValidationError({"topics": "Give topic ids separated by commas."}) from None
    resource = services.resource_create(author=request.user, kind=kind, title=title, summary=summary,
                                        topics=topic_ids, upload=file, submit=submit)
    return Status(201, resource_out(_get(request, resource.uid)))


@router.get("/{uid}", response=ResourceOut, summary="One resource")
def get_resource(request: HttpRequest, uid: uuid.UUID):
    return resource_out(_get(request, uid))


@router.patch("/{uid}", response=ResourceOut, summary="Change a resource (its author or a curator)")
def patch_resource(request: HttpRequest, uid: uuid.UUID, payload: ResourcePatch):
    data = payload.dict(exclude_unset=True)
    topics = data.pop("topics", None)
    services.resource_update(resource=_get(request, uid), actor=request.user, topics=topics, **data)
    return resource_out(_get(request, uid))


@router.post("/{uid}/vote", response=VoteOut, summary="Say whether the resource was useful (one vote per person)")
def vote(request: HttpRequest, uid: uuid.UUID, payload: VoteIn):
    resource = _get(request, uid)
    services.vote_set(resource=resource, user=request.user, useful=payload.useful)
    return {"useful": payload.useful, "useful_count": resource.useful_count}


@router.get("/{uid}/comments", response=list[CommentOut], summary="Comments, oldest first")
def list_comments(request: HttpRequest, uid: uuid.UUID):
    return [_comment_out(c) for c in selectors.resource_comments(viewer=request.user, resource=_get(request, uid))]


def _comment_out(c: Comment) -> dict:
    return {"id": c.pk, "author": c.author.display_name, "body": c.body, "body_html": str(render_markdown(c.body)),
            "created_at": c.created_at}


@router.post("/{uid}/comments", response={201: CommentOut}, summary="Comment (Markdown)")
def add_comment(request: HttpRequest, uid: uuid.UUID, payload: CommentIn):
    comment = services.comment_add(resource=_get(request, uid), author=request.user, body=payload.body)
    return Status(201, _comment_out(comment))


@router.post("/{uid}/flags", response={201: FlagOut}, summary="Mark obsolete or needing an update (the owner is told)")
def add_flag(request: HttpRequest, uid: uuid.UUID, payload: FlagIn):
    flag = services.flag_raise(resource=_get(request, uid), user=request.user, kind=payload.kind, note=payload.note)
    return Status(201, {"id": flag.pk, "kind": flag.kind, "note": flag.note, "created_at": flag.created_at})


@router.post("/{uid}/complete", response=CompletionOut, summary="Mark as done (a statement in the caller's record)")
def complete(request: HttpRequest, uid: uuid.UUID):
    done = services.resource_complete(resource=_get(request, uid), viewer=request.user)
    return {"completed_at": done.completed_at}


@router.post("/{uid}/review", response=ResourceOut, summary="Approve or return a resource waiting for review")
def review(request: HttpRequest, uid: uuid.UUID, payload: ReviewIn):
    services.resource_review(resource=_get(request, uid), reviewer=request.user, approve=payload.approve,
                             note=payload.note)
    return resource_out(_get(request, uid))
