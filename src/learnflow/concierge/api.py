"""/api/help: help requests, suggestions, the conversation, the L&D queue and "who knows about X". Same selectors and
services as the pages, so the same people see the same things."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from learnflow.concierge import selectors, services
from learnflow.concierge.models import HelpRequest, QueueReason
from learnflow.core.errors import NotFound

router = Router(tags=["concierge"])

MAX_ID = 2**63 - 1          # the largest id a database column holds: larger ones are refused, not looked up


class In(Schema):
    """Request bodies: a field this API does not know is refused (422 naming it), never silently ignored: a
    misspelt `helper` would otherwise resolve a request with nobody."""

    model_config = ConfigDict(extra="forbid")


class PersonOut(Schema):
    id: int
    username: str
    name: str


class SuggestionOut(Schema):
    person: PersonOut
    reasons: list[str]
    good_match: bool
    open_requests: int


class AskOut(Schema):
    id: int
    person: PersonOut
    asked_by: PersonOut
    status: str
    note: str
    reply_note: str
    passed_to: PersonOut | None = None


class MessageOut(Schema):
    id: int
    author: PersonOut
    body: str
    created_at: dt.datetime


class RequestOut(Schema):
    id: int
    title: str
    description: str
    tried: str
    topics: list[str]
    skills: list[str]
    urgency: str
    mode: str
    status: str
    asker: PersonOut
    helper: PersonOut | None = None
    in_queue: bool
    queue_reason: str
    taken_by: PersonOut | None = None
    resource_url: str | None = None
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    asks: list[AskOut] | None = None
    messages: list[MessageOut] | None = None
    url: str


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


class RequestIn(In):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    tried: str = Field("", max_length=10_000)
    topic_ids: list[int] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=20)
    urgency: Literal["low", "normal", "high"] = "normal"
    mode: Literal["chat", "call", "written"] = "written"


class AskIn(In):
    people: list[int] = Field(..., min_length=1, max_length=5, description="User ids to ask.")
    note: str = Field("", max_length=500)


class RespondIn(In):
    accept: bool
    note: str = Field("", max_length=500)


class PassIn(In):
    to: int
    note: str = Field("", max_length=500)


class MessageIn(In):
    body: str = Field(..., min_length=1, max_length=20_000)


class ResolveIn(In):
    helper: int | None = None


class ThankIn(In):
    note: str = Field("", max_length=150)


class ListFilters(Schema):
    scope: Literal["mine", "asked", "queue", "all"] = "mine"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class DirectoryFilters(Schema):
    q: str = Field(..., min_length=1, max_length=200)
    limit: int = Field(20, ge=1, le=50)


class SettingsIO(Schema):
    opt_out: bool


class SettingsIn(In):
    opt_out: bool


class CommunityOut(Schema):
    id: int
    name: str
    access: str
    members: int
    url: str


class ResourceOut(Schema):
    id: int
    title: str
    kind: str
    summary: str
    url: str


class SuggestionsOut(Schema):
    """What the request's page shows: people who can help, and communities and resources that match."""
    people: list[SuggestionOut]
    communities: list[CommunityOut]
    resources: list[ResourceOut]


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "username": user.username, "name": user.display_name}


def request_out(r: HelpRequest, *, full: bool = False) -> dict:
    out = {
        "id": r.pk, "title": r.title, "description": r.description, "tried": r.tried,
        "topics": [t.name for t in r.topics.all()], "skills": [s.name for s in r.skills.all()],
        "urgency": r.urgency, "mode": r.mode, "status": r.status, "asker": _person(r.asker),
        "helper": _person(r.helper), "in_queue": r.in_queue, "queue_reason": r.queue_reason,
        "taken_by": _person(r.taken_by), "created_at": r.created_at, "resolved_at": r.resolved_at,
        "resource_url": r.resource.get_absolute_url() if full and r.resource_id else None,
        "url": r.get_absolute_url(),
    }
    if full:
        out["asks"] = [{"id": a.pk, "person": _person(a.person), "asked_by": _person(a.asked_by), "status": a.status,
                        "note": a.note, "reply_note": a.reply_note, "passed_to": _person(a.passed_to)}
                       for a in r.asks.all()]
        out["messages"] = [{"id": m.pk, "author": _person(m.author), "body": m.body, "created_at": m.created_at}
                           for m in r.messages.all()]
    return out


