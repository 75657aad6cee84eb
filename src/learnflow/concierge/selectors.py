"""Every read of the concierge. Requests are private to the asker and the people asked (and L&D once queued);
suggestions and the directory leave out whoever opted out, and explain themselves only with what anyone may know."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from learnflow.concierge import expertise
from learnflow.concierge.models import AskStatus, HelpAsk, HelpMessage, HelpRequest, RequestStatus
from learnflow.concierge.ranking import tokens
from learnflow.core.errors import NotFound

# How likely someone is to have time, by their status; each open request they already hold halves what is left.
AVAILABILITY_FACTOR = {"available": 1.0, "busy": 0.5, "away": 0.1}
OPEN_REQUEST_PENALTY = 0.5


@dataclass(frozen=True)
class PersonSuggestion:
    person: Any
    score: float
    reasons: list[str]
    matched: tuple[tuple[str, str], ...]
    open_requests: int

    @property
    def good_match(self) -> bool:
        """Evidence on one of the request's topics or skills, or on at least two of its words."""
        return any(label == "tag" for label, _ in self.matched) or len(self.matched) >= 2


# --- requests ---------------------------------------------------------------------------------------------------

def help_request_list(*, viewer: Any, scope: str = "mine") -> QuerySet[HelpRequest]:
    """scope: mine (I asked), asked (someone asked me), queue (L&D), all (everything I may see)."""
    qs = HelpRequest.objects.visible_to(viewer).select_related("asker", "helper", "taken_by")
    if scope == "mine":
        qs = qs.filter(asker=viewer)
    elif scope == "asked":
        qs = qs.filter(asks__person=viewer).distinct()
    elif scope == "queue":
        if not viewer.is_lnd:
            raise PermissionDenied("The concierge queue is for L&D.")
        qs = qs.filter(queued_at__isnull=False, status=RequestStatus.OPEN).order_by("taken_by_id", "queued_at")
    return qs.prefetch_related("topics", "skills")


def help_request_get(*, viewer: Any, pk: int) -> HelpRequest:
    request = (HelpRequest.objects.visible_to(viewer).select_related("asker", "helper", "taken_by", "resource")
               .prefetch_related("topics", "skills",
                                 Prefetch("asks", HelpAsk.objects.select_related("person", "asked_by", "passed_to")),
                                 Prefetch("messages", HelpMessage.objects.select_related("author")))
               .filter(pk=pk).first())
    if request is None:
        raise NotFound("No such help request.")
    return request


def ask_for(*, request: HelpRequest, viewer: Any) -> HelpAsk | None:
    """The viewer's own ask on a request loaded by help_request_get (prefetched)."""
    live = [a for a in request.asks.all() if a.person_id == viewer.pk]
    return live[0] if live else None


def asks_waiting_count(*, viewer: Any) -> int:
    return HelpAsk.objects.filter(person=viewer, status=AskStatus.PENDING, request__status=RequestStatus.OPEN).count()


def queue_count(*, viewer: Any) -> int:
    if not viewer.is_lnd:
        return 0
    return HelpRequest.objects.filter(queued_at__isnull=False, status=RequestStatus.OPEN, taken_by=None).count()


# --- suggestions ------------------------------------------------------------------------------------------------

# Who may not be suggested, availability and open requests held, kept for a few seconds in the process: at a
# busy time every suggestion would otherwise read the same thousands of rows again. The concierge's own writes
# (opting out, asking, answering, resolving) clear it at once in their process; other processes see the change within
# PEOPLE_STATE_SECONDS, as they do a change of status on a profile.
PEOPLE_STATE_SECONDS = 10.0
_people_cache: tuple[float, tuple[set[int], dict[int, float], dict[int, int]]] | None = None


def people_state_invalidate() -> None:
    global _people_cache
    _people_cache = None


def _people_state() -> tuple[set[int], dict[int, float], dict[int, int]]:
    global _people_cache
    cached = _people_cache
    if cached is not None and time.monotonic() < cached[0]:
        excluded, factors, holding = cached[1]
        return set(excluded), factors, holding
    state = _people_state_read()
    _people_cache = (time.monotonic() + PEOPLE_STATE_SECONDS, state)
    return set(state[0]), state[1], state[2]


def _people_state_read() -> tuple[set[int], dict[int, float], dict[int, int]]:
    """Who may not be suggested (opted out, inactive), availability factors, and open requests held."""
    from learnflow.org.models import User

    excluded: set[int] = set()
    factors: dict[int, float] = {}
    for pk, active, opt_out, status in (User.objects.filter(Q(is_active=False) | Q(concierge_profile__opt_out=True)
                                                            | ~Q(availability="available"))
                                        .values_list("pk", "is_active", "concierge_profile__opt_out",
                                                     "availability")):
        if not active or opt_out:
            excluded.add(pk)
        else:
            factors[pk] = AVAILABILITY_FACTOR.get(status, 1.0)
    holding = dict(HelpAsk.objects.filter(status__in=[AskStatus.PENDING, AskStatus.ACCEPTED],
                                          request__status=RequestStatus.OPEN)
                   .values_list("person_id").annotate(n=Count("pk")).values_list("person_id", "n"))
    for pk, n in holding.items():
        factors[pk] = factors.get(pk, 1.0) / (1.0 + OPEN_REQUEST_PENALTY * n)
    return excluded, factors, holding


