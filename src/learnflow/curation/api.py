"""/api/curation: what curators do on the curation pages, for scripts and other tools — topics, feed subscriptions,
OPML in and out, "fetch it now", and each topic's curation inbox (publish with a note, dismiss).

Who may use it is the pages' rule, `curation.services.is_curator` (active L&D people and admins): it is checked right
after authentication, before any input is read, so a member or manager hears 403 whatever they send, as on the pages;
no token is 401. The selectors and services check it again. Everything else goes through the same selectors and
services as the pages: publishing here is publishing there (the library's listener makes the resource, the review and
duplicate rules apply), and a fetch goes through the SSRF-safe fetcher in the background task."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import ConfigDict

from learnflow.api import BearerToken, BrowserSession
from learnflow.curation import selectors, services
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus, Topic
from learnflow.curation.opml import MAX_OPML_BYTES


class _CuratorsOnly:
    """The API's own authentication, then the curation pages' rule: an authenticated person who does not curate is
    refused (403) before the operation reads any input."""

    def authenticate(self, request: HttpRequest, *args):
        user = super().authenticate(request, *args)  # type: ignore[misc]
        if user is not None:
            services.curator_required(user)
        return user


class CuratorToken(_CuratorsOnly, BearerToken):
    """`Authorization: Bearer <token>` of an L&D person or an admin."""


class CuratorSession(_CuratorsOnly, BrowserSession):
    """The signed-in browser session (CSRF-checked) of an L&D person or an admin."""


router = Router(tags=["curation"], auth=[CuratorToken(), CuratorSession()])

OPML_TYPES = ("text/x-opml", "application/xml", "text/xml", "application/octet-stream", "text/plain")
MAX_OFFSET = 100_000


class In(Schema):
    """Request bodies and query strings: a field this API does not know is refused (422 naming it), never silently
    ignored — a misspelt `enabled` would otherwise leave a feed running that the curator meant to pause."""

    model_config = ConfigDict(extra="forbid")


# --- schemas ------------------------------------------------------------------------------------------------------

class TopicOut(Schema):
    id: int
    name: str
    slug: str = Field(..., description="names the topic in every other path")
    parent: str | None = Field(None, description="the enclosing topic's slug")
    description: str
    new_items: int = Field(..., description="items waiting in the topic's inbox")
    source_count: int = Field(..., description="feeds the topic is subscribed to")


class TopicIn(In):
    name: str = Field(..., min_length=1, max_length=120)
    parent: str | None = Field(None, max_length=120, description="slug of the enclosing topic; none for top level")
    description: str = Field("", max_length=5_000)


class SourceOut(Schema):
    id: int
    topic: str = Field(..., description="slug of the topic this subscription feeds")
    url: str
    title: str = Field(..., description="the curator's title, or the feed's own once it was fetched")
    enabled: bool = Field(..., description="false: paused, not fetched")
    last_fetched_at: dt.datetime | None
    next_fetch_at: dt.datetime | None
    failures: int = Field(..., description="failed fetches in a row (each one waits longer, at most a day)")
    last_error: str = Field(..., description="why the last fetch failed, in a sentence; empty when it worked")
    created_by: str | None = Field(None, description="username of the curator who subscribed")
    created_at: dt.datetime


class SourceIn(In):
    url: str = Field(..., max_length=2000, description="an RSS, Atom or JSON Feed address (http:// or https://)")
    title: str = Field("", max_length=500, description="empty: the feed's own title, once fetched")


class SourcePatch(In):
    url: str | None = Field(None, max_length=2000, description="a new address starts afresh and is due at once")
    title: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(None, description="false pauses the subscription; true resumes it (due at once)")
    topic: str | None = Field(None, max_length=120, description="slug of another topic to move the subscription "
                                                                "to (items already in the inbox stay)")


class FetchQueuedOut(Schema):
    task_id: str = Field(..., description="the background task that fetches the feed")
    source: SourceOut


class OpmlImportOut(Schema):
    added: list[SourceOut]
    already: int = Field(..., description="feeds in the file the topic was already subscribed to")


class InboxItemOut(Schema):
    id: int
    topic: str
    source_id: int | None = Field(None, description="the subscription it came from (none once unsubscribed)")
    title: str
    link: str
    canonical_link: str = Field(..., description="the link without tracking parameters: one item per topic")
    summary: str = Field(..., description="sanitised HTML")
    author: str
    published: dt.datetime | None
    status: Literal["new", "published", "dismissed"]
    note: str = Field(..., description="the curator's note on why it matters (published items)")
    decided_by: str | None = Field(None, description="username of the curator who published or dismissed it")
    decided_at: dt.datetime | None
    created_at: dt.datetime


class InboxPage(Schema):
    status: Literal["new", "published", "dismissed"]
    counts: dict[str, int] = Field(..., description="items per status in this topic")
    count: int = Field(..., description="items with this status")
    limit: int
    offset: int
    items: list[InboxItemOut]


class InboxParams(In):
    status: Literal["new", "published", "dismissed"] = Field("new", description="which items to list")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SourceParams(In):
    enabled: bool | None = Field(None, description="only running (true) or paused (false) subscriptions")


class PublishIn(In):
    note: str = Field(..., max_length=2_000, description="in a sentence, why this matters (shown with the resource)")


# --- helpers ------------------------------------------------------------------------------------------------------

def _topic_out(t: Topic) -> dict:
    return {"id": t.pk, "name": t.name, "slug": t.slug, "parent": t.parent.slug if t.parent else None,
            "description": t.description, "new_items": getattr(t, "new_items", 0),
            "source_count": getattr(t, "source_count", 0)}


def _source_out(s: FeedSource) -> dict:
    return {"id": s.pk, "topic": s.topic.slug, "url": s.url, "title": s.title, "enabled": s.enabled,
            "last_fetched_at": s.last_fetched_at, "next_fetch_at": s.next_fetch_at, "failures": s.failures,
            "last_error": s.last_error, "created_by": s.created_by.username if s.created_by else None,
            "created_at": s.created_at}


def _item_out(i: InboxItem) -> dict:
    return {"id": i.pk, "topic": i.topic.slug, "source_id": i.source_id, "title": i.title, "link": i.link,
            "canonical_link": i.canonical_link, "summary": i.summary, "author": i.author, "published": i.published,
            "status": i.status, "note": i.note, "decided_by": i.decided_by.username if i.decided_by else None,
            "decided_at": i.decided_at, "created_at": i.created_at}


def _known_params_only(request: HttpRequest, params: type[Schema]) -> None:
    """Query strings, like bodies, refuse what they do not know (`?stauts=dismissed` must not list the new items)."""
    unknown = sorted(set(request.GET) - set(params.model_fields))
    if unknown:
        raise NinjaValidationError([{"loc": ("query", name), "msg": "Extra inputs are not permitted"}
                                    for name in unknown])


def _topic(request: HttpRequest, slug: str) -> Topic:
    return selectors.topic_get(viewer=request.user, slug=slug)


def _topic_field(request: HttpRequest, slug: str, field: str) -> Topic:
    """A topic named in the request body: a missing one is the caller's mistake in that field (400), not a 404."""
    topic = selectors.topic_list(viewer=request.user).filter(slug=slug).first()
    if topic is None:
        raise ValidationError({field: f"No topic “{slug[:120]}”."})
    return topic


