"""Who can help with this? Expertise ranking shared by the concierge and the routing benchmark.

Pure Python (standard library only, no Django) so that the product and `bench/routing.py` run the very same code.

A person's score for a request q is log P(person | q, now), up to a constant shared by everyone:

    log P(p answers now)                      activity: p's share of recent help: around now (a 2.4-hour half-life),
                                              this week (7 days) and this quarter (90 days); their mean
  + ½ · log [P(p | q) / P(p)]                 expertise: how much more than usual p covers what q is about
  + log availability(p)                       status / open requests; 0 = never suggested

P(p | q) / P(p) mixes the query's tags, its rarest words and the asker (people go back to whoever helped them), each
term's P(p | term) Dirichlet-smoothed towards P(p): (p's evidence on the term + β·P(p)) / (all evidence on it + β),
so a term nobody has evidence on leaves everyone's score alone. Evidence is answers (accepted ones count double,
votes on a log scale), questions asked, replies, shared entries and resources written, each weighted by its kind and
fading with a one-year half-life; declared skills count like an answer on that tag and do not fade. The ½ tempers
the Bayes factor: the terms of one question are far from independent pieces of evidence.

Fading is exact and O(1) per update: every stored weight is kept in units anchored at a fixed time, so one global
factor turns all of them into "as of now" and decay never rewrites the index.
"""
from __future__ import annotations

import datetime as dt
import functools
import heapq
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable, Collection, Hashable, Iterable, Mapping

DAY = 86400.0
# 2^900 leaves a factor of 2^120 below a float's limit for sums of many items; rebasing stays rare (every 90 days with
# the shortest default half-life of 2.4 hours).
_REBASE_AFTER_HALF_LIVES = 900


class EvidenceKind(StrEnum):
    ANSWER = "answer"                      # an answer or reply that helped someone
    ACCEPTED_ANSWER = "accepted_answer"    # ... which the asker accepted (or marked useful / resolved)
    QUESTION = "question"                  # a question the person asked: interest, weaker than knowledge
    ENTRY = "entry"                        # a journal entry the person shared
    RESOURCE = "resource"                  # a resource the person wrote
    REPLY = "reply"                        # a comment or reply in a discussion
    ENDORSEMENT = "endorsement"            # a colleague confirmed the person's skill


# How much one item of each kind says about what a person knows. Accepted answers are the strongest evidence that
# someone can help; a question asked shows interest and vocabulary, not mastery.
DEFAULT_KIND_WEIGHTS: dict[EvidenceKind, float] = {
    EvidenceKind.ANSWER: 1.0,
    EvidenceKind.ACCEPTED_ANSWER: 2.0,
    EvidenceKind.QUESTION: 0.25,
    EvidenceKind.ENTRY: 0.5,
    EvidenceKind.RESOURCE: 1.0,
    EvidenceKind.REPLY: 0.25,
    EvidenceKind.ENDORSEMENT: 1.0,
}
# How much one item of each kind says that a person is around and takes part: giving help counts most.
DEFAULT_ACTIVITY_WEIGHTS: dict[EvidenceKind, float] = {
    EvidenceKind.ANSWER: 1.0,
    EvidenceKind.ACCEPTED_ANSWER: 1.0,
    EvidenceKind.REPLY: 0.5,
    EvidenceKind.QUESTION: 0.0,
    EvidenceKind.ENTRY: 0.0,
    EvidenceKind.RESOURCE: 0.0,
    EvidenceKind.ENDORSEMENT: 0.0,
}
HELPING_KINDS = frozenset({EvidenceKind.ANSWER, EvidenceKind.ACCEPTED_ANSWER})
# Evidence that makes someone suggestable even before they helped anyone: what they shared or wrote for others.
KNOWLEDGE_KINDS = frozenset({EvidenceKind.ENTRY, EvidenceKind.RESOURCE, EvidenceKind.ENDORSEMENT})


