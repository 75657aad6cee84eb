"""A community question through a real browser: ann asks in an open community, boss answers, ann accepts."""
from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from .browser import sign_in, sign_out  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "How do we roll back a failed migration?"
ANSWER = "Roll forward with a fix; keep each migration reversible."


@pytest.fixture
def community(org):
    from learnflow.community.services import community_create, member_add

    c = community_create(actor=org.boss, name="Database practitioners", access="open")
    member_add(community=c, actor=org.boss, user=org.ann)
    return c


def test_a_member_asks_another_answers_and_the_asker_accepts(org, community, page):
    sign_in(page, "ann", org.password)
    page.goto(f"/communities/{community.slug}/")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("In a line").fill(QUESTION)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    sign_out(page)

    sign_in(page, "boss", org.password)
    page.goto(f"/communities/{community.slug}/")
    page.get_by_role("link", name=QUESTION).click()
    page.get_by_label("Your reply").last.fill(ANSWER)
    page.get_by_role("button", name="Answer").click()
    expect(page.locator("main")).to_contain_text(ANSWER)
    sign_out(page)

    sign_in(page, "ann", org.password)
    page.goto("/account/notices/")
    page.get_by_role("link", name=f"Boss answered your question “{QUESTION}”").click()
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.locator("main")).to_contain_text("Accepted answer")
