"""Who sees a goal and its evidence: every role × every visibility, through selectors, pages and the API.
Managers, admins and L&D get no extra reading rights."""
from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.core.errors import NotFound
from learnflow.goals import selectors, services

pytestmark = pytest.mark.django_db

ROLES = ["ann", "tim", "boss", "eve", "lena", "root"]
SEES = {
    "private": {"ann"},
    "manager": {"ann", "boss"},
    "team": {"ann", "boss", "tim"},
    "organisation": set(ROLES),
}
MATRIX = [(vis, role, role in SEES[vis]) for vis in SEES for role in ROLES]


def _can_get(viewer, goal) -> bool:
    try:
        selectors.goal_get(viewer=viewer, pk=goal.pk)
        return True
    except NotFound:
        return False


@pytest.mark.parametrize("visibility,role,sees", MATRIX)
def test_goal_selector_follows_the_sharing_rules(org, goal_factory, visibility, role, sees):
    goal = goal_factory(org.ann, visibility=visibility)
    viewer = org.everyone[role]
    assert _can_get(viewer, goal) is sees
    assert (goal.pk in {g.pk for g in selectors.goal_list(viewer=viewer, scope="all")}) is sees


@pytest.mark.parametrize("visibility,role,sees", MATRIX)
def test_goal_page_follows_the_sharing_rules(org, goal_factory, client, visibility, role, sees):
    goal = goal_factory(org.ann, title="Run design reviews", visibility=visibility)
    client.force_login(org.everyone[role])
    response = client.get(reverse("goals:detail", args=[goal.pk]))
    assert response.status_code == (200 if sees else 404)
    listing = client.get(reverse("goals:list"))
    assert (b"Run design reviews" in listing.content) is sees


@pytest.mark.parametrize("visibility,role,sees", MATRIX)
def test_goal_api_follows_the_sharing_rules(org, goal_factory, client, token_for, visibility, role, sees):
    goal = goal_factory(org.ann, visibility=visibility)
    headers = token_for(org.everyone[role])
    response = client.get(f"/api/goals/{goal.pk}", **headers)
    assert response.status_code == (200 if sees else 404)
    listed = client.get("/api/goals?scope=all", **headers).json()["items"]
    assert (goal.pk in [g["id"] for g in listed]) is sees


@pytest.mark.parametrize("role", ["boss", "root", "lena"])
def test_managers_admins_and_lnd_cannot_read_a_private_goal_anywhere(org, goal_factory, client, token_for, role):
    goal = goal_factory(org.ann, title="Private ambition")
    viewer = org.everyone[role]
    client.force_login(viewer)
    for url in (reverse("goals:detail", args=[goal.pk]), reverse("goals:edit", args=[goal.pk]),
                reverse("goals:delete", args=[goal.pk])):
        assert client.get(url).status_code == 404
    assert b"Private ambition" not in client.get(reverse("goals:list")).content
    assert b"Private ambition" not in client.get(reverse("goals:map")).content
    headers = token_for(viewer)
    assert client.get(f"/api/goals/{goal.pk}", **headers).status_code == 404
    assert client.patch(f"/api/goals/{goal.pk}", {"title": "x"}, content_type="application/json",
                        **headers).status_code == 404


def test_making_a_goal_private_again_hides_it_at_once(org, goal_factory):
    goal = goal_factory(org.ann, visibility="team")
    assert _can_get(org.tim, goal)
    services.goal_share(goal=goal, actor=org.ann, visibility="private")
    assert not _can_get(org.tim, goal)


def test_a_shared_goal_is_listed_as_shared_with_the_viewer_not_as_theirs(org, goal_factory):
    goal = goal_factory(org.ann, visibility="team")
    assert [g.pk for g in selectors.goal_list(viewer=org.tim, scope="shared")] == [goal.pk]
    assert list(selectors.goal_list(viewer=org.tim, scope="mine")) == []


# --- evidence on a shared goal