def _source(request: HttpRequest, slug: str, pk: int) -> FeedSource:
    return selectors.source_get(viewer=request.user, topic=_topic(request, slug), pk=pk)


def _item(request: HttpRequest, slug: str, pk: int) -> InboxItem:
    return selectors.inbox_item_get(viewer=request.user, topic=_topic(request, slug), pk=pk)


def _reloaded_item(request: HttpRequest, item: InboxItem) -> dict:
    return _item_out(selectors.inbox_item_get(viewer=request.user, topic=item.topic, pk=item.pk))


def _opml_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-subscriptions.opml"'
    return response


_OPML_OUT = {"responses": {200: {"description": "An OPML 2.0 document: one outline per topic holding its feeds.",
                                 "content": {"text/x-opml": {"schema": {"type": "string"}}}}}}


# --- topics -------------------------------------------------------------------------------------------------------

@router.get("/topics", response=list[TopicOut], summary="List topics",
            description="Every topic, with the number of items waiting in its inbox and of its subscriptions.")
def list_topics(request: HttpRequest):
    return [_topic_out(t) for t in selectors.topic_list(viewer=request.user)]


@router.post("/topics", response={201: TopicOut}, summary="Create a topic",
             description="Names are unique (ignoring case); the slug is made from the name.")
def create_topic(request: HttpRequest, payload: TopicIn):
    parent = _topic_field(request, payload.parent, "parent") if payload.parent else None
    topic = services.topic_create(actor=request.user, name=payload.name, parent=parent,
                                  description=payload.description)
    return Status(201, _topic_out(selectors.topic_list(viewer=request.user).get(pk=topic.pk)))


