from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from learnflow.search.selectors import SearchFilters, SearchHit, search_everything

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str = Field(..., description="entry or resource")
    id: int
    title: str
    snippet_html: str = Field(..., description="HTML-escaped text with <mark> around the matched words")
    url: str
    author: str
    date: dt.date
    mine: bool
    type_label: str
    resource_kind: str = Field("", description="page, video, audio, document or link (resources only)")
    status: str = Field("", description="a resource's status (published, or draft/in_review for its author)")
    topics: list[str]


class SearchOut(Schema):
    query: str
    count: int
    results: list[HitOut]


class SearchParams(Schema):
    q: str = Field("", max_length=500)
    scope: str = Field("all", pattern="^(all|mine|shared)$")
    type: str = Field("", pattern="^(|entry|resource|page|video|audio|document|link)$")
    topic: str = Field("", max_length=120, description="a topic's slug")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = Field(20, ge=1, le=100)


@router.get("", response=SearchOut, summary="Search everything the caller may see: journal, shared entries, library")
def search(request: HttpRequest, params: Query[SearchParams]):
    hits: list[SearchHit] = search_everything(
        viewer=request.user, query=params.q, scope=params.scope, limit=params.limit,
        filters=SearchFilters(type=params.type, topic=params.topic, date_from=params.date_from,
                              date_to=params.date_to))
    return {"query": params.q, "count": len(hits), "results": [h.__dict__ for h in hits]}
