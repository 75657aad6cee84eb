"""Every write of the concierge: help requests, asks, the conversation, the L&D queue, interactions, settings."""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from learnflow.concierge.models import (
    AskStatus, ConciergeProfile, HelpAsk, HelpMessage, HelpRequest, Interaction, InteractionKind, Mode, QueueReason,
    RequestStatus, Urgency,
)
from learnflow.core.services import event_record, skill_get_or_create_many

# A request nobody answered within this many working days (Monday to Friday) goes to the L&D concierge queue.
QUEUE_AFTER_WORKING_DAYS = getattr(settings, "LEARNFLOW_CONCIERGE_QUEUE_AFTER_WORKING_DAYS", 2)
MAX_ASKS_AT_ONCE = 5


# --- interactions (contract used by other apps) -----------------------------------------------------------------

@transaction.atomic
def interaction_record(*, helper: Any, helped: Any | None, kind: str, about: str = "", topics: Sequence[Any] = (),
                       source_type: str = "", source_id: str | int = "", at: dt.datetime | None = None,
                       skills: Sequence[Any] = ()) -> Interaction:
    interaction = Interaction.objects.create(helper=helper, helped=helped, kind=kind, about=about[:300],
                                             source_type=source_type, source_id=str(source_id),
                                             at=at or timezone.now())
    if topics:
        interaction.topics.set(topics)
    if skills:
        interaction.skills.set(skills)
    return interaction


# --- notifications ----------------------------------------------------------------------------------------------

def _people_changed() -> None:
    # Who holds open requests, or opted out, changed: suggestions must see it at once (after the commit).
    from learnflow.concierge.selectors import people_state_invalidate

    people_state_invalidate()
    transaction.on_commit(people_state_invalidate)


def _notify(*, user: Any, text: str, url: str, actor: Any | None = None) -> None:
    """Through the notifications app (in-app and email, as the person chose) when it is installed."""
    if user is None or (actor is not None and user.pk == actor.pk):
        return
    try:
        from learnflow.notifications.services import notify
    except ImportError:
        from learnflow.account.services import notice_create

        notice_create(user=user, text=text, url=url)
    else:
        notify(user=user, kind="help_request", text=text, url=url, actor=actor)


# --- settings ---------------------------------------------------------------------------------------------------

def opted_out(user: Any) -> bool:
    return ConciergeProfile.objects.filter(user=user, opt_out=True).exists()


@transaction.atomic
def concierge_profile_set(*, user: Any, opt_out: bool) -> ConciergeProfile:
    profile, _ = ConciergeProfile.objects.get_or_create(user=user)
    profile.opt_out = bool(opt_out)
    profile.full_clean()
    profile.save()
    _people_changed()
    return profile


# --- help requests ----------------------------------------------------------------------------------------------

def _check_participant(request: HelpRequest, actor: Any) -> None:
    if actor.pk == request.asker_id:
        return
    if HelpAsk.objects.filter(request=request, person=actor,
                              status__in=[AskStatus.PENDING, AskStatus.ACCEPTED]).exists():
        return
    if request.in_queue and actor.is_lnd:
        return
    raise PermissionDenied("Only the asker, the people asked and (in the queue) L&D take part in a request.")


def _check_open(request: HelpRequest) -> None:
    if not request.is_open:
        raise ValidationError({"status": "This request is no longer open."})


@transaction.atomic
def help_request_create(*, asker: Any, title: str, description: str = "", tried: str = "",
                        topics: Sequence[Any] = (), skills: Sequence[str] = (), urgency: str = Urgency.NORMAL,
                        mode: str = Mode.WRITTEN, now: dt.datetime | None = None,
                        queue_if_unmatched: bool = True) -> HelpRequest:
    """A new request. When nobody has shown any expertise on what it is about, it goes to the L&D concierge queue
    at once (the asker can still ask whoever is suggested)."""
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "Choose how urgent it is."})
    if mode not in Mode.values:
        raise ValidationError({"mode": "Choose a chat, a call or a written answer."})
    request = HelpRequest(asker=asker, title=(title or "").strip(), description=description or "",
                          tried=tried or "", urgency=urgency, mode=mode, created_at=now or timezone.now())
    request.full_clean()
    request.save()
    if topics:
        request.topics.set(topics)
    if skills:
        request.skills.set(skill_get_or_create_many(names=skills))
    event_record(actor=asker, verb="requested-help", obj=request)
    if queue_if_unmatched:
        from learnflow.concierge.selectors import request_suggestions

        if not any(s.good_match for s in request_suggestions(viewer=asker, request=request, now=now)):
            help_request_queue(request=request, reason=QueueReason.NO_MATCH, now=now)
    return request