@router.get("/topics/{slug}", response=TopicOut, summary="One topic")
def get_topic(request: HttpRequest, slug: str):
    topic = _topic(request, slug)
    return _topic_out(selectors.topic_list(viewer=request.user).get(pk=topic.pk))


# --- subscriptions ------------------------------------------------------------------------------------------------

@router.get("/topics/{slug}/sources", response=list[SourceOut], summary="List a topic's feed subscriptions",
            description="With each feed's fetch state: when it was last fetched, when it is due, and why it failed.")
def list_sources(request: HttpRequest, slug: str, params: Query[SourceParams]):
    _known_params_only(request, SourceParams)
    qs = selectors.source_list(viewer=request.user, topic=_topic(request, slug))
    if params.enabled is not None:
        qs = qs.filter(enabled=params.enabled)
    return [_source_out(s) for s in qs]


@router.post("/topics/{slug}/sources", response={201: SourceOut}, summary="Subscribe a topic to a feed",
             description="Nothing is fetched in the request: the feed is due at once for the background task, "
                         "which fetches it through the SSRF-safe fetcher (internal addresses are refused there).")
def create_source(request: HttpRequest, slug: str, payload: SourceIn):
    source = services.source_subscribe(actor=request.user, topic=_topic(request, slug), url=payload.url,
                                       title=payload.title)
    return Status(201, _source_out(_source(request, slug, source.pk)))


@router.get("/topics/{slug}/sources/{pk}", response=SourceOut, summary="One subscription")
def get_source(request: HttpRequest, slug: str, pk: int):
    return _source_out(_source(request, slug, pk))


@router.patch("/topics/{slug}/sources/{pk}", response=SourceOut, summary="Change a subscription",
              description="Give only what changes: the address, the title, paused or running, or the topic.")
def update_source(request: HttpRequest, slug: str, pk: int, payload: SourcePatch):
    source = _source(request, slug, pk)
    data = payload.dict(exclude_unset=True)
    for name in ("url", "title", "enabled", "topic"):
        if name in data and data[name] is None:
            raise ValidationError({name: "Leave the field out rather than sending null."})
    topic = _topic_field(request, data["topic"], "topic") if "topic" in data else None
    source = services.source_update(actor=request.user, source=source, topic=topic, url=data.get("url"),
                                    title=data.get("title"), enabled=data.get("enabled"))
    return _source_out(selectors.source_get(viewer=request.user, topic=source.topic, pk=source.pk))


@router.delete("/topics/{slug}/sources/{pk}", response={204: None}, summary="Unsubscribe",
               description="Items already in the inbox stay (they lose their source).")
def delete_source(request: HttpRequest, slug: str, pk: int):
    services.source_unsubscribe(actor=request.user, source=_source(request, slug, pk))
    return Status(204, None)


@router.post("/topics/{slug}/sources/{pk}/fetch", response={202: FetchQueuedOut}, summary="Fetch a feed now",
             description="Queues the fetch for the background task (202): the same SSRF-safe fetcher, size and "
                         "time limits and ingestion as the scheduled runs. Read the subscription again for the "
                         "outcome (`last_fetched_at`, `last_error`).")
def fetch_source(request: HttpRequest, slug: str, pk: int):
    source = _source(request, slug, pk)
    task_id = services.source_fetch_queue(actor=request.user, source=source)
    return Status(202, {"task_id": str(task_id), "source": _source_out(_source(request, slug, pk))})


# --- OPML ---------------------------------------------------------------------------------------------------------

def _opml_bytes(request: HttpRequest, file: UploadedFile | None) -> bytes:
    if request.content_type == "multipart/form-data":
        unknown = sorted((set(request.POST) | set(request.FILES)) - {"file"})
        if unknown:
            raise NinjaValidationError([{"loc": ("form", name), "msg": "Extra inputs are not permitted"}
                                        for name in unknown])
        if file is None:
            raise ValidationError({"file": "Upload the OPML file as the form field “file”."})
        if file.size is not None and file.size > MAX_OPML_BYTES:
            raise ValidationError({"file": "The OPML file is larger than 2 MB."})
        return file.read(MAX_OPML_BYTES + 1)
    try:
        data = request.body
    except (RequestDataTooBig, RawPostDataException):
        raise ValidationError({"file": "The OPML file is larger than 2 MB."}) from None
    if not data:
        raise ValidationError({"file": "The request has no OPML document: send it as the body or upload it as "
                                       "the multipart form field “file”."})
    if request.content_type not in OPML_TYPES:
        raise HttpError(415, f"Send the OPML document as the request body ({', '.join(OPML_TYPES[:3])}) or "
                             f"upload it as the multipart form field “file”.")
    return data


