"""Every read of the library. Each takes the viewer; who sees a resource is decided by `resource_visible_q` only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from learnflow.core.errors import NotFound
from learnflow.curation.models import Topic
from learnflow.library.models import (
    Collection, CollectionItem, Comment, Completion, Flag, Resource, ResourceStatus, TopicReviewPolicy, Vote,
)


def _is_reader(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active)


def is_reviewer(viewer: Any) -> bool:
    return _is_reader(viewer) and bool(getattr(viewer, "is_lnd", False))


def resource_visible_q(viewer: Any) -> Q:
    """Published: every active person. Drafts: the author. In review or archived: the author and reviewers."""
    if not _is_reader(viewer):
        return Q(pk__in=[])
    q = Q(status=ResourceStatus.PUBLISHED) | Q(author_id=viewer.pk)
    if is_reviewer(viewer):
        q |= Q(status__in=[ResourceStatus.IN_REVIEW, ResourceStatus.ARCHIVED])
    return q


def can_see_resource(viewer: Any, resource: Resource) -> bool:
    if not _is_reader(viewer):
        return False
    if resource.status == ResourceStatus.PUBLISHED or resource.author_id == viewer.pk:
        return True
    return is_reviewer(viewer) and resource.status in (ResourceStatus.IN_REVIEW, ResourceStatus.ARCHIVED)


def can_edit_resource(viewer: Any, resource: Resource) -> bool:
    """The author, and curators (L&D, admins) who keep the library in order."""
    return _is_reader(viewer) and (resource.author_id == viewer.pk or is_reviewer(viewer))


def resources_visible_to(*, viewer: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(resource_visible_q(viewer))


def resources_published_between(*, viewer: Any, start: dt.datetime, end: dt.datetime,
                                 topic_ids: Iterable[int] | None = None,
                                 author_ids: Iterable[int] | None = None) -> QuerySet[Resource]:
    """Published in [start, end), on any of `topic_ids` or by any of `author_ids` (either list narrows; both
    given: either matches). For digests and feeds."""
    qs = resources_visible_to(viewer=viewer).filter(status=ResourceStatus.PUBLISHED, published_at__gte=start,
                                                    published_at__lt=end)
    topic_ids, author_ids = list(topic_ids or []), list(author_ids or [])
    if topic_ids or author_ids:
        who = Q(pk__in=[])
        if topic_ids:
            who |= Q(pk__in=Resource.topics.through.objects.filter(topic_id__in=topic_ids).values("resource_id"))
        if author_ids:
            who |= Q(author_id__in=author_ids)
        qs = qs.filter(who)
    return qs.select_related("author").prefetch_related("topics").order_by("-published_at", "-pk")


@dataclass
class ResourceFilters:
    topic: str = ""  # slug; includes the topic's subtopics
    kind: str = ""
    status: str = ""
    author_id: int | None = None
    sort: str = "new"  # new | useful


def topic_with_descendants(topic: Topic) -> list[int]:
    ids, frontier = [topic.pk], [topic.pk]
    while frontier:  # topics are few and shallow: one query per level
        frontier = list(Topic.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _with_related(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    return qs.select_related("author", "image").prefetch_related("topics")


def resource_list(*, viewer: Any, filters: ResourceFilters | None = None) -> QuerySet[Resource]:
    filters = filters or ResourceFilters()
    qs = resources_visible_to(viewer=viewer)
    qs = qs.filter(status=filters.status) if filters.status else qs.filter(status=ResourceStatus.PUBLISHED)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.author_id:
        qs = qs.filter(author_id=filters.author_id)
    if filters.topic:
        topic = Topic.objects.filter(slug=filters.topic).first()
        if topic is None:
            return qs.none()
        through = Resource.topics.through.objects.filter(topic_id__in=topic_with_descendants(topic))
        qs = qs.filter(pk__in=through.values("resource_id"))
    order = ("-useful_count", "-published_at", "-pk") if filters.sort == "useful" else ("-published_at", "-pk")
    return _with_related(qs).order_by(*order)


def resource_mine(*, viewer: Any) -> QuerySet[Resource]:
    """The viewer's own resources in every status (drafts, in review, returned, published, archived)."""
    return _with_related(Resource.objects.filter(author_id=viewer.pk)).order_by("-updated_at", "-pk")


