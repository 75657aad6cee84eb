"""The concierge flow: suggestions with reasons, asking, passing on, the conversation, resolution, thanks, the Q&A,
evidence, the L&D queue, and opting out."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from learnflow.account.models import Notice
from learnflow.concierge import selectors, services
from learnflow.concierge.models import AskStatus, Interaction, QueueReason, RequestStatus
from learnflow.concierge.tests.conftest import NOW


def names(suggestions) -> list[str]:
    return [s.person.username for s in suggestions]


@pytest.fixture
def experts(org, skilled):
    skilled(org.tim, "kubernetes", "helm")
    skilled(org.eve, "negotiation")
    return org


# --- suggestions ------------------------------------------------------------------------------------------------

def test_a_colleague_who_declared_the_skill_is_suggested_with_that_reason(experts, help_request):
    request = help_request(experts.ann)
    best = selectors.request_suggestions(viewer=experts.ann, request=request)[0]
    assert (best.person.username, "declared skill: kubernetes" in best.reasons) == ("tim", True)


def test_a_request_nobody_matches_goes_to_the_queue_at_once(experts, help_request):
    request = help_request(experts.ann, title="Booking the big meeting room", skills=["facilities"])
    assert (request.queued_at, request.queue_reason) == (NOW, QueueReason.NO_MATCH)


def test_a_matched_request_stays_out_of_the_queue(experts, help_request):
    assert help_request(experts.ann).queued_at is None


def test_someone_who_helped_before_on_the_topic_is_suggested_for_it(org, help_request):
    from learnflow.core.services import skill_get_or_create_many

    services.interaction_record(helper=org.eve, helped=org.sam, kind="accepted", about="a private title",
                                skills=skill_get_or_create_many(names=["kubernetes"]), at=NOW - dt.timedelta(days=3))
    best = selectors.request_suggestions(viewer=org.ann, request=help_request(org.ann))[0]
    assert best.person == org.eve
    assert any("tagged kubernetes" in reason for reason in best.reasons)
    assert not any("private title" in reason for reason in best.reasons)


def test_an_opted_out_person_is_never_suggested(experts, help_request):
    services.concierge_profile_set(user=experts.tim, opt_out=True)
    request = help_request(experts.ann, queue_if_unmatched=False)
    assert "tim" not in names(selectors.request_suggestions(viewer=experts.ann, request=request, k=10))


def test_an_opted_out_person_is_missing_from_the_directory(experts, client, token_for):
    assert "tim" in names(selectors.expertise_directory(viewer=experts.ann, query="kubernetes"))
    services.concierge_profile_set(user=experts.tim, opt_out=True)
    assert "tim" not in names(selectors.expertise_directory(viewer=experts.ann, query="kubernetes"))
    api = client.get("/api/help/experts?q=kubernetes", **token_for(experts.ann)).json()
    assert [p["person"]["username"] for p in api] == []
    client.force_login(experts.ann)
    assert "Tim" not in client.get("/help/who-knows/?q=kubernetes").content.decode()


def test_an_opted_out_person_cannot_be_asked_directly(experts, help_request):
    services.concierge_profile_set(user=experts.tim, opt_out=True)
    request = help_request(experts.ann, queue_if_unmatched=False)
    with pytest.raises(ValidationError) as exc:
        services.help_request_ask(request=request, actor=experts.ann, people=[experts.tim])
    assert "people" in exc.value.message_dict


def test_the_asker_is_never_suggested_to_themselves(experts, skilled, help_request):
    skilled(experts.ann, "kubernetes")
    request = help_request(experts.ann)
    assert "ann" not in names(selectors.request_suggestions(viewer=experts.ann, request=request, k=10))


def test_a_busy_colleague_with_open_requests_ranks_below_a_free_one(org, skilled, help_request):
    skilled(org.tim, "kubernetes")
    skilled(org.eve, "kubernetes")
    first = help_request(org.boss, title="Kubernetes quotas")
    services.help_request_ask(request=first, actor=org.boss, people=[org.tim])
    ranked = selectors.request_suggestions(viewer=org.ann, request=help_request(org.ann))
    assert names(ranked)[:2] == ["eve", "tim"]
    assert "already helping with 1 open request" in ranked[1].reasons


def test_reasons_never_come_from_private_or_team_entries(org, entry_factory, help_request):
    entry_factory(org.tim, title="Kubernetes rollback notes from my performance review")
    entry_factory(org.boss, title="Kubernetes rollback plan for the reorganisation", visibility="team")
    entry_factory(org.eve, title="Kubernetes rollback checklist", visibility="organisation")
    request = help_request(org.ann, title="Kubernetes rollback", skills=[], queue_if_unmatched=False)
    suggestions = selectors.request_suggestions(viewer=org.ann, request=request, k=10)
    assert names(suggestions) == ["eve"]
    assert any(r.startswith("has written about") and "rollback" in r for r in suggestions[0].reasons)


# --- the flow ---------------------------------------------------------------------------------------------------

@pytest.fixture
def asked(experts, help_request):
    request = help_request(experts.ann)
    services.help_request_ask(request=request, actor=experts.ann, people=[experts.tim], note="You know k8s", now=NOW)
    return request


def test_asking_tells_the_colleague(experts, asked):
    assert Notice.objects.filter(user=experts.tim, url=f"/help/{asked.pk}/").exists()


def test_pass_on_hands_the_request_to_someone_else_with_a_note(experts, asked):
    ask = asked.asks.get(person=experts.tim)
    new = services.help_ask_pass(ask=ask, actor=experts.tim, to=experts.boss, note="boss ran the migration")
    ask.refresh_from_db()
    assert (ask.status, ask.passed_to, new.person, new.asked_by, new.note) == (
        AskStatus.PASSED, experts.boss, experts.boss, experts.tim, "boss ran the migration")
    assert selectors.help_request_get(viewer=experts.boss, pk=asked.pk) == asked
    with pytest.raises(Exception):
        services.help_message_post(request=asked, author=experts.tim, body="still here")


def test_declining_tells_the_asker(experts, asked):
    ask = asked.asks.get(person=experts.tim)
    services.help_ask_respond(ask=ask, actor=experts.tim, accept=False, note="On leave")
    assert Notice.objects.filter(user=experts.ann, text__contains="cannot help").exists()


def test_the_whole_conversation_is_kept_as_interactions(experts, asked):
    services.help_ask_respond(ask=asked.asks.get(person=experts.tim), actor=experts.tim, accept=True)
    services.help_message_post(request=asked, author=experts.tim, body="Try `kubectl rollout undo`.")
    services.help_message_post(request=asked, author=experts.ann, body="That worked!")
    services.help_request_resolve(request=asked, actor=experts.ann, helper=experts.tim)
    services.help_request_thank(request=asked, actor=experts.ann, note="Saved my day")
    kinds = sorted(Interaction.objects.filter(helper=experts.tim, helped=experts.ann).values_list("kind", flat=True))
    assert kinds == ["accepted", "help", "reply", "thanks"]
    asked.refresh_from_db()
    assert (asked.status, asked.helper) == (RequestStatus.RESOLVED, experts.tim)


def test_only_the_asker_resolves(experts, asked):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.help_request_resolve(request=asked, actor=experts.tim)


def test_publishing_as_a_q_and_a_needs_both_to_agree(experts, asked):
    services.help_message_post(request=asked, author=experts.tim, body="Roll back with `kubectl rollout undo`.")
    services.help_request_resolve(request=asked, actor=experts.ann, helper=experts.tim)
    services.help_request_publish_agree(request=asked, actor=experts.ann)
    assert asked.resource is None
    services.help_request_publish_agree(request=asked, actor=experts.tim)
    resource = asked.resource
    assert (resource.status, resource.kind, resource.author) == ("published", "page", experts.tim)
    assert "kubectl rollout undo" in resource.body


def test_a_helper_keeps_an_answer_as_private_evidence_linked_to_the_request(experts, asked):
    message = services.help_message_post(request=asked, author=experts.tim, body="Use a rollout undo.")
    entry = services.help_message_to_evidence(message=message, actor=experts.tim)
    assert (entry.author, entry.visibility) == (experts.tim, "private")
    assert entry.links.get().url.endswith(f"/help/{asked.pk}/")


# --- the L&D queue ----------------------------------------------------------------------------------------------

def test_an_unanswered_request_moves_to_the_queue_after_two_working_days(experts, help_request):
    friday = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    request = help_request(experts.ann, now=friday)
    assert services.help_requests_queue_due(now=friday + dt.timedelta(days=3)) == []          # Monday
    assert services.help_requests_queue_due(now=friday + dt.timedelta(days=4)) == [request.pk]   # Tuesday
    request.refresh_from_db()
    assert (request.queue_reason, request.in_queue) == (QueueReason.NO_ANSWER, True)


def test_an_answered_request_stays_out_of_the_queue(experts, asked):
    services.help_message_post(request=asked, author=experts.tim, body="On it", now=NOW + dt.timedelta(hours=1))
    assert services.help_requests_queue_due(now=NOW + dt.timedelta(days=7)) == []


def test_l_and_d_take_a_queued_request_and_route_it(experts, asked):
    services.help_requests_queue_due(now=NOW + dt.timedelta(days=7))
    asked.refresh_from_db()
    services.help_request_take(request=asked, actor=experts.lena)
    services.help_request_ask(request=asked, actor=experts.lena, people=[experts.eve], note="Can you look?")
    assert selectors.help_request_get(viewer=experts.eve, pk=asked.pk) == asked
    services.help_message_post(request=asked, author=experts.lena, body="I asked eve too.")


def test_a_manager_cannot_take_a_queued_request(experts, asked):
    from django.core.exceptions import PermissionDenied

    services.help_requests_queue_due(now=NOW + dt.timedelta(days=7))
    asked.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.help_request_take(request=asked, actor=experts.boss)


def test_the_task_moves_overdue_requests(experts, help_request):
    from learnflow.concierge.tasks import help_requests_queue_overdue

    request = help_request(experts.ann, now=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    assert help_requests_queue_overdue.call() == [request.pk]


# --- audit items 7 and 8 -----------------------------------------------------------------------------------------

def test_a_colleague_who_accepted_and_helped_by_call_can_be_named_thanked_and_published(experts, asked):
    services.help_ask_respond(ask=asked.asks.get(person=experts.tim), actor=experts.tim, accept=True, note="Call?")
    assert [p.username for p in services.helpers_of(asked)] == ["tim"]
    services.help_request_resolve(request=asked, actor=experts.ann, helper=experts.tim)
    assert asked.helper == experts.tim
    assert Interaction.objects.filter(helper=experts.tim, kind="accepted").exists()
    services.help_request_thank(request=asked, actor=experts.ann, note="Thanks for the call")
    services.help_request_publish_agree(request=asked, actor=experts.ann)
    services.help_request_publish_agree(request=asked, actor=experts.tim)
    assert asked.resource is not None and asked.resource.author == experts.tim


def test_someone_asked_who_never_accepted_nor_wrote_cannot_be_named(experts, asked):
    with pytest.raises(ValidationError):
        services.help_request_resolve(request=asked, actor=experts.ann, helper=experts.tim)
    asked.refresh_from_db()
    assert asked.status == RequestStatus.OPEN


def test_a_q_and_a_on_a_reviewed_topic_waits_for_review(experts, help_request, topic):
    from learnflow.library.models import TopicReviewPolicy

    reviewed = topic("Security")
    TopicReviewPolicy.objects.create(topic=reviewed, review_required=True)
    request = help_request(experts.ann, title="Rotating the kubernetes secrets", topics=[reviewed])
    services.help_request_ask(request=request, actor=experts.ann, people=[experts.tim], now=NOW)
    services.help_message_post(request=request, author=experts.tim, body="Use sealed secrets.")
    services.help_request_resolve(request=request, actor=experts.ann, helper=experts.tim)
    services.help_request_publish_agree(request=request, actor=experts.ann)
    services.help_request_publish_agree(request=request, actor=experts.tim)
    resource = request.resource
    assert (resource.status, resource.published_at) == ("in_review", None)
    assert list(resource.topics.all()) == [reviewed]