@dataclass(frozen=True)
class Parameters:
    expertise_half_life_days: float = 365.0   # what someone knew a year ago counts half
    # Who helped lately, at several time scales: who is around right now, this week, this quarter. These defaults are
    # re-checked on the first half of the routing replay (bench/routing.py --tune; bench/README.md has the protocol).
    activity_half_lives_days: tuple[float, ...] = (0.1, 7.0, 90.0)
    tag_weight: float = 1.0                   # share of P(person | query) from the query's tags ...
    text_weight: float = 1.0                  # ... and from its words (renormalised over what the query has)
    tie_weight: float = 1.0                   # ... and from whom the asker was helped by before
    smoothing: float = 3.0                    # β: pseudo-evidence pulling P(person | term) towards P(person)
    activity_pseudocount: float = 0.1         # so someone with expertise but no recent help keeps a small prior
    size_pseudocount: float = 1.0             # κ: keeps one lucky answer from making a newcomer look like an expert
    lift_exponent: float = 0.5                # tempers the Bayes factor (a question's terms are not independent)
    skill_weight: float = 1.0                 # a declared skill counts like one (unfading) answer on that tag
    max_query_words: int = 32                 # the query's rarest distinct words; the rest add little and cost time
    kind_weights: dict[EvidenceKind, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    activity_weights: dict[EvidenceKind, float] = field(default_factory=lambda: dict(DEFAULT_ACTIVITY_WEIGHTS))


@dataclass(frozen=True)
class Suggestion:
    person_id: Hashable
    score: float
    reasons: list[str]
    matched: tuple[tuple[str, str], ...] = ()   # ("tag" | "word", term): what of the request they have evidence on


# --- text --------------------------------------------------------------------------------------------------------

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing done don down during each else etc even ever every few for from further get gets
got had has have having he her here hers him his how however i if in into is it its itself just know let like make
many may me might more most much must my no nor not now of off often on once one only or other our out over own
per please quite rather really same say see she should since so some such than thank thanks that the their them
then there these they thing things this those though through thus to too try trying two under until up upon us use
used using very via want was way we well were what when where whether which while who whom why will with within
without would yes yet you your
""".split())
_TAG_RE = re.compile(r"<[^>]*>")
_WORD_RE = re.compile(r"[a-z][a-z0-9+#]*(?:[-_.][a-z0-9+#]+)*")


@functools.lru_cache(maxsize=65536)
def _s_stem(word: str) -> str:
    """Harman's S-stemmer: folds plurals only, so words stay readable in reasons."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased content words of a text that may hold HTML or Markdown."""
    if not text:
        return []
    text = html.unescape(_TAG_RE.sub(" ", text)).lower()
    return [_s_stem(w) for w in _WORD_RE.findall(text) if len(w) > 1 and w not in STOPWORDS]


def normalise_tag(tag: str) -> str:
    return "-".join(tag.strip().lower().split())


def _timestamp(when: dt.datetime | float | int) -> float:
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.timestamp()
    return float(when)


def _ago(seconds: float) -> str:
    days = seconds / DAY
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 60:
        return f"{int(days)} days ago"
    if days < 730:
        return f"{int(days / 30.44)} months ago"
    return f"{int(days / 365.25)} years ago"


# --- the index ---------------------------------------------------------------------------------------------------

class _Channel:
    """One bag of terms (tags, or words) per person, with postings, sizes and the collection model."""

    __slots__ = ("postings", "size", "total", "collection")

    def __init__(self) -> None:
        self.postings: dict[str, dict[Hashable, float]] = defaultdict(dict)   # term -> person -> anchored weight
        self.size: dict[Hashable, float] = defaultdict(float)                  # person -> anchored profile size
        self.total = 0.0                                                       # sum of all sizes
        self.collection: dict[str, float] = defaultdict(float)                 # term -> anchored weight

    def add(self, person: Hashable, terms: Iterable[str], weight: float) -> None:
        for term in terms:
            person_weights = self.postings[term]
            person_weights[person] = person_weights.get(person, 0.0) + weight
            self.size[person] += weight
            self.collection[term] += weight
            self.total += weight

    def remove(self, person: Hashable, terms: Iterable[str], weight: float) -> None:
        """Take back what `add` put in; what is left of a term or person within rounding of zero goes."""
        tiny = weight * 1e-9
        for term in terms:
            person_weights = self.postings.get(term)
            if person_weights is None or person not in person_weights:
                continue
            left = person_weights[person] - weight
            if left <= tiny:
                del person_weights[person]
                if not person_weights:
                    del self.postings[term]
            else:
                person_weights[person] = left
            collection = self.collection.get(term, 0.0) - weight
            if collection <= tiny or term not in self.postings:
                self.collection.pop(term, None)
            else:
                self.collection[term] = collection
            size = self.size.get(person, 0.0) - weight
            self.size[person] = size if size > tiny else 0.0
            self.total = max(self.total - weight, 0.0)


class ExpertiseIndex:
    """Evidence about people, updated incrementally, ranked against a request for help."""

    def __init__(self, parameters: Parameters | None = None) -> None:
        self.parameters = parameters or Parameters()
        self._anchor: float | None = None
        self._tags = _Channel()
        self._words = _Channel()
        self._ties = _Channel()            # who helped whom: the "terms" are the people helped
        self._skills: dict[Hashable, frozenset[str]] = {}
        self._skill_holders: dict[str, set[Hashable]] = defaultdict(set)
        scales = self.parameters.activity_half_lives_days
        self._activity: dict[Hashable, list[float]] = {}          # person -> anchored activity, one per time scale
        # The most active people as of some moment, and who has become more active since: rank() looks at these
        # first and scans everyone only when it cannot prove that nobody else could make the list.
        self._leaders: tuple[float, list[float], float, list[Hashable], float] | None = None
        self._risen: set[Hashable] = set()
        self._activity_total: list[float] = [0.0 for _ in scales]
        self._last_active: dict[Hashable, float] = {}
        self._helped: dict[Hashable, dict[str, list[tuple[float, bool]]]] = defaultdict(lambda: defaultdict(list))
        self._helpers: set[Hashable] = set()
        self._people: set[Hashable] = set()
        self._help_times: dict[Hashable, list[float]] = defaultdict(list)
        self._endorsed: dict[Hashable, dict[str, int]] = defaultdict(dict)   # person -> skill -> endorsements

    # anchored weights: stored = weight · 2^((when − anchor)/half-life); as of `now` multiply by 2^(−(now − anchor)/h)
    def _grow(self, when: float, half_life_days: float) -> float:
        return 2.0 ** ((when - self._anchor) / (half_life_days * DAY))

    def _fade(self, now: float, half_life_days: float) -> float:
        return 2.0 ** (-(now - self._anchor) / (half_life_days * DAY))

    def _shortest_half_life(self) -> float:
        return min((self.parameters.expertise_half_life_days, *self.parameters.activity_half_lives_days))

    def _rebase(self, anchor: float) -> None:
        """Move the anchor forward: a long-running index would otherwise grow its stored weights past what a float
        holds (a one-day half-life doubles them daily). Scores are unchanged."""
        expertise = self._fade(anchor, self.parameters.expertise_half_life_days)
        for channel in (self._tags, self._words, self._ties):
            for person_weights in channel.postings.values():
                for person in person_weights:
                    person_weights[person] *= expertise
            for person in channel.size:
                channel.size[person] *= expertise
            for term in channel.collection:
                channel.collection[term] *= expertise
            channel.total *= expertise
        factors = [self._fade(anchor, h) for h in self.parameters.activity_half_lives_days]
        for values in self._activity.values():
            for i, factor in enumerate(factors):
                values[i] *= factor
        for i, factor in enumerate(factors):
            self._activity_total[i] *= factor
        self._anchor = anchor
        self._leaders = None

    @property
    def people(self) -> set[Hashable]:
        """People who can be suggested by default: they helped someone, declared a skill, or shared or wrote
        something for others."""
        return set(self._people)

    def declare_skills(self, person_id: Hashable, skills: Iterable[str]) -> None:
        """Replace the skills a person declared (they do not fade: the person keeps them up to date)."""
        for skill in self._skills.get(person_id, ()):
            self._skill_holders[skill].discard(person_id)
        declared = frozenset(normalise_tag(s) for s in skills if s.strip())
        self._skills[person_id] = declared
        self._people.add(person_id)
        for skill in declared:
            self._skill_holders[skill].add(person_id)

    def add_evidence(self, person_id: Hashable, *, kind: EvidenceKind | str, when: dt.datetime | float,
                     text: str = "", tags: Iterable[str] = (), weight: float = 1.0,
                     helped: Hashable | None = None) -> None:
        """One piece of evidence: `weight` scales the kind's own weight (e.g. by votes or "useful" reactions);
        `helped`: the person this answer or reply helped (people tend to ask those who helped them before)."""
        kind = EvidenceKind(kind)
        stamp = _timestamp(when)
        if self._anchor is None:
            self._anchor = stamp
        elif stamp - self._anchor > _REBASE_AFTER_HALF_LIVES * self._shortest_half_life() * DAY:
            self._rebase(stamp)
        strength = self.parameters.kind_weights.get(kind, 0.0) * weight
        tag_list = [normalise_tag(t) for t in tags if t.strip()]
        if strength > 0:
            anchored = strength * self._grow(stamp, self.parameters.expertise_half_life_days)
            self._tags.add(person_id, tag_list, anchored)
            self._words.add(person_id, tokens(text), anchored)
            if helped is not None and helped != person_id and kind in HELPING_KINDS:
                self._ties.add(person_id, [helped], anchored)
        if kind in KNOWLEDGE_KINDS:
            self._people.add(person_id)
        if kind is EvidenceKind.ENDORSEMENT:
            endorsed = self._endorsed[person_id]
            for tag in tag_list:
                endorsed[tag] = endorsed.get(tag, 0) + 1
        if kind in HELPING_KINDS:
            self._helpers.add(person_id)
            self._people.add(person_id)
            self._help_times[person_id].append(stamp)
            history = self._helped[person_id]
            for tag in tag_list:
                history[tag].append((stamp, kind is EvidenceKind.ACCEPTED_ANSWER))
        active = self.parameters.activity_weights.get(kind, 0.0)
        if active > 0:
            values = self._activity.get(person_id)
            if values is None:
                values = self._activity[person_id] = [0.0] * len(self._activity_total)
            for i, half_life in enumerate(self.parameters.activity_half_lives_days):
                grown = active * self._grow(stamp, half_life)
                values[i] += grown
                self._activity_total[i] += grown
            if self._leaders is not None:
                self._risen.add(person_id)
        if kind is not EvidenceKind.ENDORSEMENT and stamp > self._last_active.get(person_id, -math.inf):
            self._last_active[person_id] = stamp

    def remove_evidence(self, person_id: Hashable, *, kind: EvidenceKind | str, when: dt.datetime | float,
                        text: str = "", tags: Iterable[str] = (), weight: float = 1.0) -> None:
        """Take back knowledge evidence (a shared entry, a resource, an endorsement) given to `add_evidence` with
        the same arguments, e.g. once it is no longer shared. Activity and helping history are not undone: only
        knowledge kinds (which add neither) may be removed."""
        kind = EvidenceKind(kind)
        if kind not in KNOWLEDGE_KINDS:
            raise ValueError(f"{kind} evidence cannot be removed")
        if self._anchor is None:
            return
        strength = self.parameters.kind_weights.get(kind, 0.0) * weight
        tag_list = [normalise_tag(t) for t in tags if t.strip()]
        if strength > 0:
            anchored = strength * self._grow(_timestamp(when), self.parameters.expertise_half_life_days)
            self._tags.remove(person_id, tag_list, anchored)
            self._words.remove(person_id, tokens(text), anchored)
        if kind is EvidenceKind.ENDORSEMENT:
            endorsed = self._endorsed.get(person_id, {})
            for tag in tag_list:
                left = endorsed.get(tag, 0) - 1
                if left > 0:
                    endorsed[tag] = left
                else:
                    endorsed.pop(tag, None)

    # --- scoring -------------------------------------------------------------------------------------------------

    def scores(self, query_text: str = "", query_tags: Iterable[str] = (), *, now: dt.datetime | float,
               candidates: Collection[Hashable] | None = None, exclude: Collection[Hashable] = (),
               availability: Callable[[Hashable], float] | Mapping[Hashable, float] | None = None,
               asker: Hashable | None = None) -> dict[Hashable, float]:
        """Every candidate's score (higher is better); `exclude` (opted out, the asker) never appears.
        `availability`: 0 (never suggest) to 1, by person, as a function or a mapping (missing: 1)."""
        availability = _as_function(availability)
        scored, _ = self._score(query_text, query_tags, now, candidates, exclude, availability, asker,
                                explain=False, top_k=None)
        return scored

    def rank(self, query_text: str = "", query_tags: Iterable[str] = (), *, now: dt.datetime | float,
             candidates: Collection[Hashable] | None = None, exclude: Collection[Hashable] = (), k: int = 10,
             availability: Callable[[Hashable], float] | Mapping[Hashable, float] | None = None,
             asker: Hashable | None = None) -> list[Suggestion]:
        """The `k` people most likely to help, best first, each with reasons a person can read."""
        availability = _as_function(availability)
        scored, matches = self._score(query_text, query_tags, now, candidates, exclude, availability, asker,
                                      explain=True, top_k=k)
        best = heapq.nlargest(k, scored.items(), key=lambda item: (item[1], str(item[0])))
        stamp = _timestamp(now)
        return [Suggestion(person, score, self._reasons(person, stamp, matches, availability),
                           tuple(key for key in matches.get(person, {}) if key[0] != "asker"))
                for person, score in best]

    def _score(self, query_text, query_tags, now, candidates, exclude, availability, asker, *, explain, top_k):
        """Scores of the pool; with `top_k`, only of those who can be among the top_k (the same top_k as a full
        scoring, for a fraction of the work on a large organisation)."""
        params = self.parameters
        pool = set(self._people) if candidates is None else set(candidates)
        pool.difference_update(exclude)
        pool.discard(asker)
        stamp = _timestamp(now)
        if self._anchor is None:           # only declared skills so far
            self._anchor = stamp
        if not pool:
            return {}, {}
        fade = self._fade(stamp, params.expertise_half_life_days)
        lift, baseline, matches = self._lift(query_text, query_tags, asker, pool, fade, explain=explain)

        # P(person answers now): over each time scale, the person's share of the help given lately; then their mean.
        # Normalised over everyone who can be suggested, a constant within one query, so the pool never needs a sum.
        n_people = max(len(self._people), 1)
        factors, floor = [], 0.0
        for total, half_life in zip(self._activity_total, params.activity_half_lives_days):
            fade_activity = self._fade(stamp, half_life)
            normaliser = total * fade_activity + params.activity_pseudocount * n_people
            factors.append(fade_activity / normaliser)
            floor += params.activity_pseudocount / normaliser
        log, exponent = math.log, params.lift_exponent
        activity_values = self._activity
        available = _always if availability is None else availability

        def activity_of(person: Hashable) -> float:
            values = activity_values.get(person)
            return floor if values is None else floor + sum(v * f for v, f in zip(values, factors))

        score = {}
        if top_k is None:
            people_to_score = pool
        else:
            # Someone with no evidence on the request scores log(activity · availability) + a constant: only the
            # top_k of them can make the list, so the logarithms are taken for them and the matching people only.
            people_to_score = set(lift)
            plain = exponent * log(baseline)
            best = self._best_inactive_on_request(stamp, factors, floor, pool, lift, top_k, activity_of, available)
            if len(best) < top_k or best[-1][0] <= floor:
                # Never active people (skills, entries only) all have the floor: they can still make the list.
                idle = [(floor * min(available(p), 1.0), p) for p in pool
                        if p not in activity_values and p not in lift]
                best = heapq.nlargest(top_k, best + idle, key=_by_value)
            for value, person in best:
                if value > 0:
                    score[person] = log(value) + plain
        for person in people_to_score:
            factor = min(available(person), 1.0)
            if factor > 0:
                score[person] = log(activity_of(person) * factor) + exponent * log(lift.get(person, 0.0) + baseline)
        return score, matches

    _LEADERS = 256                      # how many of the most active people are kept in the shortlist
    _LEADERS_MAX_AGE = DAY              # rebuilt at least daily (activity fades at different speeds per scale)

    def _best_inactive_on_request(self, stamp, factors, floor, pool, lift, top_k, activity_of, available):
        """The top_k people without evidence on the request, by activity · availability: from the shortlist of the
        most active plus whoever became more active since it was made, when that provably gives the same answer
        as scanning everyone; otherwise by scanning everyone (and the shortlist is made again)."""
        leaders = self._leaders
        if leaders is not None and (stamp - leaders[0] > self._LEADERS_MAX_AGE or stamp < leaders[0]
                                    or len(self._risen) > self._LEADERS):
            leaders = None
        if leaders is not None:
            _, factors_then, floor_then, people, cutoff = leaders
            # Without new evidence, activity above the floor can grow at most by the largest ratio of the per-scale
            # factors since then: a bound on everyone outside the shortlist.
            ratio = max(now / then for now, then in zip(factors, factors_then)) if all(factors_then) else math.inf
            bound = floor + ratio * (cutoff - floor_then)
            seen = set()
            shortlist = []
            for person in (*people, *self._risen):
                if person not in seen and person in pool and person not in lift:
                    seen.add(person)
                    shortlist.append((activity_of(person) * min(available(person), 1.0), person))
            best = heapq.nlargest(top_k, shortlist, key=_by_value)
            if len(best) == top_k and best[-1][0] > bound:
                return best
        rest = [(activity_of(p) * min(available(p), 1.0), p) for p in self._activity if p in pool and p not in lift]
        self._make_leaders(stamp, factors, floor, activity_of)
        return heapq.nlargest(top_k, rest, key=_by_value)

    def _make_leaders(self, stamp, factors, floor, activity_of) -> None:
        everyone = heapq.nlargest(self._LEADERS + 1, ((activity_of(p), p) for p in self._activity), key=_by_value)
        cutoff = everyone[-1][0] if len(everyone) > self._LEADERS else floor
        self._leaders = (stamp, list(factors), floor, [p for _, p in everyone[:self._LEADERS]], cutoff)
        self._risen = set()

    def _lift(self, query_text, query_tags, asker, pool, fade, *, explain):
        """P(person | query) / P(person), mixed over the query's tags, words and asker, each Dirichlet-smoothed:
        P(person | term) = (person's evidence on term + β · P(person)) / (all evidence on term + β).
        Returns the lift of each person with evidence, the lift of someone without, and what matched."""
        params = self.parameters
        tags = list(dict.fromkeys(normalise_tag(t) for t in query_tags if t.strip()))
        tags = [t for t in tags if t in self._tags.collection or self._skill_holders.get(t)]
        words = [w for w in dict.fromkeys(tokens(query_text)) if w in self._words.collection]
        words.sort(key=self._words.collection.__getitem__)       # rarest first: the most telling words
        words = words[:params.max_query_words]
        ties = [asker] if asker is not None and asker in self._ties.collection else []
        channels = [("tag", self._tags, tags, params.tag_weight, True),
                    ("word", self._words, words, params.text_weight, False),
                    ("asker", self._ties, ties, params.tie_weight, False)]
        channels = [c for c in channels if c[2] and c[3] > 0]
        lift: dict[Hashable, float] = defaultdict(float)
        matches: dict[Hashable, dict[tuple[str, Hashable], float]] = defaultdict(dict)
        if not channels:
            return lift, 1.0, matches
        baseline = 0.0
        weight_total = sum(c[3] for c in channels)
        skill_weight, beta, kappa = params.skill_weight, params.smoothing, params.size_pseudocount
        declared_total = sum(len(s) for s in self._skills.values()) * skill_weight
        skills = self._skills
        for label, channel, terms, weight, declared in channels:
            per_term = weight / weight_total / len(terms)
            total = channel.total * fade + (declared_total if declared else 0.0)
            sizes = channel.size
            for term in terms:
                holders = self._skill_holders.get(term, ()) if declared else ()
                postings = channel.postings.get(term, {})
                evidence = channel.collection.get(term, 0.0) * fade + len(holders) * skill_weight
                share = per_term / (evidence + beta)
                baseline += share * beta
                # P(person | term) / P(person) = (mass / (evidence + β)) / (size / total)
                coefficient = share * total
                for person, mass in postings.items():
                    if person in pool:
                        size = sizes[person] * fade
                        if declared and person in skills:
                            size += len(skills[person]) * skill_weight
                            if person in holders:
                                continue          # counted with the declared skill below
                        gain = coefficient * mass * fade / (size + kappa)
                        lift[person] += gain
                        if explain:
                            matches[person][(label, term)] = gain
                for person in holders:
                    if person in pool:
                        size = sizes.get(person, 0.0) * fade + len(skills[person]) * skill_weight
                        gain = coefficient * (postings.get(person, 0.0) * fade + skill_weight) / (size + kappa)
                        lift[person] += gain
                        if explain:
                            matches[person][(label, term)] = gain
        return lift, baseline, matches

    # --- reasons -------------------------------------------------------------------------------------------------

    def _reasons(self, person: Hashable, now: float, matches: dict, availability) -> list[str]:
        reasons: list[str] = []
        matched = matches.get(person, {})
        declared = self._skills.get(person, frozenset())
        history = self._helped.get(person, {})
        half_year = now - 182.5 * DAY
        words = []
        for (label, term), _gain in sorted(matched.items(), key=lambda item: -item[1]):
            if label == "asker":
                reasons.append("has helped this person before")
            elif label == "word":
                words.append(term)
            elif term in declared:
                reasons.append(f"declared skill: {term}")
            elif term in history:
                helped = [(when, accepted) for when, accepted in history[term] if when <= now]
                recent = [accepted for when, accepted in helped if when >= half_year]
                if recent:
                    accepted = sum(recent)
                    text = f"answered {_count(len(recent), 'question')} tagged {term} in the last 6 months"
                    reasons.append(text + (f" ({accepted} accepted)" if accepted else ""))
                elif helped:
                    latest = max(when for when, _ in helped)
                    reasons.append(f"answered {_count(len(helped), 'question')} tagged {term}, "
                                   f"most recently {_ago(now - latest)}")
            elif self._endorsed.get(person, {}).get(term):
                count = self._endorsed[person][term]
                reasons.append(f"{term} endorsed by {_count(count, 'colleague')}")
            else:
                reasons.append(f"has written or asked about {term}")
        if words:
            reasons.append("has written about " + ", ".join(words[:4]))
        last = self._last_active.get(person)
        if last is not None and last <= now:
            month_ago = now - 30 * DAY
            recent_help = sum(1 for when in self._help_times.get(person, ()) if month_ago <= when <= now)
            if recent_help:
                reasons.append(f"answered {_count(recent_help, 'question')} in the last 30 days")
            reasons.append(f"last active {_ago(now - last)}")
        if availability is not None:
            factor = availability(person)
            if factor < 1:
                reasons.append(f"limited availability right now ({round(factor * 100)}%)")
        return reasons


def _by_value(item: tuple[float, Hashable]) -> tuple[float, str]:
    return item[0], str(item[1])


def _always(_person: Hashable) -> float:
    return 1.0


def _as_function(availability):
    if isinstance(availability, Mapping):
        get = availability.get
        return lambda person: get(person, 1.0)
    return availability


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
