"""Where the knowledge flow's items come from: a registry other apps plug into.

A source is a function `fn(*, viewer, start, end) -> Iterable[FlowItem]` giving what `viewer` may see of what
happened in [start, end) among what they follow (visibility applied inside its own queries, at call time). It may
also give `many(*, viewers, start, end) -> dict[user_id, list[FlowItem]]`, the same answer for many people at once
with a few queries in all, which digests use when building for thousands of people; without it, `fn` is called per
person. Register from your AppConfig.ready():

    from learnflow.flow.sources import FlowItem, source_register
    source_register("community", community_items, label="Communities", many=community_items_many)

Items of a source can be followed: `Follow(source=name, ref=...)`; `flow.selectors.follow_refs(viewer=, source=)`
tells a source what its viewer follows. Keys must be stable and unique across sources: prefix them with the name.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence

from django.db.models import Q


@dataclass(frozen=True)
class FlowItem:
    key: str  # stable and unique: "<source>:<id>"
    kind: str  # what it is, shown to people: "resource", "entry", "goal", "post" …
    title: str
    url: str  # a path on this site ("/library/…")
    summary: str  # plain text
    published_at: dt.datetime  # when it was published or shared with the person
    author: str = ""
    note: str = ""  # why it matters (a curator's note, a share note)


class SourceFn(Protocol):
    def __call__(self, *, viewer: Any, start: dt.datetime, end: dt.datetime) -> Iterable[FlowItem]: ...


ManyFn = Callable[..., dict[int, list[FlowItem]]]


@dataclass(frozen=True)
class Source:
    name: str
    label: str
    fn: SourceFn
    many: ManyFn | None = None


_sources: dict[str, Source] = {}


def source_register(name: str, fn: SourceFn, *, label: str = "", many: ManyFn | None = None) -> None:
    """Add (or replace, so that a reloaded app does not register twice) a source of flow items."""
    if not name or ":" in name:
        raise ValueError("A source name is a short word without a colon.")
    _sources[name] = Source(name=name, label=label or name.title(), fn=fn, many=many)


def source_unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[Source]:
    return list(_sources.values())


def source_items_many(source: Source, *, viewers: Sequence[Any], start: dt.datetime,
                      end: dt.datetime) -> dict[int, list[FlowItem]]:
    if source.many is not None:
        return source.many(viewers=viewers, start=start, end=end)
    return {viewer.pk: list(source.fn(viewer=viewer, start=start, end=end)) for viewer in viewers}


# --- built-in sources: the library, and what colleagues shared (journal entries, goals) ---------------------------

def _is_reader(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active)


def _topic_children() -> dict[int | None, list[int]]:
    from learnflow.curation.models import Topic

    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Topic.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    return children


def _descendants(topic_ids: Iterable[int], children: dict[int | None, list[int]]) -> set[int]:
    found, todo = set(), list(topic_ids)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, ()))
    return found


def topic_descendants(topic_ids: Iterable[int]) -> set[int]:
    """The topics and every topic inside them (one query for the whole tree: topics are few)."""
    return _descendants(topic_ids, _topic_children())


def _resource_item(*, uid: Any, title: str, summary: str, note: str, published_at: dt.datetime, author: str,
                   kind: str) -> FlowItem:
    from django.urls import reverse

    return FlowItem(key=f"resource:{uid}", kind="resource", title=title,
                    url=reverse("library:resource", args=[uid]), summary=summary[:500], published_at=published_at,
                    author=author, note=note)


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def resources_for(*, viewer: Any, start: dt.datetime, end: dt.datetime) -> list[FlowItem]:
    """Published resources on followed topics (and their subtopics) or by followed curators."""
    from learnflow.flow.models import Follow
    from learnflow.library.selectors import resources_published_between

    if not _is_reader(viewer):
        return []
    follows = list(Follow.objects.filter(user=viewer).values_list("topic_id", "curator_id"))
    topic_ids = topic_descendants(t for t, _ in follows if t)
    author_ids = [c for _, c in follows if c]
    if not topic_ids and not author_ids:
        return []  # the selector reads "no narrowing" as everything
    qs = resources_published_between(viewer=viewer, start=start, end=end, topic_ids=topic_ids, author_ids=author_ids)
    return [_resource_item(uid=r.uid, title=r.title, summary=r.summary, note=r.curator_note,
                           published_at=r.published_at, author=r.author.display_name if r.author else "",
                           kind=r.kind) for r in qs]


def _run_cached(key: tuple, build: Callable[[], Any]) -> Any:
    """What a digest run reads once and every batch of people shares (the window's candidates, the topic tree).
    Outside a run (`run_cache_start` not called) nothing is kept."""
    if not _run_cache.get("active"):
        return build()
    if key not in _run_cache:
        _run_cache[key] = build()
    return _run_cache[key]


def _published_in_window(start: dt.datetime, end: dt.datetime) -> tuple[list[FlowItem], dict, dict]:
    from learnflow.library.models import Resource, ResourceStatus

    rows = list(Resource.objects.filter(status=ResourceStatus.PUBLISHED, published_at__gte=start, published_at__lt=end)
                .order_by("-published_at", "-pk")
                .values_list("pk", "uid", "title", "summary", "curator_note", "published_at", "kind", "author_id",
                             "author__first_name", "author__last_name", "author__username"))
    position = {row[0]: n for n, row in enumerate(rows)}
    items = [_resource_item(uid=uid, title=title, summary=summary, note=note, published_at=at,
                            author=_name(first or "", last or "", username or "") if author_id else "", kind=kind)
             for _pk, uid, title, summary, note, at, kind, author_id, first, last, username in rows]
    by_topic: dict[int, list[int]] = defaultdict(list)
    by_author: dict[int, list[int]] = defaultdict(list)
    if rows:
        links = Resource.topics.through.objects.filter(
            resource__status=ResourceStatus.PUBLISHED, resource__published_at__gte=start,
            resource__published_at__lt=end).values_list("resource_id", "topic_id")
        for resource_id, topic_id in links:
            if resource_id in position:
                by_topic[topic_id].append(position[resource_id])
        for row in rows:
            if row[7]:
                by_author[row[7]].append(position[row[0]])
    return items, by_topic, by_author


def resources_many(*, viewers: Sequence[Any], start: dt.datetime, end: dt.datetime) -> dict[int, list[FlowItem]]:
    """`resources_for` for many people with three queries (the window's two once per digest run). Published
    resources are visible to every active person (the library's contract), so the window's published resources are
    read once and matched to each person's follows; tests hold this equal to `resources_for`."""
    from learnflow.flow.models import Follow

    readers = [v.pk for v in viewers if _is_reader(v)]
    out: dict[int, list[FlowItem]] = {v.pk: [] for v in viewers}
    topics_of: dict[int, set[int]] = defaultdict(set)
    curators_of: dict[int, set[int]] = defaultdict(set)
    for user_id, topic_id, curator_id in Follow.objects.filter(user_id__in=readers).filter(
            Q(topic__isnull=False) | Q(curator__isnull=False)).values_list("user_id", "topic_id", "curator_id"):
        if topic_id:
            topics_of[user_id].add(topic_id)
        else:
            curators_of[user_id].add(curator_id)
    if not topics_of and not curators_of:
        return out
    items, by_topic, by_author = _run_cached(("resources", start, end), lambda: _published_in_window(start, end))
    if not items:
        return out
    for user_id in readers:
        follows = (frozenset(topics_of.get(user_id, ())), frozenset(curators_of.get(user_id, ())))
        if not (follows[0] or follows[1]):
            continue

        def build(follows=follows) -> list[FlowItem]:
            hits: set[int] = set()
            for topic_id in topic_descendants_cached(follows[0]):
                hits.update(by_topic.get(topic_id, ()))
            for curator_id in follows[1]:
                hits.update(by_author.get(curator_id, ()))
            return [items[n] for n in sorted(hits)]

        # People who follow the same things get the same list: built once per combination and run.
        out[user_id] = _run_cached(("resources-for", start, end, follows), build)
    return out


_run_cache: dict[Any, Any] = {}


def topic_descendants_cached(topic_ids: Iterable[int]) -> set[int]:
    return _descendants(topic_ids, _run_cached(("topic-tree",), _topic_children))


def run_cache_start() -> None:
    """A digest run begins: what its batches share is read once (see `_run_cached`)."""
    _run_cache.clear()
    _run_cache["active"] = True


def run_cache_end() -> None:
    _run_cache.clear()


# What colleagues shared: journal entries and goals by teammates and by the people one manages, that the viewer
# may see. Organisation-wide shares by strangers are left to the organisation page: a digest is for what was shared
# with *you*, and in a large organisation "everyone's" shares would drown it.

@dataclass(frozen=True)
class _Shared:
    model: Any
    owner: str
    kind: str
    title_of: Callable[[dict], str]
    note_of: Callable[[dict], str]
    url_name: str


def _near_q(viewer: Any, owner: str) -> Q:
    """Owned by a teammate or someone the viewer manages. As a list of owners, so that the database walks the
    owner's index (a dozen people) instead of every shared row in the organisation."""
    from django.contrib.auth import get_user_model

    near = Q(manager_id=viewer.pk)
    if viewer.team_id:
        near |= Q(team_id=viewer.team_id)
    return Q(**{f"{owner}_id__in": get_user_model().objects.filter(near).values("pk")})


def _shared_item(spec: _Shared, row: dict) -> FlowItem:
    from django.urls import reverse

    return FlowItem(key=f"{spec.kind}:{row['pk']}", kind=spec.kind, title=spec.title_of(row),
                    url=reverse(spec.url_name, args=[row["pk"]]), summary="", published_at=row["updated_at"],
                    author=_name(row["first"], row["last"], row["username"]), note=spec.note_of(row))


def _shared_fields(spec: _Shared) -> dict[str, str]:
    o = spec.owner
    fields = {"pk": "pk", "title": "title", "updated_at": "updated_at", "visibility": "visibility",
              "owner_id": f"{o}_id", "first": f"{o}__first_name", "last": f"{o}__last_name",
              "username": f"{o}__username", "team_id": f"{o}__team_id", "manager_id": f"{o}__manager_id"}
    if spec.kind == "entry":
        fields["share_note"] = "share_note"
    return fields


def _shared_for(spec: _Shared, *, viewer: Any, start: dt.datetime, end: dt.datetime) -> list[FlowItem]:
    if not _is_reader(viewer):
        return []
    qs = (spec.model.objects.shared_with(viewer).filter(_near_q(viewer, spec.owner))
          .filter(updated_at__gte=start, updated_at__lt=end))
    fields = _shared_fields(spec)
    rows = [dict(zip(fields, values)) for values in qs.order_by("-updated_at", "-pk").values_list(*fields.values())]
    return [_shared_item(spec, row) for row in rows]


def _shared_buckets(spec: _Shared, start: dt.datetime, end: dt.datetime) -> tuple[dict, dict]:
    from learnflow.core.visibility import Visibility

    fields = _shared_fields(spec)
    qs = (spec.model.objects.exclude(visibility=Visibility.PRIVATE)
          .filter(updated_at__gte=start, updated_at__lt=end).order_by("-updated_at", "-pk"))
    by_team: dict[int, list[tuple[int, int, FlowItem]]] = defaultdict(list)
    by_manager: dict[int, list[tuple[int, int, FlowItem]]] = defaultdict(list)
    for position, values in enumerate(qs.values_list(*fields.values())):
        row = dict(zip(fields, values))
        item = (position, row["owner_id"], _shared_item(spec, row))
        if row["team_id"] and row["visibility"] in (Visibility.TEAM, Visibility.ORGANISATION):
            by_team[row["team_id"]].append(item)
        if row["manager_id"]:
            by_manager[row["manager_id"]].append(item)
    return by_team, by_manager


def _shared_many(spec: _Shared, *, viewers: Sequence[Any], start: dt.datetime,
                 end: dt.datetime) -> dict[int, list[FlowItem]]:
    """`_shared_for` for many people with one query (once per digest run): everything shared (not private) in the
    window, bucketed by the owner's team and manager; each person then takes exactly what `visible_q` ∧ near
    allows them: team or organisation shares by teammates, and manager, team or organisation shares by the people
    they manage. Tests hold this equal to `_shared_for` for every role."""
    out: dict[int, list[FlowItem]] = {v.pk: [] for v in viewers}
    by_team, by_manager = _run_cached((spec.kind, start, end), lambda: _shared_buckets(spec, start, end))
    if not by_team and not by_manager:
        return out
    for viewer in viewers:
        if not _is_reader(viewer):
            continue
        found = by_manager.get(viewer.pk, [])
        if viewer.team_id and viewer.team_id in by_team:
            found = found + by_team[viewer.team_id]
        if not found:
            continue
        seen = {position: item for position, owner_id, item in found if owner_id != viewer.pk}
        out[viewer.pk] = [seen[p] for p in sorted(seen)]
    return out


def _entry_spec() -> _Shared:
    from learnflow.journal.models import Entry

    return _Shared(model=Entry, owner="author", kind="entry", title_of=lambda r: r["title"],
                   note_of=lambda r: r.get("share_note") or "", url_name="journal:detail")


def _goal_spec() -> _Shared:
    from learnflow.goals.models import Goal

    return _Shared(model=Goal, owner="owner", kind="goal", title_of=lambda r: r["title"], note_of=lambda r: "",
                   url_name="goals:detail")


def entries_for(*, viewer: Any, start: dt.datetime, end: dt.datetime) -> list[FlowItem]:
    return _shared_for(_entry_spec(), viewer=viewer, start=start, end=end)


def entries_many(*, viewers: Sequence[Any], start: dt.datetime, end: dt.datetime) -> dict[int, list[FlowItem]]:
    return _shared_many(_entry_spec(), viewers=viewers, start=start, end=end)


def goals_for(*, viewer: Any, start: dt.datetime, end: dt.datetime) -> list[FlowItem]:
    return _shared_for(_goal_spec(), viewer=viewer, start=start, end=end)


def goals_many(*, viewers: Sequence[Any], start: dt.datetime, end: dt.datetime) -> dict[int, list[FlowItem]]:
    return _shared_many(_goal_spec(), viewers=viewers, start=start, end=end)


def register_builtin() -> None:
    source_register("entry", entries_for, label="Shared learning", many=entries_many)
    source_register("goal", goals_for, label="Shared goals", many=goals_many)
    source_register("resource", resources_for, label="Library", many=resources_many)
