"""The community page's lists, written in Python: twenty posts (and two lists of names) through `{% include %}` cost
more CPU than the rest of the page together (bench/community.py, issue 6). The markup is the same the templates
wrote, every value escaped by format_html / format_html_join, exactly as autoescaping did."""
from __future__ import annotations

from typing import Iterable

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

register = template.Library()

_ANSWERED = mark_safe('<span class="chip">answered</span>')
_SHARED_WITH_MEMBERS = mark_safe('<p class="empty">A journal entry shared with the members of this community.</p>')
_NO_LONGER_SHARED = mark_safe('<p class="empty">The author no longer shares this entry.</p>')


def _attachment(post) -> SafeString | str:
    """What a share post shows of the entry or resource it shares."""
    if post.kind == "entry":
        if post.shared_entry is not None:
            shown = format_html("<p><strong>Shared entry:</strong> {}</p>", post.shared_entry.title)
        elif post.share_id:
            shown = _SHARED_WITH_MEMBERS  # an entry readable by the community's members only
        else:
            shown = _NO_LONGER_SHARED
        return format_html("\n    \n    {}\n    \n  ", shown)
    if post.kind == "resource" and post.resource_uid is not None:
        return format_html('<p><strong>Resource:</strong> <a href="{}">{}</a></p>',
                           reverse("library:resource", args=[post.resource_uid]), post.resource_title)
    return ""


def post_item(post, posts_url: str) -> SafeString:
    """One selectors.PostItem as a list item: its title (linked), kind, author, date, replies, "useful" count, the
    accepted-answer mark, what it shares, and the plain-text excerpt of its body."""
    created = template_localtime(post.created_at)
    replies = post.reply_count
    return format_html(
        '<li class="entry" id="post-{pk}">\n'
        '  <h3><a href="{url}{pk}/">{label}</a></h3>\n'
        '  <div class="meta">\n'
        '    <span class="chip">{kind}</span>\n'
        '    <span>{author}</span>\n'
        '    <span><time datetime="{iso}">{day} {month} {year}</time></span>\n'
        '    <span>{replies} repl{plural}</span>\n'
        '    {useful}\n'
        '    {answered}\n'
        '  </div>\n'
        '  {attachment}\n'
        '  {excerpt}\n'
        '</li>\n',
        pk=post.pk, url=posts_url, label=post.label, kind=post.kind_label, author=post.author_name,
        iso=created.isoformat(), day=created.day, month=MONTHS_3[created.month].title(), year=created.year,
        replies=replies, plural="y" if replies == 1 else "ies",
        useful=format_html("<span>{} found it useful</span>", post.useful_count) if post.useful_count else "",
        answered=_ANSWERED if post.answered else "",
        attachment=_attachment(post),
        excerpt=format_html("<p>{}</p>", post.excerpt) if post.excerpt else "",
    )


@register.simple_tag
def post_items(posts: Iterable, posts_url: str) -> SafeString:
    return mark_safe("".join(post_item(post, posts_url) for post in posts))  # each item is escaped by format_html


@register.simple_tag
def name_items(names: Iterable[str]) -> SafeString:
    """`<li>name</li>` for each person: the members list in the page's sidebar."""
    return format_html_join("", "<li>{}</li>", ((name,) for name in names))
