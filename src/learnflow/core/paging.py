"""Paging without counting: feeds over the whole organisation grow without bound, and `COUNT(*)` over every row a
person may see costs more than the page itself (0.5 s at a million entries). A page reads one row more than it shows
to know whether an older page exists, and says "page N" rather than "page N of M"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from django.db.models import QuerySet

MAX_PAGE = 1000  # deeper than anyone reads; keeps OFFSET bounded


@dataclass
class PeekPage:
    object_list: Sequence[Any]
    number: int
    has_next: bool
    paginator: None = None  # templates show "of M" only for a counted page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def peek_page(qs: QuerySet, number: Any, per_page: int) -> PeekPage:
    try:
        page = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * per_page
    rows = list(qs[start:start + per_page + 1])
    return PeekPage(object_list=rows[:per_page], number=page, has_next=len(rows) > per_page)