@router.post("/topics/{slug}/opml", response={201: OpmlImportOut}, summary="Import subscriptions from OPML",
             description="All or nothing: when any outline's address is not a feed's web address, nothing is "
                         "subscribed and the 400 names every such outline (by line and title). Feeds the topic is "
                         "already subscribed to are counted, not errors. Send the document as the body "
                         "(`Content-Type: text/x-opml`, `application/xml` or `text/xml`) or upload it as the "
                         "multipart field `file`; at most 2 MB; DOCTYPEs and entities are refused.",
             openapi_extra={"requestBody": {"content": {
                 "text/x-opml": {"schema": {"type": "string"}},
                 "application/xml": {"schema": {"type": "string"}},
                 "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                     "file": {"type": "string", "format": "binary"}}}}}}})
def import_opml(request: HttpRequest, slug: str, file: File[UploadedFile] = None):
    topic = _topic(request, slug)
    result = services.sources_import_opml(actor=request.user, topic=topic, data=_opml_bytes(request, file),
                                          skip_invalid=False)
    added = selectors.source_list(viewer=request.user, topic=topic).filter(pk__in=[s.pk for s in result.added])
    return Status(201, {"added": [_source_out(s) for s in added], "already": result.already})


@router.get("/topics/{slug}/opml", summary="Export a topic's subscriptions as OPML", openapi_extra=_OPML_OUT,
            description="`text/x-opml`; importing it again (here or in a feed reader) gives the same feeds.")
def export_topic_opml(request: HttpRequest, slug: str):
    topic = _topic(request, slug)
    return _opml_response(services.sources_export_opml(viewer=request.user, topic=topic), topic.slug)


@router.get("/opml", summary="Export every topic's subscriptions as OPML", openapi_extra=_OPML_OUT,
            description="`text/x-opml`, one outline per topic that has subscriptions.")
def export_opml(request: HttpRequest):
    return _opml_response(services.sources_export_opml(viewer=request.user), "learnflow")


# --- the inbox ----------------------------------------------------------------------------------------------------

@router.get("/topics/{slug}/inbox", response=InboxPage, summary="A topic's curation inbox",
            description="Items with one status (new by default), newest first, paged with limit and offset.")
def list_inbox(request: HttpRequest, slug: str, params: Query[InboxParams]):
    _known_params_only(request, InboxParams)
    topic = _topic(request, slug)
    counts = selectors.inbox_counts(viewer=request.user, topic=topic)
    qs = selectors.inbox_list(viewer=request.user, topic=topic, status=params.status)
    items = list(qs[params.offset: params.offset + params.limit])
    return {"status": params.status, "counts": counts, "count": counts[params.status], "limit": params.limit,
            "offset": params.offset, "items": [_item_out(i) for i in items]}


@router.get("/topics/{slug}/inbox/{pk}", response=InboxItemOut, summary="One inbox item")
def get_inbox_item(request: HttpRequest, slug: str, pk: int):
    return _item_out(_item(request, slug, pk))


@router.post("/topics/{slug}/inbox/{pk}/publish", response=InboxItemOut, summary="Publish an item",
             description="With a note on why it matters. The same service as the inbox page: the item becomes a "
                         "published link resource in the library (or, when that link is there already, the "
                         "resource gains the topic), in the flow of everyone following the topic or the curator. "
                         "An item already published or dismissed is a 400 (field `status`).")
def publish_item(request: HttpRequest, slug: str, pk: int, payload: PublishIn):
    item = services.inbox_item_publish(item=_item(request, slug, pk), curator=request.user, note=payload.note)
    return _reloaded_item(request, item)


@router.post("/topics/{slug}/inbox/{pk}/dismiss", response=InboxItemOut, summary="Dismiss an item",
             description="It leaves the new items and is never offered again for this topic (the same link "
                         "arriving later is a duplicate).")
def dismiss_item(request: HttpRequest, slug: str, pk: int):
    item = services.inbox_item_dismiss(item=_item(request, slug, pk), curator=request.user)
    return _reloaded_item(request, item)
