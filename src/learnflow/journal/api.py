from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from learnflow.journal import selectors, services
from learnflow.journal.models import FORMALITY_OF_WAY, Entry, Way

router = Router(tags=["journal"])

VisibilityName = Literal["private", "manager", "team", "organisation"]


class LinkSchema(Schema):
    url: str = Field(max_length=2000)
    title: str = Field("", max_length=200)


class ReflectionSchema(Schema):
    happened: str = ""
    learned: str = ""
    apply: str = ""
    differently: str = ""


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class AuthorOut(Schema):
    id: int
    username: str
    name: str


class EntryIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, description="What I learned, in one line.")
    body: str = Field("", max_length=50_000, description="Markdown.")
    way: str = Field(Way.DAILY_WORK.value, description="How I learned it: one of GET /api/journal/ways.")
    learned_on: dt.date | None = Field(None, description="Defaults to today in the author's time zone.")
    minutes: int | None = Field(None, ge=0, le=10080)
    visibility: VisibilityName = "private"
    share_note: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=50)
    skills: list[str] = Field(default_factory=list, max_length=50)
    links: list[LinkSchema] = Field(default_factory=list, max_length=20)
    reflection: ReflectionSchema | None = None


class EntryPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=50_000)
    way: str | None = None
    learned_on: dt.date | None = None
    minutes: int | None = Field(None, ge=0, le=10080)
    visibility: VisibilityName | None = None
    share_note: str | None = Field(None, max_length=500)
    tags: list[str] | None = None
    skills: list[str] | None = None
    links: list[LinkSchema] | None = None
    reflection: ReflectionSchema | None = None


class EntryOut(Schema):
    id: int
    uid: str
    title: str
    body: str
    way: str
    formality: str
    learned_on: dt.date
    minutes: int | None
    visibility: str
    share_note: str
    tags: list[str]
    skills: list[str]
    links: list[LinkSchema]
    reflection: ReflectionSchema
    attachments: list[AttachmentOut]
    author: AuthorOut
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class EntryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntryOut]


class WayOut(Schema):
    value: str
    label: str
    formality: str


def entry_out(entry: Entry) -> dict:
    return {
        "id": entry.pk, "uid": str(entry.uid), "title": entry.title, "body": entry.body, "way": entry.way,
        "formality": entry.formality, "learned_on": entry.learned_on, "minutes": entry.minutes,
        "visibility": entry.visibility, "share_note": entry.share_note,
        "tags": [t.name for t in entry.tags.all()], "skills": [s.name for s in entry.skills.all()],
        "links": [{"url": l.url, "title": l.title} for l in entry.links.all()],
        "reflection": {"happened": entry.reflection_happened, "learned": entry.reflection_learned,
                       "apply": entry.reflection_apply, "differently": entry.reflection_differently},
        "attachments": [{"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
                         "url": reverse("journal:attachment", args=[a.pk])} for a in entry.attachments.all()],
        "author": {"id": entry.author.pk, "username": entry.author.username, "name": entry.author.display_name},
        "created_at": entry.created_at, "updated_at": entry.updated_at,
        "url": reverse("journal:detail", args=[entry.pk]),
    }


class ListFilters(Schema):
    scope: Literal["mine", "shared", "all"] = "mine"
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    way: str = ""
    tag: str = ""
    skill: str = ""
    visibility: VisibilityName | Literal[""] = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


@router.get("/ways", response=list[WayOut], summary="Ways of learning")
def ways(request: HttpRequest):
    return [{"value": w.value, "label": w.label, "formality": FORMALITY_OF_WAY[w]} for w in Way]


@router.get("/entries", response=EntryPage, summary="List entries the caller may see")
def list_entries(request: HttpRequest, filters: Query[ListFilters]):
    flt = selectors.EntryFilters(date_from=filters.date_from, date_to=filters.date_to, way=filters.way,
                                 tag=filters.tag, skill=filters.skill, visibility=filters.visibility, q=filters.q)
    qs = selectors.entry_list(viewer=request.user, scope=filters.scope, filters=flt)
    items = list(qs[filters.offset: filters.offset + filters.limit])
    return {"count": qs.count(), "limit": filters.limit, "offset": filters.offset,
            "items": [entry_out(e) for e in items]}


@router.post("/entries", response={201: EntryOut}, summary="Log a learning")
def create_entry(request: HttpRequest, payload: EntryIn):
    data = payload.dict()
    entry = services.entry_create(
        author=request.user, title=data["title"], body=data["body"], way=data["way"],
        learned_on=data["learned_on"], minutes=data["minutes"], visibility=data["visibility"],
        share_note=data["share_note"], tags=data["tags"], skills=data["skills"],
        links=[services.LinkIn(**l) for l in data["links"]], reflection=data["reflection"], source="api",
    )
    return Status(201, entry_out(selectors.entry_get_own(viewer=request.user, pk=entry.pk)))


@router.get("/entries/{entry_id}", response=EntryOut, summary="One entry, if the caller may see it")
def get_entry(request: HttpRequest, entry_id: int):
    return entry_out(selectors.entry_get(viewer=request.user, pk=entry_id))


@router.patch("/entries/{entry_id}", response=EntryOut, summary="Change an entry (author only)")
def patch_entry(request: HttpRequest, entry_id: int, payload: EntryPatch):
    entry = selectors.entry_get_own(viewer=request.user, pk=entry_id)
    data = payload.dict(exclude_unset=True)
    if "links" in data and data["links"] is not None:
        data["links"] = [services.LinkIn(**l) for l in data["links"]]
    if "minutes" not in data:
        data["minutes"] = ...
    services.entry_update(entry=entry, actor=request.user, **data)
    return entry_out(selectors.entry_get_own(viewer=request.user, pk=entry_id))


@router.delete("/entries/{entry_id}", response={204: None}, summary="Delete an entry (author only)")
def delete_entry(request: HttpRequest, entry_id: int):
    services.entry_delete(entry=selectors.entry_get_own(viewer=request.user, pk=entry_id), actor=request.user)
    return Status(204, None)


@router.post("/entries/{entry_id}/attachments", response={201: AttachmentOut}, summary="Attach a file")
def add_attachment(request: HttpRequest, entry_id: int, file: File[UploadedFile]):
    entry = selectors.entry_get_own(viewer=request.user, pk=entry_id)
    a = services.attachment_add(entry=entry, actor=request.user, upload=file)
    return Status(201, {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
                        "url": reverse("journal:attachment", args=[a.pk])})
