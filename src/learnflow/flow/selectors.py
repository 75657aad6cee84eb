"""Every read of the knowledge flow. What a person sees is gathered from the sources at read time, each applying
the visibility rules inside its own queries, so un-sharing or unpublishing takes effect at once everywhere: the
"My flow" page, past digests shown in the app, and the private Atom feed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from learnflow.core.errors import NotFound
from learnflow.flow import sources as flow_sources
from learnflow.flow.models import Digest, DigestPreference, Follow
from learnflow.flow.services import KIND_ORDER, feed_token_valid

LIVE_WINDOW = dt.timedelta(days=30)


@dataclass
class Following:
    topics: list
    curators: list
    refs: dict[str, list[str]]


def follows_of(*, viewer: Any) -> Following:
    rows = list(Follow.objects.filter(user=viewer).select_related("topic", "curator"))
    refs: dict[str, list[str]] = {}
    for f in rows:
        if f.source:
            refs.setdefault(f.source, []).append(f.ref)
    return Following(topics=[f.topic for f in rows if f.topic_id], curators=[f.curator for f in rows if f.curator_id],
                     refs=refs)


def follow_refs(*, viewer: Any, source: str) -> list[str]:
    """What `viewer` follows of a registered source (for the source's own query)."""
    return list(Follow.objects.filter(user=viewer, source=source).values_list("ref", flat=True))


def is_following(*, viewer: Any, topic: Any = None, curator: Any = None, source: str = "", ref: str = "") -> bool:
    if not (viewer is not None and viewer.is_authenticated):
        return False
    qs = Follow.objects.filter(user=viewer)
    if topic is not None:
        return qs.filter(topic=topic).exists()
    if curator is not None:
        return qs.filter(curator=curator).exists()
    return qs.filter(source=source, ref=str(ref)).exists()


def curators(*, viewer: Any) -> QuerySet:
    """People one can follow: active L&D people and admins."""
    from learnflow.org.models import Role

    return (get_user_model().objects.filter(is_active=True, role__in=[Role.LND, Role.ADMIN])
            .exclude(pk=viewer.pk).order_by("first_name", "last_name", "username"))


def flow_items(*, viewer: Any, start: dt.datetime, end: dt.datetime, limit: int = 100) -> list[flow_sources.FlowItem]:
    """What reached `viewer` in [start, end): every source, newest first, each key once."""
    found: dict[str, flow_sources.FlowItem] = {}
    for source in flow_sources.sources():
        for item in source.fn(viewer=viewer, start=start, end=end):
            found.setdefault(item.key, item)
    return sorted(found.values(), key=lambda i: i.published_at, reverse=True)[:limit]


def flow_live(*, viewer: Any, now: dt.datetime | None = None, limit: int = 50) -> list[flow_sources.FlowItem]:
    now = now or timezone.now()
    return flow_items(viewer=viewer, start=now - LIVE_WINDOW, end=now + dt.timedelta(seconds=1), limit=limit)


def digest_list(*, viewer: Any, limit: int = 20) -> list[Digest]:
    return list(Digest.objects.filter(user=viewer)[:limit])


def digest_get(*, viewer: Any, pk: int) -> Digest:
    digest = Digest.objects.filter(user=viewer, pk=pk).first()
    if digest is None:
        raise NotFound("No such digest.")
    return digest


def digest_items(*, viewer: Any, digest: Digest, now: dt.datetime | None = None) -> list[flow_sources.FlowItem]:
    """The items a digest carried, read again now: what has since been made private or unpublished is left out."""
    if digest.user_id != viewer.pk:
        return []
    keys = set(digest.items.values_list("key", flat=True))
    now = now or timezone.now()
    live = flow_items(viewer=viewer, start=digest.start, end=now + dt.timedelta(seconds=1), limit=10_000)
    items = [i for i in live if i.key in keys]
    return sorted(items, key=lambda i: (KIND_ORDER.get(i.kind, 9), -i.published_at.timestamp()))


def feed_owner(*, feed_id: str, token: str) -> Any:
    """The person whose private feed this address is, or NotFound (also for a revoked address or a person who
    left)."""
    pref = (DigestPreference.objects.select_related("user", "user__team")
            .filter(feed_id=feed_id, user__is_active=True).first())
    if pref is None or not feed_token_valid(feed_id, token):
        raise NotFound("No such feed.")
    return pref.user


def preference_for(*, viewer: Any) -> DigestPreference:
    return DigestPreference.objects.filter(user=viewer).first() or DigestPreference(user=viewer)