@pytest.fixture
def shared_goal_with_evidence(org, goal_factory, entry_factory, statement_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = goal_factory(org.ann, visibility="organisation")
    private_entry = entry_factory(org.ann, title="Private notes")
    team_entry = entry_factory(org.ann, title="Team write-up", visibility="team")
    services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=private_entry)
    services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=team_entry)
    services.goal_evidence_add_activity(owner=org.ann, goal=goal, statement=statement_for(org.ann))
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/talk", title="The talk")
    services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=SimpleUploadedFile("slides.txt", b"s"))
    return goal


def _labels(viewer, goal):
    return sorted(e.label for e in selectors.goal_evidence(viewer=viewer, goal=goal))


def test_the_owner_sees_all_evidence(org, shared_goal_with_evidence):
    assert _labels(org.ann, shared_goal_with_evidence) == sorted(
        ["Private notes", "Team write-up", "Recorded activity", "The talk", "slides.txt"])


@pytest.mark.parametrize("role,expected", [
    ("tim", ["Team write-up", "The talk", "slides.txt"]),
    ("boss", ["Team write-up", "The talk", "slides.txt"]),
    ("eve", ["The talk", "slides.txt"]),
    ("lena", ["The talk", "slides.txt"]),
    ("root", ["The talk", "slides.txt"]),
])
def test_sharing_a_goal_never_reveals_an_entry_or_activity_that_is_not_shared(
        org, shared_goal_with_evidence, role, expected):
    assert _labels(org.everyone[role], shared_goal_with_evidence) == expected


def test_a_shared_activity_shows_on_a_shared_goal(org, shared_goal_with_evidence):
    from learnflow.goals.models import Evidence
    from learnflow.record.services import statement_share

    evidence = Evidence.objects.get(goal=shared_goal_with_evidence, kind="activity")
    statement_share(owner=org.ann, statement_id=str(evidence.statement.id), visibility="organisation")
    assert "Recorded activity" in _labels(org.eve, shared_goal_with_evidence)


def test_evidence_of_a_goal_the_viewer_cannot_see_is_empty(org, goal_factory):
    goal = goal_factory(org.ann)
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org")
    assert selectors.goal_evidence(viewer=org.boss, goal=goal) == []


@pytest.mark.parametrize("visibility,role,sees", MATRIX)
def test_evidence_files_follow_the_goals_sharing(org, goal_factory, client, visibility, role, sees):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = goal_factory(org.ann, visibility=visibility)
    evidence = services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=SimpleUploadedFile("a.txt", b"a"))
    client.force_login(org.everyone[role])
    assert client.get(reverse("goals:evidence_file", args=[evidence.pk])).status_code == (200 if sees else 404)


def test_the_goal_page_of_a_shared_goal_hides_the_private_entry_title(org, shared_goal_with_evidence, client):
    client.force_login(org.boss)
    page = client.get(reverse("goals:detail", args=[shared_goal_with_evidence.pk]))
    assert b"Team write-up" in page.content and b"Private notes" not in page.content


EVIDENCE_SEEN = {
    "ann": ["Private notes", "Recorded activity", "Team write-up", "The talk", "slides.txt"],
    "tim": ["Team write-up", "The talk", "slides.txt"],
    "boss": ["Team write-up", "The talk", "slides.txt"],
    "eve": ["The talk", "slides.txt"],
    "lena": ["The talk", "slides.txt"],
    "root": ["The talk", "slides.txt"],
}


@pytest.mark.parametrize("role", ROLES)
def test_evidence_in_the_api_follows_each_things_own_sharing_for_every_role(org, shared_goal_with_evidence, client,
                                                                            token_for, role):
    body = client.get(f"/api/goals/{shared_goal_with_evidence.pk}", **token_for(org.everyone[role])).json()
    assert sorted(e["title"] for e in body["evidence"]) == EVIDENCE_SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_evidence_on_the_goal_page_follows_each_things_own_sharing_for_every_role(org, shared_goal_with_evidence,
                                                                                  client, role):
    client.force_login(org.everyone[role])
    content = client.get(reverse("goals:detail", args=[shared_goal_with_evidence.pk])).content.decode()
    for title in EVIDENCE_SEEN["ann"]:
        if title == "Recorded activity":
            continue  # shown to the owner under the activity's own name
        assert (f">{title}</a>" in content) is (title in EVIDENCE_SEEN[role]), title
