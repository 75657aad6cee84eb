"""The community page's lists, written in Python: twenty posts (and two lists of names) through `{% include %}` cost
more CPU than the rest of the page together (bench/community.py, issue 6). The markup is the same the templates
wrote, every value escaped by format_html / format_html_join, exactly as autoescaping did."""
from __future__ import annotations

from html import escape as html_escape
from typing import Iterable

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html, format_html_join
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
    # Every value from the database passes through _e (what autoescaping does to a plain string); an f-string
    # instead of format_html's keyword arguments halves this function's time.
    created = template_localtime(post.created_at)
    replies = post.reply_count
    useful = f"<span>{post.useful_count} found it useful</span>" if post.useful_count else ""
    excerpt = f"<p>{_e(post.excerpt)}</p>" if post.excerpt else ""
    return mark_safe(
        f'<li class="entry" id="post-{post.pk}">\n'
        f'  <h3><a href="{_e(posts_url)}{post.pk}/">{_e(post.label)}</a></h3>\n'
        f'  <div class="meta">\n'
        f'    <span class="chip">{_e(post.kind_label)}</span>\n'
        f'    <span>{_e(post.author_name)}</span>\n'
        f'    <span><time datetime="{created.isoformat()}">{created.day} {_e(MONTHS_3[created.month].title())} '
        f'{created.year}</time></span>\n'
        f'    <span>{replies} repl{"y" if replies == 1 else "ies"}</span>\n'
        f'    {useful}\n'
        f'    {_ANSWERED if post.answered else ""}\n'
        f'  </div>\n'
        f'  {_attachment(post)}\n'
        f'  {excerpt}\n'
        f'</li>\n')


def _e(value) -> str:
    return conditional_escape(value) if hasattr(value, "__html__") else html_escape(str(value))


@register.simple_tag
def post_items(posts: Iterable, posts_url: str) -> SafeString:
    return mark_safe("".join(post_item(post, posts_url) for post in posts))  # each item escapes its own values


@register.simple_tag
def name_items(names: Iterable[str]) -> SafeString:
    """`<li>name</li>` for each person: the members list in the page's sidebar."""
    return format_html_join("", "<li>{}</li>", ((name,) for name in names))
