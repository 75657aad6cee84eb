"""The demo seeds through the services, and the flow's community source gives members (only) the new posts."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from learnflow.community.models import Access, Community, GuidedDiscussion, Post

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_communities_of_every_kind(org):
    from learnflow.community.demo import seed

    people = [org.root, org.ann, org.tim, org.boss, org.eve, org.sam, org.lena]
    phrase = seed(people=people, rng=random.Random(3), today=dt.date.today())
    assert "communities" in phrase
    assert set(Community.objects.values_list("access", flat=True)) == {Access.OPEN, Access.CLOSED, Access.HIDDEN}
    assert Post.objects.filter(kind="question", accepted_reply__isnull=False).exists()
    assert GuidedDiscussion.objects.count() == 1


def test_flow_source_gives_members_new_posts_and_nobody_else(org, communities, post_in):
    from learnflow.community.flow import community_items, community_items_many

    post_in(communities["hidden"], title="Hidden question")
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(minutes=1)
    assert [i.key for i in community_items(viewer=org.boss, start=start, end=end)]
    assert community_items(viewer=org.root, start=start, end=end) == []
    many = community_items_many(viewers=[org.boss, org.root, org.ann], start=start, end=end)
    assert len(many[org.boss.pk]) == 1 and many[org.root.pk] == [] and many[org.ann.pk] == []  # ann wrote it
