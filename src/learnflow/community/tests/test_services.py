"""Posting, replying, accepting, reacting, sharing and joining: what members rely on."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnflow.account.models import Notice
from learnflow.community import selectors, services
from learnflow.community.models import CommunityShare, JoinRequest, Membership
from learnflow.concierge.models import Interaction
from learnflow.core.errors import NotFound
from learnflow.journal.models import Entry

pytestmark = pytest.mark.django_db


def _notices(user):
    return list(Notice.objects.filter(user=user).values_list("text", flat=True))


def test_sharing_a_private_entry_asks_first_and_shares_only_that_entry_with_that_community(
        org, communities, entry_factory):
    closed = communities["closed"]
    entry = entry_factory(org.ann, title="What the outage taught me", body="Always check the **replica lag**.")
    other = entry_factory(org.ann, title="Still private")
    with pytest.raises(ValidationError) as exc:
        services.post_create(community=closed, author=org.ann, kind="entry", entry_id=entry.pk, body="Worth it")
    assert "confirm_share" in exc.value.message_dict
    assert not CommunityShare.objects.exists()

    post = services.post_create(community=closed, author=org.ann, kind="entry", entry_id=entry.pk,
                                confirm_share=True, body="Worth it: saved us an hour")
    view = selectors.post_view(viewer=org.boss, pk=post.pk)  # boss is a member (facilitator) of the community
    assert view.shared_entry.pk == entry.pk and "replica lag" in view.shared_entry.body
    # The entry stays private everywhere else, and nothing else of ann's is shared.
    entry.refresh_from_db()
    assert entry.visibility == "private"
    assert not Entry.objects.visible_to(org.boss).filter(pk__in=[entry.pk, other.pk]).exists()
    # In another community, the same entry is not shown.
    open_post = services.post_create(community=communities["open"], author=org.ann, kind="learned",
                                     body="Ask me about outages")
    assert selectors.post_view(viewer=org.boss, pk=open_post.pk).shared_entry is None


def test_non_members_of_an_open_community_see_the_post_but_not_the_shared_entry(org, communities, entry_factory):
    entry = entry_factory(org.ann, title="My notes on retries")
    post = services.post_create(community=communities["open"], author=org.ann, kind="entry", entry_id=entry.pk,
                                confirm_share=True)
    view = selectors.post_view(viewer=org.eve, pk=post.pk)
    assert view.post.pk == post.pk and view.shared_entry is None


def test_withdrawing_a_share_hides_the_entry_from_the_post_at_once(org, communities, entry_factory):
    entry = entry_factory(org.ann, title="Retry budgets")
    post = services.post_create(community=communities["hidden"], author=org.ann, kind="entry", entry_id=entry.pk,
                                confirm_share=True)
    services.share_withdraw(share=post.share, actor=org.ann)
    assert selectors.post_view(viewer=org.boss, pk=post.pk).shared_entry is None


def test_someone_else_cannot_share_my_entry(org, communities, entry_factory):
    entry = entry_factory(org.ann)
    with pytest.raises(ValidationError):
        services.post_create(community=communities["open"], author=org.boss, kind="entry", entry_id=entry.pk,
                             confirm_share=True)


def test_mentions_notify_only_people_who_can_see_the_post(org, communities, post_in):
    post_in(communities["hidden"], kind="stuck", title="", body="@tim @boss can you look at this?")
    assert _notices(org.tim) == []  # not a member of the hidden community: never told about it
    assert any("mentioned you" in t for t in _notices(org.boss))


def test_a_reply_notifies_the_asker_and_records_an_interaction(org, communities, post_in):
    question = post_in(communities["open"])
    reply = services.reply_create(post=question, author=org.boss, body="Use `migrate app 0003`.")
    assert any("answered your question" in t for t in _notices(org.ann))
    interaction = Interaction.objects.get(source_type="community.reply", source_id=str(reply.pk))
    assert (interaction.helper, interaction.helped, interaction.kind) == (org.boss, org.ann, "answer")
    question.refresh_from_db()
    assert question.reply_count == 1


def test_the_asker_accepts_an_answer_and_the_helper_is_credited(org, communities, post_in):
    question = post_in(communities["closed"])
    reply = services.reply_create(post=question, author=org.boss, body="Roll forward instead.")
    services.answer_accept(post=question, reply=reply, actor=org.ann)
    question.refresh_from_db()
    assert question.accepted_reply_id == reply.pk
    assert Interaction.objects.filter(kind="accepted", helper=org.boss, helped=org.ann).exists()
    assert any("was accepted" in t for t in _notices(org.boss))
    # Interactions from a closed community do not carry its subjects outside it.
    assert set(Interaction.objects.values_list("about", flat=True)) == {""}


def test_only_the_asker_or_a_facilitator_accepts(org, communities, post_in):
    question = post_in(communities["open"])
    services.community_join(community=communities["open"], actor=org.tim)
    reply = services.reply_create(post=question, author=org.boss, body="Answer")
    with pytest.raises(PermissionDenied):
        services.answer_accept(post=question, reply=reply, actor=org.tim)


def test_useful_is_one_per_person_and_never_for_your_own(org, communities, post_in):
    post = post_in(communities["open"], kind="learned", title="Feature flags")
    services.useful_set(actor=org.boss, post=post, useful=True)
    services.useful_set(actor=org.boss, post=post, useful=True)
    post.refresh_from_db()
    assert post.useful_count == 1
    assert Interaction.objects.filter(kind="useful", helper=org.ann, helped=org.boss).count() == 1
    with pytest.raises(ValidationError):
        services.useful_set(actor=org.ann, post=post, useful=True)
    services.useful_set(actor=org.boss, post=post, useful=False)
    post.refresh_from_db()
    assert post.useful_count == 0


def test_non_members_cannot_post_or_reply_and_hidden_is_not_found(org, communities, post_in):
    with pytest.raises(PermissionDenied):
        services.post_create(community=communities["open"], author=org.eve, kind="learned", body="x")
    with pytest.raises(NotFound):
        services.post_create(community=communities["hidden"], author=org.root, kind="learned", body="x")
    hidden_post = post_in(communities["hidden"])
    with pytest.raises(NotFound):
        services.reply_create(post=hidden_post, author=org.root, body="I am the admin")


def test_closed_community_join_is_a_request_the_facilitator_decides(org, communities):
    closed = communities["closed"]
    req = services.community_join(community=closed, actor=org.eve, message="I sell the product")
    assert isinstance(req, JoinRequest)
    assert any("asks to join" in t for t in _notices(org.boss))
    with pytest.raises(PermissionDenied):
        services.join_request_decide(join_request=req, actor=org.ann, approve=True)
    services.join_request_decide(join_request=req, actor=org.boss, approve=True)
    assert Membership.objects.filter(community=closed, user=org.eve).exists()
    assert any("approved" in t for t in _notices(org.eve))


def test_open_community_join_is_immediate_and_hidden_cannot_be_joined(org, communities):
    assert isinstance(services.community_join(community=communities["open"], actor=org.eve), Membership)
    with pytest.raises(NotFound):
        services.community_join(community=communities["hidden"], actor=org.eve)


def test_a_summary_becomes_a_published_library_page_linked_to_the_community(org, communities):
    import datetime as dt

    from django.utils import timezone

    discussion = services.discussion_create(community=communities["open"], actor=org.boss, title="Incidents",
                                            prompts=["Your worst incident?"],
                                            starts_at=timezone.now() - dt.timedelta(minutes=1))
    prompt = discussion.prompts.get()
    services.reply_create(post=prompt, author=org.ann, body="The DNS one.")
    _, prompts, _ = selectors.discussion_get(viewer=org.boss, pk=discussion.pk)
    draft = selectors.discussion_transcript(discussion=discussion, prompts=prompts)
    assert "The DNS one." in draft
    resource = services.discussion_summarise(discussion=discussion, actor=org.boss, title="Incident lessons",
                                             body=draft)
    assert (resource.status, resource.kind) == ("published", "page")
    assert [link.resource for link in selectors.resources_of(viewer=org.eve, community=communities["open"])] == [
        resource]


def test_posting_is_an_xapi_statement_without_the_title_of_a_hidden_community(org, communities, post_in):
    from learnflow.lrs.models import Statement

    open_post = post_in(communities["open"], title="Open title")
    hidden_post = post_in(communities["hidden"], title="Secret reorg question")
    posted = Statement.objects.get(object_iri=f"urn:uuid:{open_post.uid}")
    assert posted.verb_iri == "http://activitystrea.ms/schema/1.0/post"
    assert "Open title" in posted.full_json
    hidden = Statement.objects.get(object_iri=f"urn:uuid:{hidden_post.uid}")
    assert "Secret reorg" not in hidden.full_json and "Hidden practice" not in hidden.full_json
