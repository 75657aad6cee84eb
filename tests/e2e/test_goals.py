"""Setting a development goal, attaching evidence and sharing it with the manager, through a real browser.

ann sets a goal (private, the default), adds a step, attaches two journal entries (one shared with her manager, one
private) and a link, then shares the goal with her manager. boss finds it on his page about ann with the shared
evidence — and not the private entry, which sharing a goal never un-hides. tim, her teammate, sees none of it.
"""
from __future__ import annotations

import datetime as dt

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from .browser import sign_in, sign_out  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL_TITLE = "Lead a design review for the billing service"
SHARED_ENTRY = "Paired with Tim on the rollback plan"
PRIVATE_ENTRY = "My doubts about leading reviews"
LINK_TITLE = "My design review checklist"


def attach_entry(page, entry) -> None:
    page.get_by_label("Kind of evidence").select_option("entry")
    page.get_by_label("Journal entry", exact=True).select_option(str(entry.pk))
    page.get_by_role("button", name="Attach").click()
    # The attached list, not the message: the message of the previous attachment reads the same.
    expect(page.locator("#evidence .entry-list")).to_contain_text(entry.title)


def test_a_goal_with_evidence_shared_with_the_manager_reaches_him_and_not_the_team(org, entry_factory, page):
    # `org` and the entries come before `page`: they are made before Playwright starts, with the test's connection.
    shared = entry_factory(org.ann, title=SHARED_ENTRY, visibility="manager")
    private = entry_factory(org.ann, title=PRIVATE_ENTRY)
    target = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    step_due = (dt.date.today() + dt.timedelta(days=20)).isoformat()

    # ann sets the goal through the form.
    sign_in(page, "ann", org.password)
    page.goto("/goals/new/")
    page.get_by_label("What I want to achieve").fill(GOAL_TITLE)
    page.get_by_label("Why it matters for my work").fill("Billing changes are risky; reviews catch problems early.")
    page.get_by_label("How success will show in my job performance").fill("The proration rewrite ships cleanly.")
    page.get_by_label("Target date").fill(target)
    expect(page.get_by_label("Who can see it")).to_have_value("private")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GOAL_TITLE)
    goal_url = page.url
    expect(page.locator("article .meta")).to_contain_text("Only me")

    # A step, then evidence: both entries and a link.
    page.get_by_label("Next step").fill("Run a practice review with Tim")
    page.get_by_label("Due", exact=True).fill(step_due)
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#steps")).to_contain_text("Run a practice review with Tim")
    attach_entry(page, shared)
    attach_entry(page, private)
    page.get_by_label("Kind of evidence").select_option("link")
    page.get_by_label("Link", exact=True).fill("https://wiki.example.org/design-review-checklist")
    page.get_by_label("Title", exact=True).fill(LINK_TITLE)
    page.get_by_role("button", name="Attach").click()
    evidence = page.locator("#evidence .entry-list")
    expect(evidence.get_by_role("link", name=LINK_TITLE)).to_be_visible()
    for title in (SHARED_ENTRY, PRIVATE_ENTRY, LINK_TITLE):
        expect(evidence).to_contain_text(title)

    # She shares the goal with her manager.
    page.get_by_label("Visible to").select_option(label="My manager")
    page.get_by_role("button", name="Update sharing").click()
    expect(page.locator(".messages")).to_contain_text("Now visible to: my manager.")
    sign_out(page)

    # boss finds it on his page about ann, with the evidence he may see.
    sign_in(page, "boss", org.password)
    page.goto("/development/people/ann/")
    goals = page.locator("section[aria-labelledby=goals-h]")
    expect(goals.get_by_role("link", name=GOAL_TITLE)).to_be_visible()
    expect(goals).to_contain_text("0 of 1 steps done")
    goals.get_by_text("Evidence (2)").click()
    expect(goals.get_by_role("link", name=SHARED_ENTRY)).to_be_visible()
    expect(goals.get_by_role("link", name=LINK_TITLE)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PRIVATE_ENTRY)
    goals.get_by_role("link", name=GOAL_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GOAL_TITLE)
    expect(page.locator("#evidence")).to_contain_text(LINK_TITLE)
    expect(page.locator("main")).not_to_contain_text(PRIVATE_ENTRY)
    # He reads it; he cannot change it.
    expect(page.get_by_role("button", name="Update sharing")).to_have_count(0)
    sign_out(page)

    # tim, ann's teammate, sees nothing of it: not in his goals, not by its address, not through the manager's page.
    sign_in(page, "tim", org.password)
    page.goto("/goals/")
    expect(page.locator("main")).not_to_contain_text(GOAL_TITLE)
    response = page.goto(goal_url)
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(GOAL_TITLE)
    response = page.goto("/development/people/ann/")
    assert response is not None and response.status == 404