@transaction.atomic
def help_request_ask(*, request: HelpRequest, actor: Any, people: Sequence[Any], note: str = "",
                     now: dt.datetime | None = None) -> list[HelpAsk]:
    """The asker (or L&D, for a request in the queue) asks colleagues to help."""
    _check_open(request)
    if actor.pk != request.asker_id and not (request.in_queue and actor.is_lnd):
        raise PermissionDenied("Only the asker, or L&D once the request is in the queue, asks people to help.")
    people = list({p.pk: p for p in people}.values())
    if not people:
        raise ValidationError({"people": "Choose at least one colleague to ask."})
    if len(people) > MAX_ASKS_AT_ONCE:
        raise ValidationError({"people": f"Ask at most {MAX_ASKS_AT_ONCE} people at once."})
    return [_ask(request=request, person=person, asked_by=actor, note=note, now=now or timezone.now())
            for person in people]


def _ask(*, request: HelpRequest, person: Any, asked_by: Any, note: str, now: dt.datetime) -> HelpAsk:
    if person.pk == request.asker_id:
        raise ValidationError({"people": "You cannot ask yourself."})
    if not person.is_active:
        raise ValidationError({"people": f"{person.display_name} no longer works here."})
    if opted_out(person):
        raise ValidationError({"people": f"{person.display_name} has chosen not to receive help requests."})
    if HelpAsk.objects.filter(request=request, person=person).exists():
        raise ValidationError({"people": f"{person.display_name} has already been asked."})
    ask = HelpAsk(request=request, person=person, asked_by=asked_by, note=(note or "").strip()[:500], created_at=now)
    ask.full_clean()
    ask.save()
    _people_changed()
    who = "asks" if asked_by.pk == request.asker_id else f"passes on a request from {request.asker.display_name}:"
    _notify(user=person, actor=asked_by, url=request.get_absolute_url(),
            text=f"{asked_by.display_name} {who} can you help with “{request.title}”?")
    return ask


@transaction.atomic
def help_ask_respond(*, ask: HelpAsk, actor: Any, accept: bool, note: str = "",
                     now: dt.datetime | None = None) -> HelpAsk:
    if ask.person_id != actor.pk:
        raise PermissionDenied("Only the person asked answers this.")
    _check_open(ask.request)
    if ask.status != AskStatus.PENDING:
        raise ValidationError({"status": "You have already answered this."})
    ask.status = AskStatus.ACCEPTED if accept else AskStatus.DECLINED
    ask.reply_note = (note or "").strip()[:500]
    ask.responded_at = now or timezone.now()
    ask.full_clean()
    ask.save()
    _people_changed()
    request = ask.request
    verb = "will help with" if accept else "cannot help with"
    _notify(user=request.asker, actor=actor, url=request.get_absolute_url(),
            text=f"{actor.display_name} {verb} “{request.title}”" + (f": {ask.reply_note}" if ask.reply_note else ""))
    return ask


@transaction.atomic
def help_ask_pass(*, ask: HelpAsk, actor: Any, to: Any, note: str = "", now: dt.datetime | None = None) -> HelpAsk:
    """Pass a request on to someone who knows better, with a note; the new person sees the request from then on."""
    if ask.person_id != actor.pk:
        raise PermissionDenied("Only the person asked passes it on.")
    request = ask.request
    _check_open(request)
    if not ask.is_live:
        raise ValidationError({"status": "You have already declined or passed this on."})
    if to.pk == actor.pk:
        raise ValidationError({"to": "Pass it on to someone else."})
    now = now or timezone.now()
    try:
        new = _ask(request=request, person=to, asked_by=actor, note=note, now=now)
    except ValidationError as exc:
        raise ValidationError({"to": exc.message_dict.get("people", exc.messages)}) from exc
    ask.status, ask.passed_to, ask.reply_note, ask.responded_at = AskStatus.PASSED, to, note.strip()[:500], now
    ask.save()
    _people_changed()
    _notify(user=request.asker, actor=actor, url=request.get_absolute_url(),
            text=f"{actor.display_name} passed “{request.title}” on to {to.display_name}")
    return new


