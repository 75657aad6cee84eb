"""The learning concierge through a real browser: ann asks for help, the colleague Learnflow suggests (tim, who
declared the skill) answers in the request, and ann marks it resolved naming him."""
from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from .browser import sign_in, sign_out  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Rolling back a failed Kubernetes deployment"
ANSWER = "Run kubectl rollout undo on the deployment"


def test_a_person_asks_for_help_a_suggested_colleague_answers_and_the_asker_resolves_it(org, page):
    from learnflow.concierge import expertise
    from learnflow.concierge.selectors import people_state_invalidate
    from learnflow.core.services import skill_get_or_create_many

    org.tim.skills.add(*skill_get_or_create_many(names=["kubernetes"]))
    expertise.index_invalidate()
    people_state_invalidate()

    # ann describes her problem; Learnflow suggests tim, saying why.
    sign_in(page, "ann", org.password)
    page.goto("/help/new/")
    page.get_by_label("What do you need help with?").fill(TITLE)
    page.get_by_label("Describe the problem").fill("The new release **crashes** on start.")
    page.get_by_label("Skills it needs").fill("kubernetes")
    page.get_by_role("button", name="Find who can help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text("declared skill: kubernetes")
    page.get_by_label("Ask Tim").check()
    page.get_by_role("button", name="Ask for help").click()
    expect(page.locator(".messages")).to_contain_text("Asked Tim")
    request_url = page.url
    sign_out(page)

    # tim finds the request among those asked of him, takes it on and answers.
    sign_in(page, "tim", org.password)
    page.goto("/help/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="I can help").click()
    page.get_by_label("Your reply").fill(ANSWER)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation")).to_contain_text(ANSWER)
    sign_out(page)

    # ann reads the answer and marks the request resolved, naming tim.
    sign_in(page, "ann", org.password)
    page.goto(request_url)
    expect(page.locator("#conversation")).to_contain_text(ANSWER)
    page.get_by_label("Who helped most?").select_option(label="Tim")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.locator("#request-status")).to_have_text("Resolved")
    expect(page.get_by_role("heading", name="Resolved with help from Tim")).to_be_visible()
