from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learnflow.core.errors import form_apply_errors
from learnflow.search.forms import SearchForm
from learnflow.search.selectors import SearchFilters, search_everything


# The best twenty: a search page answers a question; more is a sign the words need sharpening (the API goes to
# 100).
PAGE_SIZE = 20


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    # A NUL byte is never part of a search (and forms refuse it): drop it rather than fail the page.
    data["q"] = (data.get("q") or "").replace("\x00", "").strip()[:500]
    data.setdefault("scope", "all")
    form = SearchForm(data)
    hits, query, status = [], "", 200
    if form.is_valid():
        d = form.cleaned_data
        query = d["q"]
        try:
            hits = search_everything(
                viewer=request.user, query=query, scope=d["scope"] or "all", limit=PAGE_SIZE,
                filters=SearchFilters(type=d["type"], topic=d["topic"], date_from=d["date_from"],
                                      date_to=d["date_to"])) if query else []
        except ValidationError as exc:
            form_apply_errors(form, exc)
            status = 400
    else:
        query, status = data["q"], 400
    template = "search/_results.html" if request.htmx else "search/search.html"
    return render(request, template, {"form": form, "q": query, "hits": hits}, status=status)
