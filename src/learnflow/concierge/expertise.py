"""The concierge's expertise index: `ranking.ExpertiseIndex` fed from the database, kept per process.

What goes in, and why it cannot leak anything private through the reasons a person reads:

- declared skills (org `User.skills`): the person put them on their profile;
- interactions (`Interaction`): who helped whom, on which topics and skills only. Their `about` text stays out, because
  it is the title of a private request or of a post in a hidden community;
- journal entries shared with the whole organisation (title, note, tags, skills). Team- and manager-visible ones stay
  out: the index is shared by every asker, and one who is not in the team must not be told "has written about …";
- published library resources, by their author (title, summary, topics).

Building from scratch takes seconds at 200,000 interactions, so the index is built once per process and then kept
current: new interactions are added incrementally (by primary key) on every read, and every `REBUILD_SECONDS` a fresh
index is built in a background thread (to pick up changed skills, newly shared or un-shared entries, resources) while
requests keep using the current one; `index_invalidate()` makes the next read build synchronously.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from learnflow.concierge.models import Interaction, InteractionKind
from learnflow.concierge.ranking import EvidenceKind, ExpertiseIndex, normalise_tag

REBUILD_SECONDS = getattr(settings, "LEARNFLOW_CONCIERGE_INDEX_SECONDS", 900)

# An interaction, as evidence: (kind, weight). A thank-you and a "useful" mark confirm help already given.
INTERACTION_EVIDENCE: dict[str, tuple[EvidenceKind, float]] = {
    InteractionKind.HELP: (EvidenceKind.ANSWER, 1.0),
    InteractionKind.ANSWER: (EvidenceKind.ANSWER, 1.0),
    InteractionKind.ACCEPTED: (EvidenceKind.ACCEPTED_ANSWER, 1.0),
    InteractionKind.USEFUL: (EvidenceKind.ANSWER, 0.5),
    InteractionKind.REPLY: (EvidenceKind.REPLY, 1.0),
    InteractionKind.THANKS: (EvidenceKind.ANSWER, 0.5),
}


@dataclass
class _State:
    index: ExpertiseIndex
    people: set = field(default_factory=set)      # everyone with any evidence: the candidates
    last_interaction: int = 0
    built: float = 0.0


_lock = threading.Lock()
_state: _State | None = None


def index_invalidate() -> None:
    """Rebuild on next use (after a change the incremental path does not see: skills, shares, opt-outs are live)."""
    global _state
    with _lock:
        _state = None


_rebuilding = False


def expertise_index() -> tuple[ExpertiseIndex, set]:
    """The current index and its candidate people."""
    global _state, _rebuilding
    with _lock:
        if _state is None:
            _state = _build()
        else:
            if time.monotonic() - _state.built > REBUILD_SECONDS and not _rebuilding:
                _rebuilding = True
                threading.Thread(target=_rebuild_in_background, daemon=True, name="concierge-index").start()
            _add_interactions(_state)
        return _state.index, _state.people


def _rebuild_in_background() -> None:
    global _state, _rebuilding
    from django.db import connection

    try:
        fresh = _build()
        with _lock:
            _add_interactions(fresh)        # whatever arrived while it was being built
            _state = fresh
    except Exception:
        with _lock:
            if _state is not None:
                _state.built = time.monotonic()    # try again after another interval, not on every request
        raise
    finally:
        _rebuilding = False
        connection.close()


def _build() -> _State:
    from learnflow.journal.models import Entry
    from learnflow.library.models import Resource
    from learnflow.org.models import User

    state = _State(index=ExpertiseIndex(), built=time.monotonic())
    index = state.index

    skills: dict[int, list[str]] = defaultdict(list)
    for user_id, name in User.skills.through.objects.filter(user__is_active=True).values_list("user_id",
                                                                                              "skill__name"):
        skills[user_id].append(name)
    for user_id, names in skills.items():
        index.declare_skills(user_id, names)
        state.people.add(user_id)

    shared = Entry.objects.filter(visibility="organisation", author__is_active=True)
    entry_tags: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in Entry.tags.through.objects.filter(entry__in=shared).values_list("entry_id", "tag__name"):
        entry_tags[entry_id].append(name)
    for entry_id, name in Entry.skills.through.objects.filter(entry__in=shared).values_list("entry_id",
                                                                                            "skill__name"):
        entry_tags[entry_id].append(name)
    for pk, author_id, title, note, created in shared.values_list("pk", "author_id", "title", "share_note",
                                                                 "created_at").iterator(chunk_size=5000):
        index.add_evidence(author_id, kind=EvidenceKind.ENTRY, when=created, text=f"{title}\n{note}",
                           tags=entry_tags.get(pk, ()))
        state.people.add(author_id)

    published = Resource.objects.filter(status="published", author__isnull=False, author__is_active=True)
    resource_topics: dict[int, list[str]] = defaultdict(list)
    for resource_id, name in Resource.topics.through.objects.filter(resource__in=published).values_list(
            "resource_id", "topic__name"):
        resource_topics[resource_id].append(name)
    for pk, author_id, title, summary, published_at, created in published.values_list(
            "pk", "author_id", "title", "summary", "published_at", "created_at").iterator(chunk_size=5000):
        index.add_evidence(author_id, kind=EvidenceKind.RESOURCE, when=published_at or created,
                           text=f"{title}\n{summary}", tags=resource_topics.get(pk, ()))
        state.people.add(author_id)

    _add_interactions(state)
    return state


def _add_interactions(state: _State) -> None:
    rows = list(Interaction.objects.filter(pk__gt=state.last_interaction).order_by("pk")
                .values_list("pk", "helper_id", "helped_id", "kind", "at"))
    if not rows:
        return
    first, last = rows[0][0], rows[-1][0]
    tags: dict[int, list[str]] = defaultdict(list)
    for interaction_id, name in Interaction.topics.through.objects.filter(
            interaction_id__gte=first, interaction_id__lte=last).values_list("interaction_id", "topic__name"):
        tags[interaction_id].append(name)
    for interaction_id, name in Interaction.skills.through.objects.filter(
            interaction_id__gte=first, interaction_id__lte=last).values_list("interaction_id", "skill__name"):
        tags[interaction_id].append(name)
    index = state.index
    for pk, helper, helped, kind, at in rows:
        evidence, weight = INTERACTION_EVIDENCE.get(kind, (None, 0.0))
        if evidence is None:
            continue
        index.add_evidence(helper, kind=evidence, when=at, tags=tags.get(pk, ()), weight=weight, helped=helped)
        state.people.add(helper)
    state.last_interaction = last


def query_tags(*, topics=(), skills=()) -> list[str]:
    """A request's topics and free skills as the index's tags (one vocabulary: a topic "Python" is the skill)."""
    return [normalise_tag(t.name if hasattr(t, "name") else str(t)) for t in (*topics, *skills)]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