def review_queue(*, viewer: Any) -> QuerySet[Resource]:
    if not is_reviewer(viewer):
        return Resource.objects.none()
    return _with_related(resources_visible_to(viewer=viewer).filter(status=ResourceStatus.IN_REVIEW)).order_by(
        "updated_at", "pk")


def resource_get(*, viewer: Any, uid: Any) -> Resource:
    resource = (_with_related(resources_visible_to(viewer=viewer)).filter(uid=uid)
                .annotate(voted=Exists(Vote.objects.filter(resource=OuterRef("pk"), user_id=viewer.pk)),
                          completed=Exists(Completion.objects.filter(resource=OuterRef("pk"), user_id=viewer.pk)))
                .first()) if _is_reader(viewer) else None
    if resource is None:
        raise NotFound("No such resource, or it is not published yet.")
    return resource


def resource_comments(*, viewer: Any, resource: Resource) -> QuerySet[Comment]:
    if not can_see_resource(viewer, resource):
        return Comment.objects.none()
    return resource.comments.select_related("author").order_by("created_at", "pk")


def resource_open_flags(*, viewer: Any, resource: Resource) -> QuerySet[Flag]:
    """Open flags: shown to whoever can edit the resource (they act on them), and each to the person who raised it."""
    qs = resource.flags.filter(resolved_at__isnull=True).select_related("raised_by")
    if can_edit_resource(viewer, resource):
        return qs
    return qs.filter(raised_by_id=getattr(viewer, "pk", None))


def topic_review_required(topic_ids: Iterable[int]) -> bool:
    return TopicReviewPolicy.objects.filter(topic_id__in=list(topic_ids), review_required=True).exists()


def topic_list(*, viewer: Any) -> list[Topic]:
    """Topics with the number of published resources each has (its own, not its subtopics')."""
    from django.db.models import Count

    if not _is_reader(viewer):
        return []
    return list(Topic.objects.select_related("parent", "review_policy").annotate(
        published=Count("resources", filter=Q(resources__status=ResourceStatus.PUBLISHED), distinct=True)))


def topic_get(*, viewer: Any, slug: str) -> Topic:
    topic = Topic.objects.select_related("parent").filter(slug=slug).first() if _is_reader(viewer) else None
    if topic is None:
        raise NotFound("No such topic.")
    return topic


def collection_list(*, viewer: Any, topic: Topic | None = None) -> QuerySet[Collection]:
    if not _is_reader(viewer):
        return Collection.objects.none()
    qs = Collection.objects.select_related("author", "topic")
    return qs.filter(topic=topic) if topic is not None else qs


def collection_get(*, viewer: Any, uid: Any) -> Collection:
    if not _is_reader(viewer):
        raise NotFound("No such collection.")
    items = CollectionItem.objects.filter(resource__in=resources_visible_to(viewer=viewer)).select_related(
        "resource", "resource__author").order_by("position", "pk")
    collection = (Collection.objects.select_related("author", "topic")
                  .prefetch_related(Prefetch("items", queryset=items, to_attr="visible_items")).filter(uid=uid).first())
    if collection is None:
        raise NotFound("No such collection.")
    done = set(Completion.objects.filter(user_id=viewer.pk, resource_id__in=[i.resource_id for i in
                                                                              collection.visible_items])
               .values_list("resource_id", flat=True))
    for item in collection.visible_items:
        item.completed = item.resource_id in done
    return collection


def can_edit_collection(viewer: Any, collection: Collection) -> bool:
    return _is_reader(viewer) and (collection.author_id == viewer.pk or is_reviewer(viewer))