def people_suggest(*, viewer: Any, text: str = "", topics: Sequence[Any] = (), skills: Sequence[str] = (),
                   k: int = 5, exclude: Sequence[int] = (), now: dt.datetime | None = None,
                   use_ties: bool = True) -> list[PersonSuggestion]:
    """The colleagues most likely to help with this, best first, with reasons anyone may read. Never the viewer,
    anyone who opted out, or anyone inactive."""
    from learnflow.org.models import User

    index, people = expertise.expertise_index()
    excluded, factors, holding = _people_state()
    excluded.update(exclude)
    excluded.add(viewer.pk)
    ranked = index.rank(text, expertise.query_tags(topics=topics, skills=skills), now=now or timezone.now(),
                        candidates=people, exclude=excluded, k=k,
                        availability=factors, asker=viewer.pk if use_ties else None)
    # The index keeps no names: load the few people suggested.
    users = User.objects.select_related("team").in_bulk([s.person_id for s in ranked])
    out = []
    for s in ranked:
        user = users.get(s.person_id)
        if user is None:
            continue
        reasons = [r for r in s.reasons if not r.startswith("limited availability")]
        if user.availability != "available":
            reasons.append(f"status: {user.get_availability_display().lower()}")
        if holding.get(user.pk):
            n = holding[user.pk]
            reasons.append(f"already helping with {n} open request{'s' if n != 1 else ''}")
        out.append(PersonSuggestion(person=user, score=s.score, reasons=reasons, matched=s.matched,
                                    open_requests=holding.get(user.pk, 0)))
    return out


def request_suggestions(*, viewer: Any, request: HelpRequest, k: int = 5,
                        now: dt.datetime | None = None) -> list[PersonSuggestion]:
    """Suggestions for a request (the asker's page and L&D routing): never the asker or anyone already asked."""
    already = [a.person_id for a in request.asks.all()]
    text = f"{request.title}\n{request.title}\n{request.description}\n{request.tried}"
    return people_suggest(viewer=request.asker, text=text,
                          topics=list(request.topics.all()), skills=[s.name for s in request.skills.all()], k=k,
                          exclude=[request.asker_id, *already], now=now)


def expertise_directory(*, viewer: Any, query: str, k: int = 20,
                        now: dt.datetime | None = None) -> list[PersonSuggestion]:
    """"Who knows about X": the words as tags too, so a declared skill "data visualisation" matches."""
    query = (query or "").strip()
    if not query:
        return []
    tags = [query, *tokens(query)]
    # Only people with evidence on it: the directory answers "who knows", not "who is around".
    return [s for s in people_suggest(viewer=viewer, text=query, skills=tags, k=k, now=now, use_ties=False)
            if s.matched]


# --- what else matches ------------------------------------------------------------------------------------------

def _query_words(text: str, limit: int = 6) -> list[str]:
    words = sorted(set(tokens(text)), key=len, reverse=True)
    return [w for w in words if len(w) > 3][:limit]


def resources_matching(*, viewer: Any, text: str, topics: Sequence[Any] = (), k: int = 5) -> list[Any]:
    try:
        from learnflow.library.selectors import resources_visible_to
    except ImportError:
        from learnflow.library.models import Resource

        qs = Resource.objects.filter(status="published")
    else:
        qs = resources_visible_to(viewer=viewer).filter(status="published")
    match = Q(topics__in=list(topics)) if topics else Q(pk__in=[])
    for word in _query_words(text):
        match |= Q(title__icontains=word) | Q(summary__icontains=word)
    return list(qs.filter(match).distinct().order_by("-published_at")[:k])


def communities_matching(*, viewer: Any, text: str, topics: Sequence[Any] = (), k: int = 3) -> list[Any]:
    """Open and closed communities, and hidden ones only for their members."""
    try:
        from learnflow.community.models import Access, Community
    except ImportError:
        return []
    try:
        from learnflow.community.selectors import communities_visible_q
        visible = communities_visible_q(viewer)
    except ImportError:
        visible = ~Q(access=Access.HIDDEN) | Q(memberships__user=viewer)
    match = Q(topics__in=list(topics)) if topics else Q(pk__in=[])
    for word in _query_words(text):
        match |= Q(name__icontains=word) | Q(description__icontains=word)
    return list(Community.objects.filter(visible).filter(match).distinct().order_by("-member_count", "name")[:k])
