"""The manager's page per direct report: only the manager opens it, and it shows only what the report shared."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from learnflow.development import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role,status", [
    ("boss", 200), ("ann", 404), ("tim", 404), ("eve", 404), ("sam", 404), ("lena", 404), ("root", 404),
])
def test_only_the_persons_manager_opens_their_page(org, client, role, status):
    client.force_login(org.everyone[role])
    assert client.get(reverse("development:report", args=["ann"])).status_code == status


def test_a_manager_cannot_open_the_page_of_someone_they_do_not_manage(org, client):
    client.force_login(org.boss)
    assert client.get(reverse("development:report", args=["eve"])).status_code == 404


def test_the_page_of_a_former_report_closes_when_they_change_manager(org, client):
    from learnflow.org.services import user_update

    user_update(user=org.ann, manager=org.sam)
    client.force_login(org.boss)
    assert client.get(reverse("development:report", args=["ann"])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(org, client):
    response = client.get(reverse("development:report", args=["ann"]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("visibility,shown", [
    ("private", False), ("manager", True), ("team", True), ("organisation", True),
])
def test_goals_appear_only_when_shared_with_the_manager(org, goal_factory, client, visibility, shown):
    goal_factory(org.ann, title="Own the deploy pipeline", visibility=visibility)
    client.force_login(org.boss)
    page = client.get(reverse("development:report", args=["ann"])).content.decode()
    assert ("Own the deploy pipeline" in page) is shown


@pytest.mark.parametrize("visibility,shown", [
    ("private", False), ("manager", True), ("team", True), ("organisation", True),
])
def test_journal_entries_appear_only_when_shared_with_the_manager(org, entry_factory, client, visibility, shown):
    entry_factory(org.ann, title="Learned about flame graphs", visibility=visibility)
    client.force_login(org.boss)
    page = client.get(reverse("development:report", args=["ann"])).content.decode()
    assert ("Learned about flame graphs" in page) is shown


def test_shared_goal_shows_its_progress(org, goal_factory, client):
    from learnflow.goals.services import step_add, step_update

    goal = goal_factory(org.ann, visibility="manager")
    step_add(goal=goal, actor=org.ann, title="Read the guide")
    step = step_add(goal=goal, actor=org.ann, title="Run one review")
    step_update(step=step, actor=org.ann, done=True)
    client.force_login(org.boss)
    page = client.get(reverse("development:report", args=["ann"])).content.decode()
    assert "1 of 2 steps done" in page


def test_private_entry_under_a_shared_goal_stays_hidden(org, goal_factory, entry_factory):
    from learnflow.goals.services import goal_evidence_add_entry, goal_evidence_add_link

    goal = goal_factory(org.ann, visibility="manager")
    goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry_factory(org.ann, title="Private notes"))
    goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.com/talk", title="My talk")
    page = selectors.report_page(viewer=org.boss, username="ann")
    assert [e.label for e in page.goals[0].evidence] == ["My talk"]


def test_the_page_shows_the_managers_own_check_ins_only(org, check_in_factory, client):
    check_in_factory(org.boss, org.ann, notes="x", held_on=dt.date(2026, 2, 3))
    check_in_factory(org.boss, org.tim, notes="y", held_on=dt.date(2026, 2, 4))
    client.force_login(org.boss)
    page = client.get(reverse("development:report", args=["ann"])).content.decode()
    assert "Tuesday 3 February 2026" in page
    assert "Wednesday 4 February 2026" not in page


def test_the_overview_lists_a_managers_direct_reports(org, client):
    client.force_login(org.boss)
    page = client.get(reverse("development:overview")).content.decode()
    assert reverse("development:report", args=["ann"]) in page
    assert reverse("development:report", args=["eve"]) not in page
