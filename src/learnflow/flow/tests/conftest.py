from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone


@pytest.fixture
def topics(org):
    from learnflow.curation.services import topic_create

    parent = topic_create(actor=org.lena, name="Secure coding")
    child = topic_create(actor=org.lena, name="Threat modelling", parent=parent)
    other = topic_create(actor=org.lena, name="Negotiation")
    return parent, child, other


@pytest.fixture
def resource_factory(db):
    """Resources straight from the library's contract model (the library's own services are tested there)."""
    from learnflow.library.models import Resource, ResourceStatus

    def make(*, title, author=None, topics=(), status=ResourceStatus.PUBLISHED, published_at=None, note=""):
        resource = Resource.objects.create(title=title, author=author, status=status, curator_note=note,
                                           kind="link", url="https://example.com/a",
                                           published_at=published_at or (timezone.now() - dt.timedelta(hours=1)))
        resource.topics.set(topics)
        return resource

    return make


@dataclass
class World:
    published_child: object
    published_by_lena: object
    in_review: object
    draft: object
    other_topic: object
    private_entry: object
    manager_entry: object
    team_entry: object
    org_entry: object
    eve_team_entry: object
    manager_goal: object
    private_goal: object


@pytest.fixture
def world(org, topics, resource_factory, entry_factory, goal_factory):
    """ann, boss and tim follow "Secure coding"; eve follows lena (a curator); sam and root follow nothing."""
    from learnflow.core.visibility import Visibility
    from learnflow.flow.services import follow_add
    from learnflow.library.models import ResourceStatus

    parent, child, other = topics
    for person in (org.ann, org.boss, org.tim):
        follow_add(user=person, topic=parent)
    follow_add(user=org.eve, curator=org.lena)
    return World(
        published_child=resource_factory(title="STRIDE in an hour", author=org.root, topics=[child], note="Start here"),
        published_by_lena=resource_factory(title="Negotiating scope", author=org.lena, topics=[other]),
        in_review=resource_factory(title="Unreviewed threat notes", author=org.tim, topics=[parent],
                                   status=ResourceStatus.IN_REVIEW),
        draft=resource_factory(title="Draft by lena", author=org.lena, topics=[parent], status=ResourceStatus.DRAFT),
        other_topic=resource_factory(title="Salary talks", author=org.root, topics=[other]),
        private_entry=entry_factory(org.ann, title="ann private"),
        manager_entry=entry_factory(org.ann, title="ann for her manager", visibility=Visibility.MANAGER),
        team_entry=entry_factory(org.ann, title="ann for her team", visibility=Visibility.TEAM),
        org_entry=entry_factory(org.ann, title="ann for everyone", visibility=Visibility.ORGANISATION),
        eve_team_entry=entry_factory(org.eve, title="eve for her team", visibility=Visibility.TEAM),
        manager_goal=goal_factory(org.ann, title="ann goal for boss", visibility=Visibility.MANAGER),
        private_goal=goal_factory(org.ann, title="ann private goal"),
    )
