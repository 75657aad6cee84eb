"""The daily journey through a real browser: capture, find, share, and the privacy promise held at the last step.

ann logs two learnings through quick capture, shares one with her team and keeps the other private; her teammate tim
reads the shared one; their manager boss finds the shared one but not the private one, wherever he looks.
"""
from __future__ import annotations

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from .browser import sign_in, sign_out  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One word that appears in both titles and nowhere else, so a search for it shows exactly what a viewer may see.
MARKER = "quokka"
SHARED_TITLE = f"Idempotency keys make {MARKER} retries safe"
PRIVATE_TITLE = f"My {MARKER} salary negotiation notes"


def quick_capture(page, title: str) -> None:
    box = page.locator("#quick-title")
    box.fill(title)
    box.press("Enter")
    expect(page.locator("#quick-capture .quick-result")).to_contain_text(f"Logged “{title}”")


def test_shared_learning_reaches_the_team_and_a_private_one_stays_hidden_from_the_manager(org, page):
    # `org` comes before `page`: the people are created before Playwright starts, with the test's own connection.

    # ann signs in through the form and captures a learning from the top of her home page, without a reload.
    sign_in(page, "ann", org.password)
    page.evaluate("window.__learnflowSamePage = true")
    quick_capture(page, SHARED_TITLE)
    assert page.evaluate("window.__learnflowSamePage === true"), "quick capture reloaded or left the page"
    expect(page.locator("#recent-entries")).to_contain_text(SHARED_TITLE)

    # It is on her timeline.
    page.goto("/journal/")
    expect(page.get_by_role("link", name=SHARED_TITLE)).to_be_visible()

    # A second learning, captured the same way, stays private (the default).
    quick_capture(page, PRIVATE_TITLE)
    confirmation = page.locator("#quick-capture .quick-result")
    private_url = confirmation.get_by_role("link", name=PRIVATE_TITLE).get_attribute("href")
    assert private_url and re.fullmatch(r"/journal/\d+/", private_url)

    # She opens the first one and shares it with her team through the share panel.
    page.goto("/journal/")
    page.get_by_role("link", name=SHARED_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHARED_TITLE)
    shared_url = page.url
    page.get_by_label("Visible to").select_option(label="My team")
    page.get_by_label("Why it is worth sharing (optional)").fill("Saves a day of debugging duplicate charges")
    page.get_by_role("button", name="Update sharing").click()
    expect(page.locator("#share-panel")).to_contain_text("Saved: now visible to my team.")
    sign_out(page)

    # tim, her teammate, finds it in the team feed and can read it.
    sign_in(page, "tim", org.password)
    page.goto("/journal/team/")
    expect(page.get_by_role("link", name=SHARED_TITLE)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PRIVATE_TITLE)
    page.get_by_role("link", name=SHARED_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHARED_TITLE)
    expect(page.locator("main")).to_contain_text("Saves a day of debugging duplicate charges")
    sign_out(page)

    # boss, their manager, sees what was shared with the team and nothing of the private one: not in the team feed,
    # not in search, not by its address.
    sign_in(page, "boss", org.password)
    page.goto("/journal/team/")
    expect(page.get_by_role("link", name=SHARED_TITLE)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(PRIVATE_TITLE)

    page.goto(f"/search?q={MARKER}")
    expect(page.locator("#search-results").get_by_role("link", name=SHARED_TITLE)).to_be_visible()
    expect(page.locator("#search-results")).not_to_contain_text(PRIVATE_TITLE)

    response = page.goto(private_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text(PRIVATE_TITLE)

    response = page.goto(shared_url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(SHARED_TITLE)