def suggestion_out(s: selectors.PersonSuggestion) -> dict:
    return {"person": _person(s.person), "reasons": s.reasons, "good_match": s.good_match,
            "open_requests": s.open_requests}


def _check_ids(field: str, ids) -> None:
    for value in ids:
        if value is not None and not 1 <= value <= MAX_ID:
            raise ValidationError({field: f"No such id: {value}."})


def _get(request: HttpRequest, request_id: int) -> HelpRequest:
    if not 1 <= request_id <= MAX_ID:
        raise NotFound("No such help request.")
    return selectors.help_request_get(viewer=request.user, pk=request_id)


def _full(request: HttpRequest, request_id: int) -> dict:
    return request_out(_get(request, request_id), full=True)


def _people(ids: list[int], field: str = "people") -> list:
    _check_ids(field, ids)
    users = get_user_model().objects.in_bulk(ids)
    missing = [i for i in ids if i not in users]
    if missing:
        raise ValidationError({field: f"No such person: {missing[0]}."})
    return [users[i] for i in ids]


@router.get("/requests", response=RequestPage, summary="Help requests the caller may see")
def list_requests(request: HttpRequest, filters: Query[ListFilters]):
    qs = selectors.help_request_list(viewer=request.user, scope=filters.scope)
    items = list(qs[filters.offset: filters.offset + filters.limit])
    return {"count": qs.count(), "items": [request_out(r) for r in items]}


@router.post("/requests", response={201: RequestOut}, summary="Ask for help")
def create_request(request: HttpRequest, payload: RequestIn):
    from learnflow.curation.models import Topic

    _check_ids("topic_ids", payload.topic_ids)
    topics = list(Topic.objects.filter(pk__in=payload.topic_ids))
    unknown = sorted(set(payload.topic_ids) - {t.pk for t in topics})
    if unknown:
        raise ValidationError({"topic_ids": f"No such topic: {unknown[0]}."})
    help_request = services.help_request_create(asker=request.user, title=payload.title,
                                                description=payload.description, tried=payload.tried, topics=topics,
                                                skills=payload.skills, urgency=payload.urgency, mode=payload.mode)
    return Status(201, _full(request, help_request.pk))


@router.get("/requests/{request_id}", response=RequestOut, summary="One request with its asks and conversation")
def get_request(request: HttpRequest, request_id: int):
    return _full(request, request_id)


@router.get("/requests/{request_id}/suggestions", response=SuggestionsOut,
            summary="Who can help, and communities and resources that match (the asker, or L&D for a queued request)")
def request_suggestions(request: HttpRequest, request_id: int, k: int = 5):
    help_request = _get(request, request_id)
    if request.user.pk != help_request.asker_id and not (help_request.in_queue and request.user.is_lnd):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Suggestions are for the asker (and L&D once the request is queued).")
    people = selectors.request_suggestions(viewer=request.user, request=help_request, k=max(1, min(k, 20)))
    topics = list(help_request.topics.all())
    text = f"{help_request.title}\n{help_request.description}"
    communities = selectors.communities_matching(viewer=request.user, text=text, topics=topics)
    resources = selectors.resources_matching(viewer=request.user, text=text, topics=topics)
    return {"people": [suggestion_out(s) for s in people],
            "communities": [{"id": c.pk, "name": c.name, "access": c.access, "members": c.member_count,
                             "url": c.get_absolute_url()} for c in communities],
            "resources": [{"id": r.pk, "title": r.title, "kind": r.kind, "summary": r.summary,
                           "url": r.get_absolute_url()} for r in resources]}


