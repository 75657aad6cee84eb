"""Every read of the journal. Each takes the viewer and goes through learnflow.core.visibility."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.core.models import Tag
from learnflow.core.visibility import Visibility
from learnflow.journal.models import Entry, EntryAttachment, WeeklyReview
from learnflow.journal.services import today_for
from learnflow.org.models import User
from learnflow.search import fulltext


@dataclass
class EntryFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    way: str = ""
    formality: str = ""
    tag: str = ""
    skill: str = ""
    visibility: str = ""
    q: str = ""
    author_ids: list[int] = field(default_factory=list)


def _with_related(qs: QuerySet[Entry], *, detail: bool = True, author: bool = True) -> QuerySet[Entry]:
    if author:
        qs = qs.select_related("author", "author__team")
    if not detail:
        # A list item on a page shows only the tags: three fewer queries and no skill, link or file objects.
        return qs.prefetch_related("tags")
    return qs.prefetch_related(
        "tags", "skills", "links", Prefetch("attachments", queryset=EntryAttachment.objects.order_by("id"))
    )


def _apply(qs: QuerySet[Entry], filters: EntryFilters | None) -> QuerySet[Entry]:
    if filters is None:
        return qs
    if filters.date_from:
        qs = qs.filter(learned_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(learned_on__lte=filters.date_to)
    if filters.way:
        qs = qs.filter(way=filters.way)
    if filters.formality:
        from learnflow.journal.models import ways_of

        qs = qs.filter(way__in=ways_of(filters.formality))
    if filters.tag:
        # Tags are stored normalised ("Code Review" → "code-review"): the filter must normalise the same way.
        qs = qs.filter(tags__name=Tag.normalise(filters.tag))
    if filters.skill:
        qs = qs.filter(skills__name__iexact=filters.skill)
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    if filters.author_ids:
        qs = qs.filter(author_id__in=filters.author_ids)
    if filters.q:
        qs = fulltext.filter_entries(qs, filters.q)
    return qs


def entry_timeline(*, viewer: Any, filters: EntryFilters | None = None, detail: bool = True) -> QuerySet[Entry]:
    """The viewer's own journal, newest first. `detail=False` for lists that show no skills, links or files."""
    # The author is the viewer: a list of one's own entries needs no join to read it again for every row.
    return _ordered(_with_related(_apply(Entry.objects.owned_by(viewer), filters), detail=detail, author=detail),
                    filters)


def entry_list(*, viewer: Any, scope: str = "mine", filters: EntryFilters | None = None) -> QuerySet[Entry]:
    """scope: mine (own), shared (shared with me by others), all (both)."""
    base = Entry.objects.all()
    if scope == "mine":
        qs = base.owned_by(viewer)
    elif scope == "shared":
        qs = base.shared_with(viewer)
    else:
        qs = base.visible_to(viewer)
    return _ordered(_with_related(_apply(qs, filters)), filters)


def _ordered(qs: QuerySet[Entry], filters: EntryFilters | None) -> QuerySet[Entry]:
    # A text query is ordered by relevance (fulltext.search did that); everything else newest first.
    return qs if filters is not None and filters.q else qs.order_by("-learned_on", "-id")


def entry_get(*, viewer: Any, pk: int) -> Entry:
    entry = _with_related(Entry.objects.visible_to(viewer)).filter(pk=pk).first()
    if entry is None:
        raise NotFound("No such entry, or it is not shared with you.")
    return entry


def entry_get_own(*, viewer: Any, pk: int) -> Entry:
    entry = _with_related(Entry.objects.owned_by(viewer)).filter(pk=pk).first()
    if entry is None:
        raise NotFound("No such entry in your journal.")
    return entry


def attachment_get(*, viewer: Any, pk: int) -> EntryAttachment:
    attachment = (EntryAttachment.objects.select_related("entry", "entry__author")
                  .filter(pk=pk, entry__in=Entry.objects.visible_to(viewer)).first())
    if attachment is None:
        raise NotFound("No such file, or it is not shared with you.")
    return attachment


def team_feed(*, viewer: Any, detail: bool = True) -> QuerySet[Entry]:
    """What teammates, and the viewer's direct reports, shared with the viewer."""
    near = Q(manager_id=viewer.pk)
    if viewer.team_id:
        near |= Q(team_id=viewer.team_id)
    # The few people near the viewer first, then their entries by author: the visibility rule alone would make the
    # database walk every organisation-wide entry to find the teammates' ones (1.5 s at a million entries).
    authors = list(User.objects.filter(near).values_list("pk", flat=True))
    qs = Entry.objects.shared_with(viewer).filter(author_id__in=authors)
    return _with_related(qs, detail=detail).order_by("-learned_on", "-id")


def organisation_feed(*, viewer: Any, detail: bool = True) -> QuerySet[Entry]:
    qs = Entry.objects.shared_with(viewer).filter(visibility=Visibility.ORGANISATION)
    return _with_related(qs, detail=detail).order_by("-learned_on", "-id")


def day_counts(*, viewer: Any, since: dt.date) -> dict[dt.date, int]:
    rows = (Entry.objects.owned_by(viewer).filter(learned_on__gte=since).values("learned_on")
            .annotate(n=Count("id")).order_by())
    return {row["learned_on"]: row["n"] for row in rows}


def streak(*, viewer: Any, counts: dict[dt.date, int] | None = None) -> int:
    """Consecutive days with a learning logged, ending today (or yesterday, while today is still open)."""
    today = today_for(viewer)
    if counts is None:
        counts = day_counts(viewer=viewer, since=today - dt.timedelta(days=400))
    day = today if counts.get(today) else today - dt.timedelta(days=1)
    run = 0
    while counts.get(day):
        run += 1
        day -= dt.timedelta(days=1)
    return run


@dataclass
class HeatDay:
    day: dt.date
    count: int
    level: int


def heatmap(*, viewer: Any, weeks: int = 53) -> tuple[list[list[HeatDay | None]], int, int]:
    """Weeks × weekdays of counts for the calendar heat map, plus the streak and the total, from one query."""
    today = today_for(viewer)
    start = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    counts = day_counts(viewer=viewer, since=min(start, today - dt.timedelta(days=400)))
    grid: list[list[HeatDay | None]] = []
    total = 0
    for w in range(weeks):
        column: list[HeatDay | None] = []
        for d in range(7):
            day = start + dt.timedelta(days=7 * w + d)
            if day > today:
                column.append(None)
                continue
            n = counts.get(day, 0)
            total += n
            column.append(HeatDay(day=day, count=n, level=0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3))
        grid.append(column)
    return grid, streak(viewer=viewer, counts=counts), total


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def weekly_review_get(*, viewer: Any, week_start: dt.date) -> WeeklyReview | None:
    return WeeklyReview.objects.filter(author=viewer, week_start=week_start).first()


def week_entries(*, viewer: Any, week_start: dt.date) -> QuerySet[Entry]:
    return entry_timeline(viewer=viewer, filters=EntryFilters(date_from=week_start,
                                                              date_to=week_start + dt.timedelta(days=6)))
