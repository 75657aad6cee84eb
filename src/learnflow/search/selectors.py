"""One search across what the viewer may see. Each content type contributes hits from its own selector, which
already applies visibility inside the query."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from learnflow.journal.models import Entry
from learnflow.journal.selectors import EntryFilters, entry_list
from learnflow.search import fulltext


@dataclass
class SearchHit:
    kind: str
    id: int
    title: str
    snippet_html: str
    url: str
    author: str
    date: dt.date
    mine: bool


def search_everything(*, viewer: Any, query: str, scope: str = "all", limit: int = 20) -> list[SearchHit]:
    if not fulltext.words(query):
        return []
    entries = list(entry_list(viewer=viewer, scope=scope, filters=EntryFilters(q=query))[:limit])
    snippets = fulltext.highlights(Entry, [e.pk for e in entries], query)
    return [
        SearchHit(kind="entry", id=e.pk, title=e.title, snippet_html=snippets.get(e.pk, ""),
                  url=reverse("journal:detail", args=[e.pk]), author=e.author.display_name,
                  date=e.learned_on, mine=e.author_id == viewer.pk)
        for e in entries
    ]
