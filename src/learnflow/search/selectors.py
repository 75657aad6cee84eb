"""One search across what the viewer may see: their journal, entries shared with them, and the resource library.
Each content type contributes hits from its own selector, which already applies visibility inside the query; the
full-text index only narrows and ranks those querysets, and the best of both are merged by the same score."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse

from learnflow.core.models import Tag
from learnflow.curation.models import Topic
from learnflow.journal.models import Entry
from learnflow.journal.selectors import EntryFilters, entry_list
from learnflow.library.models import Resource, ResourceKind, ResourceStatus
from learnflow.library.selectors import resources_visible_to, topic_with_descendants
from learnflow.search import fulltext, topk

SCOPES = ("all", "mine", "shared")
# What a search can be narrowed to: journal entries, any resource, or one kind of resource.
TYPES = ("", "entry", "resource", *ResourceKind.values)


@dataclass
class SearchHit:
    kind: str  # "entry" or "resource"
    id: int
    title: str
    snippet_html: str
    url: str
    author: str
    date: dt.date
    mine: bool
    type_label: str = "Journal entry"
    resource_kind: str = ""
    status: str = ""
    topics: list[str] = field(default_factory=list)
    rank: float = 0.0


@dataclass
class SearchFilters:
    type: str = ""
    topic: str = ""  # a topic's slug: resources on it or its subtopics, entries tagged with its or a subtopic's name
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _check(scope: str, filters: SearchFilters) -> Topic | None:
    if scope not in SCOPES:
        raise ValidationError({"scope": f"Choose one of: {', '.join(SCOPES)}."})
    if filters.type not in TYPES:
        raise ValidationError({"type": f"Choose one of: {', '.join(t for t in TYPES if t)}."})
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError({"date_to": "The end date is before the start date."})
    if not filters.topic:
        return None
    topic = Topic.objects.filter(slug=filters.topic).first()
    if topic is None:
        raise ValidationError({"topic": "No such topic."})
    return topic


_ENTRY_TEXTS = ("body", "share_note", "reflection_happened", "reflection_learned", "reflection_apply",
                "reflection_differently")


def _entry_hits(viewer: Any, query: str, scope: str, filters: SearchFilters, topic_ids: list[int] | None,
                limit: int) -> list[SearchHit]:
    entry_filters = EntryFilters(date_from=filters.date_from, date_to=filters.date_to)
    # A hit needs the entry and its author only: the journal's prefetches (tags, skills, links, files) are dropped.
    visible = entry_list(viewer=viewer, scope=scope, filters=entry_filters).prefetch_related(None)
    if topic_ids is not None:
        # Entries share topics through tags: one named like the topic or any of its subtopics.
        names = {Tag.normalise(name) for name in Topic.objects.filter(pk__in=topic_ids).values_list("name", flat=True)}
        tag_ids = list(Tag.objects.filter(name__in=names).values_list("pk", flat=True))
        if not tag_ids:
            return []  # no entry is tagged with the topic: nothing to search
        # EXISTS per candidate (the (entry, tag) index), not IN over every entry with the tag.
        through = Entry.tags.through.objects.filter(entry_id=OuterRef("pk"), tag_id__in=tag_ids)
        visible = visible.filter(Exists(through))
    # A hit shows the title, day and author: the long texts stay in the database (the snippet comes from the index).
    entries = topk.top_objects(visible.defer(*_ENTRY_TEXTS), query, limit)
    snippets = fulltext.highlights(Entry, [e.pk for e in entries], query)
    return [
        SearchHit(kind="entry", id=e.pk, title=e.title, snippet_html=snippets.get(e.pk, ""),
                  url=reverse("journal:detail", args=[e.pk]), author=e.author.display_name,
                  date=e.learned_on, mine=e.author_id == viewer.pk, rank=float(getattr(e, "rank", 0.0) or 0.0),
                  type_label="Journal entry" if e.author_id == viewer.pk else "Shared entry")
        for e in entries
    ]


def _resource_hits(viewer: Any, query: str, scope: str, filters: SearchFilters, topic_ids: list[int] | None,
                   limit: int) -> list[SearchHit]:
    qs = resources_visible_to(viewer=viewer).exclude(status=ResourceStatus.ARCHIVED)
    if scope == "mine":
        qs = qs.filter(author_id=viewer.pk)
    elif scope == "shared":
        qs = qs.filter(status=ResourceStatus.PUBLISHED).exclude(author_id=viewer.pk)
    if filters.type in ResourceKind.values:
        qs = qs.filter(kind=filters.type)
    if topic_ids is not None:
        # Checked per candidate through the (resource, topic) index: `pk IN (every resource on the topic)` built a
        # list of a third of the library for each query (76 ms at 100,000 resources).
        qs = qs.filter(Exists(Resource.topics.through.objects.filter(resource_id=OuterRef("pk"),
                                                                     topic_id__in=topic_ids)))
    if filters.date_from:
        qs = qs.filter(published_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(published_at__date__lte=filters.date_to)
    found = topk.top_objects(qs.select_related("author").defer("summary", "body", "curator_note"), query, limit)
    snippets = fulltext.highlights(Resource, [r.pk for r in found], query)
    # The hits' topic names in one query of values: prefetch_related("topics") builds a related manager per
    # resource, a third of this function's time.
    topics: dict[int, list[str]] = {}
    for resource_id, name in (Resource.topics.through.objects.filter(resource_id__in=[r.pk for r in found])
                              .order_by("topic__name").values_list("resource_id", "topic__name")):
        topics.setdefault(resource_id, []).append(name)
    kinds = dict(ResourceKind.choices)
    return [
        SearchHit(kind="resource", id=r.pk, title=r.title, snippet_html=snippets.get(r.pk, ""),
                  url=r.get_absolute_url(), author=r.author.display_name if r.author else (r.site_name or ""),
                  date=(r.published_at or r.created_at).date(), mine=r.author_id == viewer.pk,
                  rank=float(getattr(r, "rank", 0.0) or 0.0), type_label=kinds.get(r.kind, r.kind).split(" (")[0],
                  resource_kind=r.kind, status=r.status, topics=topics.get(r.pk, []))
        for r in found
    ]


def search_everything(*, viewer: Any, query: str, scope: str = "all", limit: int = 20,
                      filters: SearchFilters | None = None) -> list[SearchHit]:
    """The best `limit` matches the viewer may see, best first (then newest). Raises ValidationError for a filter
    that makes no sense (an unknown type or topic, dates the wrong way round)."""
    filters = filters or SearchFilters()
    topic = _check(scope, filters)
    if not fulltext.words(query):
        return []
    topic_ids = topic_with_descendants(topic) if topic is not None else None
    hits: list[SearchHit] = []
    if filters.type in ("", "entry"):
        hits += _entry_hits(viewer, query, scope, filters, topic_ids, limit)
    if filters.type != "entry":
        hits += _resource_hits(viewer, query, scope, filters, topic_ids, limit)
    hits.sort(key=lambda h: (-h.rank, -h.date.toordinal(), h.kind, -h.id))
    return hits[:limit]