@transaction.atomic
def help_message_post(*, request: HelpRequest, author: Any, body: str, now: dt.datetime | None = None) -> HelpMessage:
    _check_open(request)
    _check_participant(request, author)
    now = now or timezone.now()
    message = HelpMessage(request=request, author=author, body=(body or "").strip(), created_at=now)
    message.full_clean()
    message.save()
    if author.pk != request.asker_id:
        # Writing in the conversation is taking the request on.
        HelpAsk.objects.filter(request=request, person=author, status=AskStatus.PENDING).update(
            status=AskStatus.ACCEPTED, responded_at=now)
        interaction_record(helper=author, helped=request.asker, kind=InteractionKind.REPLY, about=request.title,
                           topics=list(request.topics.all()), skills=list(request.skills.all()),
                           source_type="concierge.helpmessage", source_id=message.pk, at=now)
        event_record(actor=author, verb="helped", obj=request)
    url = request.get_absolute_url()
    for person in _participants(request):
        _notify(user=person, actor=author, url=url, text=f"{author.display_name} replied on “{request.title}”")
    return message


def _participants(request: HelpRequest) -> list[Any]:
    people = {request.asker_id: request.asker}
    for ask in request.asks.filter(status__in=[AskStatus.PENDING, AskStatus.ACCEPTED]).select_related("person"):
        people[ask.person_id] = ask.person
    if request.taken_by_id:
        people[request.taken_by_id] = request.taken_by
    return list(people.values())


def helpers_of(request: HelpRequest) -> list[Any]:
    """Who helped: everyone who answered in the conversation (first answer first), then the colleagues who
    accepted the ask without writing (they may have helped by chat or on a call), then the L&D person who took it."""
    seen: dict[int, Any] = {}
    for message in request.messages.exclude(author=request.asker_id).select_related("author"):
        seen.setdefault(message.author_id, message.author)
    for ask in request.asks.filter(status=AskStatus.ACCEPTED).select_related("person").order_by("responded_at",
                                                                                                "pk"):
        seen.setdefault(ask.person_id, ask.person)
    if request.taken_by_id and request.taken_by_id != request.asker_id:
        seen.setdefault(request.taken_by_id, request.taken_by)
    return list(seen.values())


@transaction.atomic
def help_request_resolve(*, request: HelpRequest, actor: Any, helper: Any | None = None,
                         now: dt.datetime | None = None) -> HelpRequest:
    """The asker marks the request resolved, naming who helped most (their answer counts as accepted)."""
    if actor.pk != request.asker_id:
        raise PermissionDenied("Only the asker marks a request resolved.")
    _check_open(request)
    helpers = helpers_of(request)
    if helper is not None and helper.pk not in {h.pk for h in helpers}:
        raise ValidationError({"helper": "Choose someone who answered or accepted to help."})
    now = now or timezone.now()
    request.status, request.resolved_at, request.helper = RequestStatus.RESOLVED, now, helper
    request.save()
    _people_changed()
    topics, skills = list(request.topics.all()), list(request.skills.all())
    for person in helpers:
        interaction_record(helper=person, helped=request.asker, kind=InteractionKind.HELP, about=request.title,
                           topics=topics, skills=skills, source_type="concierge.helprequest", source_id=request.pk,
                           at=now)
    if helper is not None:
        interaction_record(helper=helper, helped=request.asker, kind=InteractionKind.ACCEPTED, about=request.title,
                           topics=topics, skills=skills, source_type="concierge.helprequest",
                           source_id=request.pk, at=now)
    for person in _participants(request):
        _notify(user=person, actor=actor, url=request.get_absolute_url(),
                text=f"{actor.display_name} marked “{request.title}” resolved")
    event_record(actor=actor, verb="resolved-help", obj=request)
    return request


