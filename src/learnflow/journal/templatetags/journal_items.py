"""A journal entry as a list item, written in Python: every list of entries (timeline, feeds, search, weekly review)
shows up to twenty of them, and through the template engine they cost more than the rest of the page together
(bench/journal.py). The markup is the same as a template would write, escaped by format_html."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


_PK = 987654321


@lru_cache(maxsize=8)
def _urls(script_prefix: str) -> tuple[str, str]:
    # reverse() once per URL shape instead of twice per entry (a third of this function's time); keyed by the
    # script prefix, the one thing reverse() reads besides the URLconf.
    return reverse("journal:timeline"), reverse("journal:detail", args=[_PK])


def _day(d) -> str:
    return f"{WEEKDAYS_ABBR[d.weekday()]} {d.day} {str(MONTHS_3[d.month]).title()} {d.year}"  # "Mon 23 Nov 2026"


@register.simple_tag
def entry_item(entry, show_author: bool = False) -> SafeString:
    timeline, detail = _urls(get_script_prefix())
    detail = detail.replace(str(_PK), str(entry.pk))
    parts = [format_html("<span>{}</span>", _day(entry.learned_on)),
             format_html("<span>{}</span>", entry.get_way_display())]
    if entry.minutes:
        parts.append(format_html("<span>{} min</span>", entry.minutes))
    if show_author:
        parts.append(format_html("<span>by {}</span>", entry.author.display_name))
    parts.append(format_html('<span class="chip vis-{}">{}</span>', entry.visibility, entry.get_visibility_display()))
    parts.append(format_html_join("", '<a class="chip" href="{}?tag={}">#{}</a>',
                                  ((timeline, quote_plus(tag.name), tag.name) for tag in entry.tags.all())))
    if entry.has_reflection:
        parts.append(mark_safe("<span>reflected</span>"))
    note = (format_html('<p class="help">Why it is worth sharing: {}</p>', entry.share_note)
            if show_author and entry.share_note else "")
    return format_html(
        '<li class="entry" id="entry-{}">\n  <h3><a href="{}">{}</a></h3>\n  <div class="meta">\n    {}\n  </div>\n'
        '  {}\n</li>', entry.pk, detail, entry.title,
        mark_safe("\n    ".join(parts)), note)


@register.simple_tag
def filter_fields(form) -> SafeString:
    """The timeline's filter form (text, date and choice fields) as plain labelled inputs: the same markup as
    `{% for field in form %}<div>{{ label }}{{ field }}</div>{% endfor %}`, without a widget template per field and
    per option on every timeline page."""
    out = []
    for bound in form:
        field, name, ident = bound.field, bound.html_name, bound.auto_id
        value = bound.value()
        label = format_html('<label for="{}">{}</label>', ident, bound.label)
        invalid = mark_safe(' aria-invalid="true"') if form.is_bound and bound.errors else ""
        choices = getattr(field, "choices", None)
        if choices is not None:
            current = "" if value is None else str(value)
            options = format_html_join("", '<option value="{}"{}>{}</option>', (
                (v, mark_safe(" selected") if str(v) == current else "", text) for v, text in choices))
            control = format_html('<select name="{}" id="{}"{}>{}</select>', name, ident, invalid, options)
        else:
            kind = getattr(field.widget, "input_type", "text")
            shown = "" if value in (None, "") else (value.isoformat() if hasattr(value, "isoformat") else value)
            control = format_html('<input type="{}" name="{}" id="{}"{}{}>', kind, name, ident,
                                  format_html(' value="{}"', shown) if shown != "" else "", invalid)
        out.append(format_html("<div>{}{}</div>", label, control))
    return mark_safe("".join(out))