@router.post("/requests/{request_id}/asks", response=RequestOut, summary="Ask colleagues to help")
def ask(request: HttpRequest, request_id: int, payload: AskIn):
    services.help_request_ask(request=_get(request, request_id), actor=request.user, people=_people(payload.people),
                              note=payload.note)
    return _full(request, request_id)


def _my_ask(request: HttpRequest, request_id: int):
    help_request = _get(request, request_id)
    my_ask = selectors.ask_for(request=help_request, viewer=request.user)
    if my_ask is None:
        raise NotFound("You were not asked.")
    return my_ask


@router.post("/requests/{request_id}/respond", response=RequestOut, summary="Accept or decline (the person asked)")
def respond(request: HttpRequest, request_id: int, payload: RespondIn):
    services.help_ask_respond(ask=_my_ask(request, request_id), actor=request.user, accept=payload.accept,
                              note=payload.note)
    return _full(request, request_id)


@router.post("/requests/{request_id}/pass", response=RequestOut, summary="Pass it on to someone else, with a note")
def pass_on(request: HttpRequest, request_id: int, payload: PassIn):
    services.help_ask_pass(ask=_my_ask(request, request_id), actor=request.user, to=_people([payload.to], "to")[0],
                           note=payload.note)
    return _full(request, request_id)


@router.post("/requests/{request_id}/messages", response={201: RequestOut}, summary="Write in the conversation")
def post_message(request: HttpRequest, request_id: int, payload: MessageIn):
    services.help_message_post(request=_get(request, request_id), author=request.user, body=payload.body)
    return Status(201, _full(request, request_id))


@router.post("/requests/{request_id}/resolve", response=RequestOut, summary="Mark resolved (the asker)")
def resolve(request: HttpRequest, request_id: int, payload: ResolveIn):
    helper = _people([payload.helper], "helper")[0] if payload.helper is not None else None
    services.help_request_resolve(request=_get(request, request_id), actor=request.user, helper=helper)
    return _full(request, request_id)


@router.post("/requests/{request_id}/thank", response=RequestOut, summary="Thank the helper (the asker)")
def thank(request: HttpRequest, request_id: int, payload: ThankIn):
    services.help_request_thank(request=_get(request, request_id), actor=request.user, note=payload.note)
    return _full(request, request_id)


@router.post("/requests/{request_id}/publish", response=RequestOut,
             summary="Agree to publish as a Q&A (asker and helper; published once both agree)")
def publish(request: HttpRequest, request_id: int):
    services.help_request_publish_agree(request=_get(request, request_id), actor=request.user)
    return _full(request, request_id)


@router.post("/requests/{request_id}/queue", response=RequestOut, summary="Send to the L&D concierge (the asker)")
def send_to_queue(request: HttpRequest, request_id: int):
    services.help_request_queue(request=_get(request, request_id), actor=request.user, reason=QueueReason.ASKED)
    return _full(request, request_id)


@router.post("/requests/{request_id}/take", response=RequestOut, summary="Take a queued request (L&D)")
def take(request: HttpRequest, request_id: int):
    services.help_request_take(request=_get(request, request_id), actor=request.user)
    return _full(request, request_id)


@router.get("/experts", response=list[SuggestionOut], summary="Who knows about X (people who opted out never appear)")
def experts(request: HttpRequest, filters: Query[DirectoryFilters]):
    return [suggestion_out(s) for s in
            selectors.expertise_directory(viewer=request.user, query=filters.q, k=filters.limit)]


@router.get("/settings", response=SettingsIO, summary="My concierge settings")
def get_settings(request: HttpRequest):
    return {"opt_out": services.opted_out(request.user)}


@router.put("/settings", response=SettingsIO, summary="Change my concierge settings")
def put_settings(request: HttpRequest, payload: SettingsIn):
    profile = services.concierge_profile_set(user=request.user, opt_out=payload.opt_out)
    return {"opt_out": profile.opt_out}
