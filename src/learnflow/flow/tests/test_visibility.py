"""Only what a person may see ever reaches their flow, digest or feed — for every role, and with the batched
digest path held equal to the per-person queries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from learnflow.flow import selectors, sources
from learnflow.flow.services import digests_build

EXPECTED = {
    # who: titles that may reach them (resources on followed topics/curators, colleagues' shares)
    "ann": {"STRIDE in an hour"},
    "tim": {"STRIDE in an hour", "ann for her team", "ann for everyone"},
    "boss": {"STRIDE in an hour", "ann for her manager", "ann for her team", "ann for everyone", "ann goal for boss"},
    "eve": {"Negotiating scope"},
    "sam": {"eve for her team"},  # eve's manager
    "lena": set(),
    "root": set(),
}
NEVER = {"ann private", "ann private goal", "Unreviewed threat notes", "Draft by lena"}


def _window():
    now = timezone.now()
    return now - dt.timedelta(days=7), now + dt.timedelta(seconds=1)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_flow_shows_each_role_exactly_what_they_may_see(org, world, who):
    start, end = _window()
    titles = {i.title for i in selectors.flow_items(viewer=org.everyone[who], start=start, end=end)}
    assert titles == EXPECTED[who]
    assert not titles & NEVER


def test_batched_sources_equal_the_per_person_queries_for_every_role(org, world):
    start, end = _window()
    people = list(org.everyone.values())
    for source in sources.sources():
        many = sources.source_items_many(source, viewers=people, start=start, end=end)
        for person in people:
            assert many[person.pk] == list(source.fn(viewer=person, start=start, end=end)), (source.name, person)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_digest_carries_exactly_what_each_role_may_see(org, world, who, mailoutbox):
    digests_build(now=timezone.now() + dt.timedelta(seconds=1))
    person = org.everyone[who]
    digests = selectors.digest_list(viewer=person)
    titles = {i.title for d in digests for i in selectors.digest_items(viewer=person, digest=d)}
    assert titles == EXPECTED[who]
    mails = [m for m in mailoutbox if m.to == [person.email]] if person.email else []
    for mail in mails:
        for never in NEVER:
            assert never not in mail.body


def test_unsharing_removes_an_entry_from_the_shown_digest_and_the_feed(org, world, client):
    from learnflow.core.visibility import Visibility
    from learnflow.flow.services import feed_path, feed_regenerate
    from learnflow.journal.services import entry_share

    digests_build(now=timezone.now() + dt.timedelta(seconds=1))
    digest = selectors.digest_list(viewer=org.tim)[0]
    assert "ann for her team" in {i.title for i in selectors.digest_items(viewer=org.tim, digest=digest)}
    feed = client.get(feed_path(feed_regenerate(user=org.tim)))
    assert b"ann for her team" in feed.content

    entry_share(entry=world.team_entry, actor=org.ann, visibility=Visibility.PRIVATE)

    assert "ann for her team" not in {i.title for i in selectors.digest_items(viewer=org.tim, digest=digest)}
    assert b"ann for her team" not in client.get(feed_path(selectors.preference_for(viewer=org.tim))).content


def test_a_deactivated_person_gets_no_flow_and_no_digest(org, world):
    org.tim.is_active = False
    org.tim.save()
    start, end = _window()
    assert selectors.flow_items(viewer=org.tim, start=start, end=end) == []
    run = digests_build(now=timezone.now() + dt.timedelta(seconds=1))
    from learnflow.flow.models import Digest

    assert not Digest.objects.filter(user=org.tim).exists()
    assert run.people == 6


def test_a_registered_source_reaches_only_the_people_it_answers_for(org, world):
    from learnflow.flow.sources import FlowItem, source_register, source_unregister

    now = timezone.now()

    def circle(*, viewer, start, end):
        # Stands in for another app's source (communities): its own rules decide; here only boss is a member.
        if viewer.pk != org.boss.pk:
            return []
        return [FlowItem(key="circle:1", kind="post", title="Members-only post", url="/circles/1/",
                         summary="", published_at=now - dt.timedelta(minutes=5))]

    source_register("circle", circle, label="Circles")
    try:
        digests_build(now=now + dt.timedelta(seconds=1))
        for who, person in org.everyone.items():
            titles = {i.title for d in selectors.digest_list(viewer=person)
                      for i in selectors.digest_items(viewer=person, digest=d)}
            assert ("Members-only post" in titles) == (who == "boss")
    finally:
        source_unregister("circle")


def test_a_hidden_community_post_reaches_only_members_digests(org):
    """With the community app's source registered: a post in a hidden community goes to its members' digests and
    to nobody else's, whatever their role."""
    from learnflow.community.models import Access
    from learnflow.community.services import community_create, member_add, post_create

    hidden = community_create(actor=org.lena, name="Incident reviews", access=Access.HIDDEN)
    member_add(community=hidden, actor=org.lena, user=org.tim)
    post_create(community=hidden, author=org.lena, kind="learned", title="Postmortem of the outage", body="Notes")
    digests_build(now=timezone.now() + dt.timedelta(seconds=1))
    for who, person in org.everyone.items():
        texts = " ".join(i.title for d in selectors.digest_list(viewer=person)
                         for i in selectors.digest_items(viewer=person, digest=d))
        assert ("Postmortem of the outage" in texts) == (who == "tim"), who