@transaction.atomic
def help_request_close(*, request: HelpRequest, actor: Any, now: dt.datetime | None = None) -> HelpRequest:
    if actor.pk != request.asker_id:
        raise PermissionDenied("Only the asker withdraws a request.")
    _check_open(request)
    request.status, request.resolved_at = RequestStatus.CLOSED, now or timezone.now()
    request.save()
    _people_changed()
    return request


@transaction.atomic
def help_request_thank(*, request: HelpRequest, actor: Any, note: str = "",
                       now: dt.datetime | None = None) -> HelpRequest:
    if actor.pk != request.asker_id:
        raise PermissionDenied("Only the asker thanks the helper.")
    if request.status != RequestStatus.RESOLVED or request.helper is None:
        raise ValidationError({"helper": "Mark the request resolved and name who helped first."})
    if request.thanked_at:
        raise ValidationError({"note": "You have already said thank you."})
    now = now or timezone.now()
    request.thanked_at = now
    request.save(update_fields=["thanked_at", "updated_at"])
    interaction_record(helper=request.helper, helped=actor, kind=InteractionKind.THANKS, about=request.title,
                       topics=list(request.topics.all()), source_type="concierge.helprequest",
                       source_id=request.pk, at=now)
    text = f"{actor.display_name} thanks you for your help with “{request.title}”"
    _notify(user=request.helper, actor=actor, url=request.get_absolute_url(),
            text=text + (f": {note.strip()[:150]}" if note.strip() else ""))
    return request


@transaction.atomic
def help_request_publish_agree(*, request: HelpRequest, actor: Any, now: dt.datetime | None = None) -> HelpRequest:
    """The asker and the helper each agree; when both have, the question and their answers become a published
    page in the library (other people's messages stay out: they did not agree)."""
    if request.status != RequestStatus.RESOLVED or request.helper_id is None:
        raise ValidationError({"status": "Only a resolved request with a named helper can be published."})
    if request.resource_id:
        raise ValidationError({"status": "This request is already published."})
    if actor.pk == request.asker_id:
        request.publish_by_asker = True
        other = request.helper
    elif actor.pk == request.helper_id:
        request.publish_by_helper = True
        other = request.asker
    else:
        raise PermissionDenied("Only the asker and the helper decide to publish.")
    if request.publish_by_asker and request.publish_by_helper:
        request.resource = _qa_resource(request, now=now or timezone.now())
        waits = request.resource.status != "published"
        _notify(user=other, actor=actor, url=request.resource.get_absolute_url(),
                text=f"“{request.title}” is now a Q&A in the library"
                     + (", once a reviewer approves it" if waits else ""))
    else:
        _notify(user=other, actor=actor, url=request.get_absolute_url(),
                text=f"{actor.display_name} would like to publish “{request.title}” as a Q&A: do you agree?")
    request.save()
    return request


def _qa_resource(request: HelpRequest, *, now: dt.datetime):
    """The Q&A as a library page, through library.services.resource_create: published at once, or waiting for
    review when one of the request's topics asks for review (the page says which)."""
    from learnflow.library.models import ResourceKind, ResourceStatus
    from learnflow.library.services import MAX_BODY_CHARS, resource_create

    answers = [m for m in request.messages.select_related("author")
               if m.author_id in (request.asker_id, request.helper_id)]
    parts = [f"## The question\n\n{request.description.strip() or request.title}"]
    if request.tried.strip():
        parts.append(f"**Already tried:** {request.tried.strip()}")
    if answers:
        parts.append("## The conversation")
    for message in answers:
        role = "Answer" if message.author_id == request.helper_id else "Follow-up"
        parts.append(f"**{role} ({message.author.display_name}):**\n\n{message.body}")
    body = "\n\n".join(parts)
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS - 40].rstrip() + "\n\n*(The conversation is shortened.)*"
    resource = resource_create(author=request.helper, kind=ResourceKind.PAGE, title=f"Q&A: {request.title}"[:300],
                               summary=f"A question answered by {request.helper.display_name}, published with the "
                                       f"agreement of both.", body=body, topics=list(request.topics.all()),
                               submit=True)
    if resource.status == ResourceStatus.PUBLISHED:
        event_record(actor=request.helper, verb="published", obj=resource)
    return resource


