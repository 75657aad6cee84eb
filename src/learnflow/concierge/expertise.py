"""The concierge's expertise index: `ranking.ExpertiseIndex` fed from the database, kept per process.

What goes in, and why it cannot leak anything private through the reasons a person reads:

- declared skills (org `User.skills`): the person put them on their profile;
- interactions (`Interaction`): who helped whom, on which topics and skills only. Their `about` text stays out, because
  it is the title of a private request or of a post in a hidden community;
- journal entries shared with the whole organisation (title, note, tags, skills). Team- and manager-visible ones stay
  out: the index is shared by every asker, and one who is not in the team must not be told "has written about …";
- published library resources, by their author (title, summary, topics);
- goal evidence (title, note, skills) when its goal is shared with the whole organisation and what it points at is
  too (an entry shared with it, a statement shared with it, a published resource): goals/selectors.py's rule;
- recorded activity (xAPI statements) the person shared with the whole organisation: the verb's and activity's names;
- confirmed skill endorsements, by skill ("kubernetes endorsed by 2 colleagues"; the endorser is not named).

Building from scratch takes seconds at 200,000 interactions, so the index is built once per process and then kept
current on every read, with one indexed query each when nothing changed:
- new interactions are added incrementally (by primary key);
- the knowledge sources above are kept by source id: a save or delete of an entry, resource, goal, evidence, statement
  share or endorsement writes an `ExpertiseChange` note (signals.py, connected in apps.py, so those apps need not know
  about the concierge); every process applies the notes it has not seen (take the old evidence out, load the item
  again if still shared), so un-sharing or deleting stops counting at once on every app server;
- every `REBUILD_SECONDS` a fresh index is built in a background thread (declared skills, anything a note missed);
  notes older than `CHANGES_KEPT` are deleted by the hourly task, and an index older than half that is rebuilt before
  use. `index_invalidate()` makes the next read build synchronously.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q

from learnflow.concierge.models import ExpertiseChange, Interaction, InteractionKind
from learnflow.concierge.ranking import EvidenceKind, ExpertiseIndex, normalise_tag

REBUILD_SECONDS = getattr(settings, "LEARNFLOW_CONCIERGE_INDEX_SECONDS", 900)
# Change notes older than this are deleted (hourly task); an index built longer ago than half of it is rebuilt before
# use rather than trusting notes that may be gone.
CHANGES_KEPT = dt.timedelta(days=1)
GAP_SECONDS = 120        # how long a note number skipped over is looked for again (a transaction still running)

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
    base_people: set = field(default_factory=set)     # declared skills, helped someone: candidates for good
    sources: dict = field(default_factory=dict)       # (source type, id) -> _Source, what is in the index now
    source_count: dict = field(default_factory=lambda: defaultdict(int))    # person -> sources in the index
    last_change: int = 0
    gaps: dict = field(default_factory=dict)          # note number not seen yet -> since when (monotonic)


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
        if _state is None or time.monotonic() - _state.built > CHANGES_KEPT.total_seconds() / 2:
            _state = _build()
        else:
            if time.monotonic() - _state.built > REBUILD_SECONDS and not _rebuilding:
                _rebuilding = True
                threading.Thread(target=_rebuild_in_background, daemon=True, name="concierge-index").start()
            _add_interactions(_state)
            _apply_changes(_state)
        return _state.index, _state.people


def _rebuild_in_background() -> None:
    global _state, _rebuilding
    from django.db import connection

    try:
        fresh = _build()
        with _lock:
            _add_interactions(fresh)        # whatever arrived while it was being built
            _apply_changes(fresh)
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
    from learnflow.org.models import User

    state = _State(index=ExpertiseIndex(), built=time.monotonic())
    index = state.index
    # Changes noted from here on are applied on top (re-applying one is harmless: remove, then load again).
    state.last_change = ExpertiseChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    recent = set(ExpertiseChange.objects.filter(pk__gt=state.last_change - 1000).values_list("pk", flat=True))
    since = time.monotonic()
    state.gaps = {pk: since for pk in range(max(state.last_change - 999, 1), state.last_change) if pk not in recent}

    skills: dict[int, list[str]] = defaultdict(list)
    for user_id, name in User.skills.through.objects.filter(user__is_active=True).values_list("user_id",
                                                                                              "skill__name"):
        skills[user_id].append(name)
    for user_id, names in skills.items():
        index.declare_skills(user_id, names)
        state.people.add(user_id)
        state.base_people.add(user_id)

    for loader in _LOADERS.values():
        for item in loader(None):
            _source_add(state, item)

    _add_interactions(state)
    return state


# --- knowledge sources: what people shared with the organisation, each kept by its source so it can be taken back

@dataclass(frozen=True)
class _Source:
    key: tuple[str, int]
    person: int
    kind: EvidenceKind
    when: dt.datetime
    text: str = ""
    tags: tuple[str, ...] = ()
    goal: int | None = None


def _source_add(state: _State, item: _Source) -> None:
    state.index.add_evidence(item.person, kind=item.kind, when=item.when, text=item.text, tags=item.tags)
    state.sources[item.key] = item
    state.source_count[item.person] += 1
    state.people.add(item.person)


def _source_remove(state: _State, key: tuple[str, int]) -> None:
    item = state.sources.pop(key, None)
    if item is None:
        return
    state.index.remove_evidence(item.person, kind=item.kind, when=item.when, text=item.text, tags=item.tags)
    state.source_count[item.person] -= 1
    if state.source_count[item.person] <= 0:
        del state.source_count[item.person]
        if item.person not in state.base_people:
            state.people.discard(item.person)


def _grouped(pairs) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for pk, name in pairs:
        grouped[pk].append(name)
    return grouped


def _entries(ids):
    from learnflow.journal.models import Entry

    shared = Entry.objects.filter(visibility="organisation", author__is_active=True)
    if ids is not None:
        shared = shared.filter(pk__in=ids)
    tags = _grouped(Entry.tags.through.objects.filter(entry__in=shared).values_list("entry_id", "tag__name"))
    for pk, name in Entry.skills.through.objects.filter(entry__in=shared).values_list("entry_id", "skill__name"):
        tags[pk].append(name)
    for pk, author_id, title, note, created in shared.values_list("pk", "author_id", "title", "share_note",
                                                                 "created_at").iterator(chunk_size=5000):
        yield _Source(("entry", pk), author_id, EvidenceKind.ENTRY, created, f"{title}\n{note}",
                      tuple(tags.get(pk, ())))


def _resources(ids):
    from learnflow.library.models import Resource

    published = Resource.objects.filter(status="published", author__isnull=False, author__is_active=True)
    if ids is not None:
        published = published.filter(pk__in=ids)
    topics = _grouped(Resource.topics.through.objects.filter(resource__in=published).values_list(
        "resource_id", "topic__name"))
    for pk, author_id, title, summary, published_at, created in published.values_list(
            "pk", "author_id", "title", "summary", "published_at", "created_at").iterator(chunk_size=5000):
        yield _Source(("resource", pk), author_id, EvidenceKind.RESOURCE, published_at or created,
                      f"{title}\n{summary}", tuple(topics.get(pk, ())))


def _goal_evidence(ids):
    """Evidence on goals shared with the organisation, when what it points at is shared with it as well (a journal
    entry, a recorded activity, a resource): the same rule goals/selectors.py applies when showing it."""
    from django.db.models import Q

    from learnflow.goals.models import Evidence

    shown = Evidence.objects.filter(goal__visibility="organisation", owner__is_active=True).filter(
        Q(entry__isnull=True) | Q(entry__visibility="organisation"),
        Q(statement__isnull=True) | Q(statement__share__visibility="organisation", statement__voided=False),
        Q(resource__isnull=True) | Q(resource__status="published"))
    if ids is not None:
        shown = shown.filter(pk__in=ids)
    skills = _grouped(Evidence.skills.through.objects.filter(evidence__in=shown).values_list(
        "evidence_id", "skill__name"))
    for pk, owner_id, goal_id, title, note, created in shown.values_list(
            "pk", "owner_id", "goal_id", "title", "note", "created_at").iterator(chunk_size=5000):
        yield _Source(("evidence", pk), owner_id, EvidenceKind.ENTRY, created, f"{title}\n{note}",
                      tuple(skills.get(pk, ())), goal=goal_id)


def _statement_text(full_json: str) -> str:
    """What a person did, as people read it: the verb's and the activity's names (in every language given)."""
    try:
        statement = json.loads(full_json)
    except ValueError:
        return ""
    if not isinstance(statement, dict):
        return ""
    parts = []
    verb, obj = statement.get("verb"), statement.get("object")
    if isinstance(verb, dict) and isinstance(verb.get("display"), dict):
        parts.extend(str(v) for v in verb["display"].values())
    if isinstance(obj, dict) and isinstance(obj.get("definition"), dict):
        for field_name in ("name", "description"):
            value = obj["definition"].get(field_name)
            if isinstance(value, dict):
                parts.extend(str(v) for v in value.values())
    return "\n".join(parts)[:5000]


def _statements(ids):
    """Recorded activity (xAPI statements) the person shared with the whole organisation."""
    from learnflow.record.models import StatementShare

    shared = StatementShare.objects.filter(visibility="organisation", owner__is_active=True,
                                           statement__voided=False, statement__person_id=F("owner_id"))
    if ids is not None:
        shared = shared.filter(statement_id__in=ids)
    for statement_id, owner_id, when, full_json in shared.values_list(
            "statement_id", "owner_id", "statement__timestamp", "statement__full_json").iterator(chunk_size=2000):
        yield _Source(("statement", statement_id), owner_id, EvidenceKind.ENTRY, when, _statement_text(full_json))


def _endorsements(ids):
    """Skills a colleague confirmed (the endorser stays unnamed in the reasons)."""
    from learnflow.goals.models import EndorsementRequest

    confirmed = EndorsementRequest.objects.filter(status="confirmed", skill__isnull=False,
                                                  requester__is_active=True)
    if ids is not None:
        confirmed = confirmed.filter(pk__in=ids)
    for pk, person, skill, answered, created in confirmed.values_list(
            "pk", "requester_id", "skill__name", "answered_at", "created_at").iterator(chunk_size=5000):
        yield _Source(("endorsement", pk), person, EvidenceKind.ENDORSEMENT, answered or created, "", (skill,))


_LOADERS = {"entry": _entries, "resource": _resources, "evidence": _goal_evidence, "statement": _statements,
            "endorsement": _endorsements}


def _apply_changes(state: _State) -> None:
    """Bring the knowledge sources up to date with the changes other app servers (or this one) noted: one indexed
    read when nothing changed."""
    # Notes are numbered when written but seen when committed: a note skipped over (a lower number seen missing
    # while a higher one was read) may belong to a transaction still running, so it is looked for again for a while.
    now = time.monotonic()
    gaps = {pk: since for pk, since in state.gaps.items() if now - since < GAP_SECONDS}
    query = Q(pk__gt=state.last_change)
    if gaps:
        query |= Q(pk__in=list(gaps))
    rows = list(ExpertiseChange.objects.filter(query).order_by("pk").values_list("pk", "source_type", "source_id"))
    for pk, _type, _id in rows:
        gaps.pop(pk, None)
    expected = state.last_change + 1
    for pk, _type, _id in rows:
        if pk > state.last_change:
            if len(gaps) < 10_000:
                gaps.update((missing, now) for missing in range(expected, min(pk, expected + 1000)))
            expected = pk + 1
    state.gaps = gaps
    if not rows:
        return
    from learnflow.goals.models import Evidence

    changed: dict[str, set[int]] = defaultdict(set)
    for _pk, source_type, source_id in rows:
        changed[source_type].add(source_id)
    # Goal evidence is shown with its goal and with what it points at: their changes reach it too.
    for field_name, source_type in (("entry_id", "entry"), ("resource_id", "resource"),
                                    ("statement_id", "statement"), ("goal_id", "goal")):
        if changed.get(source_type):
            changed["evidence"].update(Evidence.objects.filter(**{f"{field_name}__in": changed[source_type]})
                                       .values_list("pk", flat=True))
    if changed.get("goal"):
        goals = changed.pop("goal")
        changed["evidence"].update(key[1] for key, item in state.sources.items() if item.goal in goals)
    for source_type, ids in changed.items():
        loader = _LOADERS.get(source_type)
        if loader is None:
            continue
        for source_id in ids:
            _source_remove(state, (source_type, source_id))
        for item in loader(sorted(ids)):
            _source_add(state, item)
    state.last_change = max(state.last_change, rows[-1][0])


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
        state.base_people.add(helper)
    state.last_interaction = last


def expertise_changes_prune(*, now: dt.datetime | None = None) -> int:
    """Delete change notes every index has long applied (see CHANGES_KEPT)."""
    return ExpertiseChange.objects.filter(at__lt=(now or now_utc()) - CHANGES_KEPT).delete()[0]


def query_tags(*, topics=(), skills=()) -> list[str]:
    """A request's topics and free skills as the index's tags (one vocabulary: a topic "Python" is the skill)."""
    return [normalise_tag(t.name if hasattr(t, "name") else str(t)) for t in (*topics, *skills)]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
