"""Audit items 10, 11, 13 and the API gaps: replies kept as evidence, malformed decisions refused, post counts
without unopened prompts, guided discussions and resource lists in the API, excerpts escaped once."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from learnflow.community import selectors, services
from learnflow.community.models import Community, JoinRequest, Post, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(org, communities, post_in):
    """ann asks in the open community, boss answers, ann accepts."""
    post = post_in(communities["open"], title="How do we roll back?")
    reply = services.reply_create(post=post, author=org.boss, body="Use `migrate app 0003`.")
    services.answer_accept(post=post, reply=reply, actor=org.ann)
    return post, reply


# --- audit 10: an answer kept as evidence

def test_the_author_of_an_accepted_answer_keeps_it_as_private_evidence_linked_to_the_post(org, answered):
    post, reply = answered
    entry = services.reply_to_evidence(reply=reply, actor=org.boss)
    assert (entry.author, entry.visibility, entry.body) == (org.boss, "private", "Use `migrate app 0003`.")
    assert "How do we roll back?" in entry.title
    assert entry.links.get().url.endswith(f"{post.get_absolute_url()}#reply-{reply.pk}")
    reply.refresh_from_db()
    assert reply.evidence_entry == entry


def test_only_the_reply_author_keeps_it_and_only_once(org, answered):
    from django.core.exceptions import ValidationError

    _, reply = answered
    with pytest.raises(PermissionDenied):
        services.reply_to_evidence(reply=reply, actor=org.ann)
    services.reply_to_evidence(reply=reply, actor=org.boss)
    with pytest.raises(ValidationError):
        services.reply_to_evidence(reply=reply, actor=org.boss)


def test_the_post_page_offers_add_to_my_evidence_to_the_author_only(org, answered, client):
    post, reply = answered
    slug = post.community.slug
    action = reverse("community:reply_evidence", args=[slug, post.pk, reply.pk])
    client.force_login(org.ann)
    assert action.encode() not in client.get(post.get_absolute_url()).content
    assert client.post(action).status_code == 404  # not her reply
    assert not Reply.objects.filter(evidence_entry__isnull=False).exists()
    client.force_login(org.boss)
    assert action.encode() in client.get(post.get_absolute_url()).content
    assert client.post(action).status_code == 302
    reply.refresh_from_db()
    page = client.get(post.get_absolute_url()).content
    assert b"In your journal" in page and action.encode() not in page
    assert reply.evidence_entry.author == org.boss


def test_api_keeps_a_reply_as_evidence_for_its_author_only(org, answered, token_for, client):
    post, reply = answered
    url = f"/api/communities/replies/{reply.pk}/evidence"
    assert client.post(url, **token_for(org.ann)).status_code == 403
    made = client.post(url, **token_for(org.boss))
    assert made.status_code == 201, made.content
    entry_id = made.json()["entry_id"]
    detail = client.get(f"/api/communities/posts/{post.pk}", **token_for(org.boss)).json()
    assert detail["replies"][0]["evidence_entry_id"] == entry_id
    # The entry is private: nobody else learns it exists.
    assert client.get(f"/api/communities/posts/{post.pk}",
                      **token_for(org.ann)).json()["replies"][0]["evidence_entry_id"] is None
    assert client.get(f"/api/journal/entries/{entry_id}", **token_for(org.ann)).status_code == 404
    assert client.post(url, **token_for(org.boss)).status_code == 400


# --- audit 11: a malformed decision decides nothing

@pytest.mark.parametrize("data", [{}, {"decision": "aprove"}, {"decision": ""}])
def test_a_join_decision_without_approve_or_decline_is_a_400_and_decides_nothing(org, communities, client, data):
    services.community_join(community=communities["closed"], actor=org.eve, message="Please")
    req = JoinRequest.objects.get(user=org.eve)
    client.force_login(org.boss)
    response = client.post(reverse("community:request_decide", args=[communities["closed"].slug, req.pk]), data)
    assert response.status_code == 400 and b"decision" in response.content
    req.refresh_from_db()
    assert req.status == "open" and req.decided_by is None


def test_a_join_decision_decline_still_declines(org, communities, client):
    services.community_join(community=communities["closed"], actor=org.eve)
    req = JoinRequest.objects.get(user=org.eve)
    client.force_login(org.boss)
    client.post(reverse("community:request_decide", args=[communities["closed"].slug, req.pk]),
                {"decision": "decline"})
    req.refresh_from_db()
    assert req.status == "declined"


def test_a_join_message_too_long_is_a_400_and_sends_no_request(org, communities, client):
    client.force_login(org.eve)
    response = client.post(reverse("community:join", args=[communities["closed"].slug]), {"message": "x" * 1001})
    assert response.status_code == 400 and not JoinRequest.objects.filter(user=org.eve).exists()


def test_a_reply_to_a_reply_not_on_the_post_is_a_400_not_a_top_level_reply(org, communities, post_in, client):
    post = post_in(communities["open"])
    client.force_login(org.ann)
    response = client.post(reverse("community:reply", args=[communities["open"].slug, post.pk]),
                           {"body": "Yes", "parent": 999999})
    assert response.status_code == 400 and not Reply.objects.exists()


def test_useful_with_an_unknown_value_is_a_400(org, communities, post_in, client):
    post = post_in(communities["open"])
    client.force_login(org.boss)
    response = client.post(reverse("community:useful", args=[communities["open"].slug, post.pk]), {"useful": "yes"})
    assert response.status_code == 400 and post.reactions.count() == 0


# --- audit 13: post counts and prompts

def _count(community) -> int:
    return Community.objects.get(pk=community.pk).post_count


def test_prompts_not_yet_open_are_not_counted_until_they_open(org, communities, post_in, client):
    community = communities["open"]
    post_in(community)
    now = timezone.now()
    services.discussion_create(community=community, actor=org.boss, title="Habits",
                               prompts=["Open already", "Next week", "In two weeks"],
                               starts_at=now - dt.timedelta(hours=1), every_days=7)
    assert _count(community) == 2  # the question and the open prompt
    client.force_login(org.ann)
    listed = client.get(f"/api/communities/{community.slug}", **{}).json()  # session auth
    assert listed["post_count"] == 2
    # A week later the second prompt is open: the first read after that counts it, once.
    later = now + dt.timedelta(days=7, minutes=1)
    Post.objects.filter(community=community, position=2).update(opens_at=now - dt.timedelta(minutes=1))
    Community.objects.filter(pk=community.pk).update(next_prompt_at=now - dt.timedelta(minutes=1))
    assert client.get(f"/api/communities/{community.slug}").json()["post_count"] == 3
    assert client.get("/api/communities").status_code == 200
    assert _count(community) == 3
    assert services.prompts_count_due(community_id=community.pk, now=now) == 0  # idempotent
    assert services.prompts_count_due(community_id=community.pk, now=later + dt.timedelta(days=7)) == 1
    assert _count(community) == 4
    assert Community.objects.get(pk=community.pk).next_prompt_at is None


def test_the_community_list_counts_prompts_that_opened_since(org, communities, client):
    community = communities["open"]
    services.discussion_create(community=community, actor=org.boss, title="Soon", prompts=["Tomorrow"],
                               starts_at=timezone.now() + dt.timedelta(days=1))
    assert _count(community) == 0
    Post.objects.filter(community=community).update(opens_at=timezone.now() - dt.timedelta(seconds=1))
    Community.objects.filter(pk=community.pk).update(next_prompt_at=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(org.ann)
    assert client.get(reverse("community:index")).status_code == 200
    assert _count(community) == 1


def test_deleting_a_prompt_that_has_not_opened_leaves_the_count(org, communities, post_in):
    community = communities["open"]
    post_in(community)
    discussion = services.discussion_create(community=community, actor=org.boss, title="Later",
                                            prompts=["Later"], starts_at=timezone.now() + dt.timedelta(days=3))
    services.post_delete(post=discussion.prompts.get(), actor=org.boss)
    assert _count(community) == 1


# --- the API: guided discussions and resource lists

def test_api_facilitators_schedule_a_discussion_and_readers_see_only_open_prompts(org, communities, token_for,
                                                                                  client):
    slug = communities["closed"].slug
    payload = {"title": "Testing habits", "prompts": ["What did you test?\nA line or two.", "What will you stop?"],
               "starts_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(), "every_days": 7}
    assert client.post(f"/api/communities/{slug}/discussions", payload, content_type="application/json",
                       **token_for(org.ann)).status_code == 403  # a member, not a facilitator
    made = client.post(f"/api/communities/{slug}/discussions", payload, content_type="application/json",
                       **token_for(org.boss))
    assert made.status_code == 201, made.content
    assert [(p["title"], p["open"]) for p in made.json()["prompts"]] == [("What did you test?", True),
                                                                          ("What will you stop?", False)]
    seen = client.get(f"/api/communities/{slug}/discussions", **token_for(org.ann)).json()
    assert [p["title"] for p in seen[0]["prompts"]] == ["What did you test?"]
    one = client.get(f"/api/communities/discussions/{made.json()['id']}", **token_for(org.ann))
    assert one.status_code == 200 and len(one.json()["prompts"]) == 1
    # eve cannot read the closed community: no discussions, not even one by its id.
    assert client.get(f"/api/communities/{slug}/discussions", **token_for(org.eve)).status_code == 404
    assert client.get(f"/api/communities/discussions/{made.json()['id']}", **token_for(org.eve)).status_code == 404


@pytest.mark.parametrize("bad, field", [({"prompts": []}, "prompts"), ({"every_days": 91}, "every_days"),
                                        ({"starts_at": "soon"}, "starts_at"), ({"title": ""}, "title")])
def test_api_a_bad_discussion_is_a_400_naming_the_field(org, communities, token_for, client, bad, field):
    payload = {"title": "T", "prompts": ["P"], "starts_at": "2026-12-01T09:00:00Z", **bad}
    response = client.post(f"/api/communities/{communities['open'].slug}/discussions", payload,
                           content_type="application/json", **token_for(org.boss))
    assert response.status_code in (400, 422) and response.json()["errors"][0]["field"] == field, response.content


def test_api_lists_and_adds_resources_like_the_page(org, communities, token_for, client):
    from learnflow.library.services import resource_create

    resource = resource_create(author=org.ann, kind="page", title="Rollback checklist", body="1. Stop")
    slug = communities["closed"].slug
    added = client.post(f"/api/communities/{slug}/resources", {"resource_id": resource.pk, "note": "Saved us"},
                        content_type="application/json", **token_for(org.ann))
    assert added.status_code == 201 and added.json()["title"] == "Rollback checklist"
    listed = client.get(f"/api/communities/{slug}/resources", **token_for(org.boss)).json()
    assert [(r["title"], r["note"]) for r in listed] == [("Rollback checklist", "Saved us")]
    assert client.get(f"/api/communities/{slug}/resources", **token_for(org.eve)).status_code == 404
    assert client.post(f"/api/communities/{slug}/resources", {"resource_id": resource.pk},
                       content_type="application/json", **token_for(org.eve)).status_code == 403
    missing = client.post(f"/api/communities/{slug}/resources", {"resource_id": 10**9},
                          content_type="application/json", **token_for(org.ann))
    assert missing.status_code == 400 and "resource_id" in str(missing.json())


# --- excerpts escaped once

def test_a_body_with_a_tag_shows_it_as_text_once_in_the_list(org, communities, post_in, client):
    post = post_in(communities["open"], kind="learned", title="Tags", body="Use <b> & `<i>` sparingly")
    assert post.excerpt == "Use <b> & <i> sparingly"
    client.force_login(org.ann)
    page = client.get(reverse("community:detail", args=[communities["open"].slug])).content.decode()
    assert "<p>Use &lt;b&gt; &amp; &lt;i&gt; sparingly</p>" in page and "&amp;lt;" not in page
