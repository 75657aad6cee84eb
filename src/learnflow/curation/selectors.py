"""Every read of curation. Curation is L&D's workspace: non-curators get PermissionDenied from every selector."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus, Topic
from learnflow.curation.services import curator_required


def topic_list(*, viewer: Any) -> QuerySet[Topic]:
    curator_required(viewer)
    return Topic.objects.select_related("parent").annotate(
        new_items=Count("inbox_items", filter=Q(inbox_items__status=InboxStatus.NEW), distinct=True),
        source_count=Count("sources", distinct=True),
    )


def topic_get(*, viewer: Any, slug: str) -> Topic:
    curator_required(viewer)
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise NotFound("No such topic.")
    return topic


def source_list(*, viewer: Any, topic: Topic | None = None) -> QuerySet[FeedSource]:
    curator_required(viewer)
    qs = FeedSource.objects.select_related("topic", "created_by")
    return qs.filter(topic=topic) if topic is not None else qs


def source_get(*, viewer: Any, topic: Topic, pk: int) -> FeedSource:
    curator_required(viewer)
    source = FeedSource.objects.select_related("topic", "created_by").filter(topic=topic, pk=pk).first()
    if source is None:
        raise NotFound("No such subscription.")
    return source


def inbox_list(*, viewer: Any, topic: Topic, status: str = InboxStatus.NEW) -> QuerySet[InboxItem]:
    curator_required(viewer)
    return (InboxItem.objects.filter(topic=topic, status=status)
            .select_related("topic", "source", "decided_by").order_by("-published", "-created_at", "-pk"))


def inbox_counts(*, viewer: Any, topic: Topic) -> dict[str, int]:
    curator_required(viewer)
    counts = dict(InboxItem.objects.filter(topic=topic).values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in InboxStatus.values}


def inbox_item_get(*, viewer: Any, topic: Topic, pk: int) -> InboxItem:
    curator_required(viewer)
    item = InboxItem.objects.select_related("topic", "source", "decided_by").filter(topic=topic, pk=pk).first()
    if item is None:
        raise NotFound("No such item.")
    return item
