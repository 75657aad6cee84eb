"""Who sees a community and its posts, for every role: member, non-member, facilitator, manager, L&D, admin.
Roles give no reading rights: only membership does; hidden communities are not found (404) for outsiders."""
from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.community import selectors
from learnflow.community.models import Community, Post

pytestmark = pytest.mark.django_db

OUTSIDERS = ["tim", "eve", "lena", "sam", "root"]  # a teammate, another team, L&D, a manager, the admin


def _access(org, name, community):
    return selectors.community_access(viewer=org.everyone[name], community=community)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_of_every_role_do_not_see_a_hidden_community_anywhere(org, communities, post_in, client, who):
    hidden = communities["hidden"]
    post = post_in(hidden)
    viewer = org.everyone[who]
    assert not _access(org, who, hidden).visible
    assert hidden not in selectors.community_list(viewer=viewer)
    assert hidden not in selectors.community_list(viewer=viewer, q="Hidden")
    assert not Post.objects.filter(selectors.posts_visible_q(viewer), pk=post.pk).exists()
    client.force_login(viewer)
    assert client.get(reverse("community:detail", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("community:post", args=[hidden.slug, post.pk])).status_code == 404
    assert client.get(reverse("community:members", args=[hidden.slug])).status_code == 404
    assert client.post(reverse("community:join", args=[hidden.slug])).status_code == 404
    assert b"Hidden practice" not in client.get(reverse("community:index")).content


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_a_closed_community_exists_but_not_its_posts(org, communities, post_in, client, who):
    closed = communities["closed"]
    post = post_in(closed, title="Closed secret question")
    access = _access(org, who, closed)
    assert access.visible and access.can_ask and not access.read
    client.force_login(org.everyone[who])
    page = client.get(reverse("community:detail", args=[closed.slug]))
    assert page.status_code == 200 and b"Ask to join" in page.content
    assert b"Closed secret question" not in page.content
    assert client.get(reverse("community:post", args=[closed.slug, post.pk])).status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_reads_an_open_community_but_must_join_to_post(org, communities, post_in, who):
    open_ = communities["open"]
    post = post_in(open_)
    access = _access(org, who, open_)
    assert access.visible and access.read and access.can_join and not access.member
    assert selectors.post_visible_to(user=org.everyone[who], post=post)


@pytest.mark.parametrize("access_kind", ["open", "closed", "hidden"])
def test_members_and_facilitators_read_everything(org, communities, post_in, access_kind):
    community = communities[access_kind]
    post = post_in(community)
    member, facilitator = _access(org, "ann", community), _access(org, "boss", community)
    assert member.read and member.member and not member.facilitator
    assert facilitator.read and facilitator.facilitator
    assert selectors.post_visible_to(user=org.ann, post=post)
    assert community in selectors.community_list(viewer=org.ann, scope="mine")


def test_an_inactive_member_sees_nothing(org, communities):
    org.ann.is_active = False
    org.ann.save()
    assert not _access(org, "ann", communities["hidden"]).visible
    assert not Community.objects.filter(selectors.communities_visible_q(org.ann)).exists()


def test_the_admin_sees_hidden_communities_only_in_the_django_admin(org, communities, client):
    client.force_login(org.root)
    api = client.get("/api/communities")
    assert communities["hidden"].slug not in api.content.decode()
    org.root.is_staff = True
    org.root.save()
    admin_list = client.get("/admin/community/community/")
    assert admin_list.status_code == 200 and b"Hidden practice" in admin_list.content


def test_a_prompt_is_invisible_and_unanswerable_until_it_opens(org, communities):
    import datetime as dt

    from django.core.exceptions import ValidationError  # noqa: F401
    from django.utils import timezone

    from learnflow.community.services import discussion_create, reply_create
    from learnflow.core.errors import NotFound

    discussion = discussion_create(community=communities["open"], actor=org.boss, title="Testing habits",
                                   prompts=["What did you test this week?", "What will you stop testing?"],
                                   starts_at=timezone.now() - dt.timedelta(hours=1), every_days=7)
    first, second = discussion.prompts.order_by("position")
    assert selectors.post_visible_to(user=org.ann, post=first)
    assert not selectors.post_visible_to(user=org.ann, post=second)
    _, prompts, facilitating = selectors.discussion_get(viewer=org.ann, pk=discussion.pk)
    assert [p.pk for p in prompts] == [first.pk] and not facilitating
    _, prompts, facilitating = selectors.discussion_get(viewer=org.boss, pk=discussion.pk)
    assert len(prompts) == 2 and facilitating
    with pytest.raises(NotFound):
        reply_create(post=second, author=org.ann, body="Early!")
    reply_create(post=first, author=org.ann, body="Property tests for the parser.")
