"""/api/flow: the caller's flow, what they follow, and their digest preference."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status

from learnflow.core.errors import NotFound
from learnflow.curation.models import Topic
from learnflow.flow import selectors, services

router = Router(tags=["flow"])


class ItemOut(Schema):
    key: str
    kind: str
    title: str
    url: str
    summary: str
    note: str
    author: str
    published_at: dt.datetime


class FollowIn(Schema):
    topic_id: int | None = None
    curator_id: int | None = None
    source: str = ""
    ref: str = ""


class FollowsOut(Schema):
    topics: list[dict]
    curators: list[dict]
    sources: dict[str, list[str]]


class PreferenceIO(Schema):
    frequency: Literal["daily", "weekly", "off"]
    by_email: bool = True


def _item(item) -> dict:
    return {"key": item.key, "kind": item.kind, "title": item.title, "url": item.url, "summary": item.summary,
            "note": item.note, "author": item.author, "published_at": item.published_at}


def _target(payload: FollowIn) -> dict:
    if payload.topic_id is not None:
        topic = Topic.objects.filter(pk=payload.topic_id).first()
        if topic is None:
            raise NotFound("No such topic.")
        return {"topic": topic}
    if payload.curator_id is not None:
        person = get_user_model().objects.filter(pk=payload.curator_id, is_active=True).first()
        if person is None:
            raise NotFound("No such person.")
        return {"curator": person}
    if payload.source:
        return {"source": payload.source, "ref": payload.ref}
    raise ValidationError({"topic_id": "Say what to follow: topic_id, curator_id, or source and ref."})


def _follows(request: HttpRequest) -> dict:
    mine = selectors.follows_of(viewer=request.user)
    return {"topics": [{"id": t.pk, "name": t.name, "slug": t.slug} for t in mine.topics],
            "curators": [{"id": c.pk, "username": c.username, "name": c.display_name} for c in mine.curators],
            "sources": mine.refs}


@router.get("", response=list[ItemOut], summary="The caller's flow of the last 30 days")
def flow(request: HttpRequest):
    return [_item(i) for i in selectors.flow_live(viewer=request.user)]


@router.get("/follows", response=FollowsOut, summary="What the caller follows")
def follows(request: HttpRequest):
    return _follows(request)


@router.post("/follows", response={201: FollowsOut}, summary="Follow a topic, a curator or a community")
def follow(request: HttpRequest, payload: FollowIn):
    services.follow_add(user=request.user, **_target(payload))
    return Status(201, _follows(request))


@router.post("/follows/remove", response=FollowsOut, summary="Stop following")
def unfollow(request: HttpRequest, payload: FollowIn):
    services.follow_remove(user=request.user, **_target(payload))
    return _follows(request)


@router.get("/preference", response=PreferenceIO, summary="The caller's digest preference")
def preference(request: HttpRequest):
    pref = selectors.preference_for(viewer=request.user)
    return {"frequency": pref.frequency, "by_email": pref.by_email}


@router.put("/preference", response=PreferenceIO, summary="Change the caller's digest preference")
def preference_put(request: HttpRequest, payload: PreferenceIO):
    pref = services.digest_preference_update(user=request.user, frequency=payload.frequency,
                                             by_email=payload.by_email)
    return {"frequency": pref.frequency, "by_email": pref.by_email}
