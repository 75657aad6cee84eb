"""The knowledge flow's "community" source: new posts (and discussion prompts as they open) in the communities a
person is a member of. Membership is checked at call time, so someone who leaves a hidden community stops getting
its posts in their digest at once; non-members never get any (not even from open communities: they follow those
by joining)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Sequence

from django.db.models import Q
from django.utils import timezone

from learnflow.community.models import Membership, Post
from learnflow.core.markdown import plain_text

PER_PERSON = 20


def _item(post: Post) -> Any:
    from learnflow.flow.sources import FlowItem

    return FlowItem(key=f"community:{post.pk}", kind="post", title=f"{post.label} · {post.community.name}",
                    url=post.get_absolute_url(), summary=plain_text(post.body, 240), published_at=post.created_at,
                    author=post.author.display_name, note=post.get_kind_display())


def _posts(community_ids: Sequence[int], start: dt.datetime, end: dt.datetime):
    now = timezone.now()
    return (Post.objects.filter(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
            .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
            .select_related("community", "author").order_by("-created_at", "-id"))


def community_items(*, viewer: Any, start: dt.datetime, end: dt.datetime) -> list[Any]:
    if not (viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active):
        return []
    ids = list(Membership.objects.filter(user_id=viewer.pk).values_list("community_id", flat=True))
    return [_item(p) for p in _posts(ids, start, end).exclude(author_id=viewer.pk)[:PER_PERSON]] if ids else []


def community_items_many(*, viewers: Sequence[Any], start: dt.datetime, end: dt.datetime) -> dict[int, list[Any]]:
    active = {v.pk: v for v in viewers if getattr(v, "is_active", False)}
    member_of: dict[int, list[int]] = defaultdict(list)
    for user_id, community_id in Membership.objects.filter(user_id__in=list(active)).values_list(
            "user_id", "community_id"):
        member_of[community_id].append(user_id)
    out: dict[int, list[Any]] = {pk: [] for pk in active}
    if not member_of:
        return out
    for post in _posts(list(member_of), start, end).iterator(chunk_size=2000):
        item = None
        for user_id in member_of[post.community_id]:
            if user_id != post.author_id and len(out[user_id]) < PER_PERSON:
                item = item or _item(post)
                out[user_id].append(item)
    return out


def register() -> None:
    try:
        from learnflow.flow.sources import source_register
    except ImportError:  # the flow app is optional
        return
    source_register("community", community_items, label="Communities", many=community_items_many)
