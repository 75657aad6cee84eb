from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learnflow.search.selectors import search_everything


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:500]
    scope = request.GET.get("scope") if request.GET.get("scope") in {"all", "mine", "shared"} else "all"
    hits = search_everything(viewer=request.user, query=query, scope=scope, limit=50) if query else []
    template = "search/_results.html" if request.htmx else "search/search.html"
    return render(request, template, {"q": query, "scope": scope, "hits": hits})
