"""The calendar heat map's cells, written in Python: 371 cells through the template engine cost more than the rest
of the timeline page together (measured by bench/journal.py)."""
from __future__ import annotations

from django import template
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
CELL = 13


@register.simple_tag
def heatmap_cells(weeks: list) -> SafeString:
    weekdays = [str(WEEKDAYS_ABBR[i]) for i in range(7)]
    months = {i: str(MONTHS_3[i]).title() for i in range(1, 13)}
    cells = []
    for x, week in enumerate(weeks):
        for y, day in enumerate(week):
            if day is None:
                continue
            d = day.day
            label = (f"{weekdays[d.weekday()]} {d.day} {months[d.month]} {d.year}: "
                     f"{day.count} learning{'' if day.count == 1 else 's'}")
            cells.append(f'<rect x="{x * CELL}" y="{y * CELL}" width="11" height="11" rx="2" '
                         f'class="heat{int(day.level)}"><title>{escape(label)}</title></rect>')
    return mark_safe("".join(cells))
