from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from learnflow.search.selectors import SearchHit, search_everything

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str
    id: int
    title: str
    snippet_html: str
    url: str
    author: str
    date: dt.date
    mine: bool


class SearchOut(Schema):
    query: str
    count: int
    results: list[HitOut]


class SearchParams(Schema):
    q: str = Field("", max_length=500)
    scope: str = Field("all", pattern="^(all|mine|shared)$")
    limit: int = Field(20, ge=1, le=100)


@router.get("", response=SearchOut, summary="Search everything the caller may see")
def search(request: HttpRequest, params: Query[SearchParams]):
    hits: list[SearchHit] = search_everything(viewer=request.user, query=params.q, scope=params.scope,
                                              limit=params.limit)
    return {"query": params.q, "count": len(hits), "results": [h.__dict__ for h in hits]}