@transaction.atomic
def help_message_to_evidence(*, message: HelpMessage, actor: Any) -> Any:
    """The helper keeps one of their answers as a (private) journal entry, linked back to the request."""
    from learnflow.journal.models import Way
    from learnflow.journal.services import LinkIn, entry_create

    if message.author_id != actor.pk:
        raise PermissionDenied("Only the author keeps an answer as evidence.")
    if message.evidence_entry_id:
        raise ValidationError({"message": "This answer is already in your journal."})
    request = message.request
    from django.conf import settings as django_settings

    link = django_settings.SITE_URL.rstrip("/") + request.get_absolute_url()
    entry = entry_create(author=actor, title=f"Helped a colleague: {request.title}"[:200], body=message.body,
                         way=Way.COLLEAGUES, learned_on=message.created_at.date(),
                         skills=[s.name for s in request.skills.all()] + [t.name for t in request.topics.all()],
                         links=[LinkIn(url=link, title="The help request")], source="concierge")
    message.evidence_entry = entry
    message.save(update_fields=["evidence_entry"])
    return entry


# --- the L&D concierge queue ------------------------------------------------------------------------------------

def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """`start` plus `days` working days (Monday to Friday), at the same time of day."""
    when = start
    added = 0
    while added < days:
        when += dt.timedelta(days=1)
        if when.weekday() < 5:
            added += 1
    return when


@transaction.atomic
def help_request_queue(*, request: HelpRequest, reason: str, actor: Any | None = None,
                       now: dt.datetime | None = None) -> HelpRequest:
    if reason not in QueueReason.values:
        raise ValidationError({"reason": "Unknown reason."})
    if actor is not None and actor.pk != request.asker_id:
        raise PermissionDenied("Only the asker sends their request to L&D.")
    _check_open(request)
    if request.queued_at:
        return request
    request.queued_at, request.queue_reason = now or timezone.now(), reason
    request.save(update_fields=["queued_at", "queue_reason", "updated_at"])
    _notify(user=request.asker, url=request.get_absolute_url(),
            text=f"“{request.title}” is with the L&D concierge, who will find someone who can help")
    return request


def _unanswered(request: HelpRequest) -> bool:
    return not (request.messages.exclude(author=request.asker_id).exists()
                or request.asks.filter(status=AskStatus.ACCEPTED).exists())


def help_requests_queue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Moves open requests nobody answered within QUEUE_AFTER_WORKING_DAYS into the L&D queue. Idempotent."""
    now = now or timezone.now()
    # Working days are at most 7/5 of calendar days (plus a weekend): only requests older than that are checked.
    horizon = now - dt.timedelta(days=QUEUE_AFTER_WORKING_DAYS)
    moved = []
    for request in HelpRequest.objects.filter(status=RequestStatus.OPEN, queued_at__isnull=True,
                                              created_at__lte=horizon).select_related("asker"):
        if working_days_after(request.created_at, QUEUE_AFTER_WORKING_DAYS) <= now and _unanswered(request):
            help_request_queue(request=request, reason=QueueReason.NO_ANSWER, now=now)
            moved.append(request.pk)
    return moved


@transaction.atomic
def help_request_take(*, request: HelpRequest, actor: Any, now: dt.datetime | None = None) -> HelpRequest:
    if not actor.is_lnd:
        raise PermissionDenied("Only L&D takes requests from the queue.")
    if not request.in_queue:
        raise ValidationError({"status": "This request is not in the queue."})
    if request.taken_by_id and request.taken_by_id != actor.pk:
        raise ValidationError({"status": f"{request.taken_by.display_name} has already taken it."})
    request.taken_by = actor
    request.save(update_fields=["taken_by", "updated_at"])
    _notify(user=request.asker, actor=actor, url=request.get_absolute_url(),
            text=f"{actor.display_name} (L&D) is looking after “{request.title}”")
    return request
