"""Steps every browser test shares. Playwright is imported inside them: a test module skips itself (importorskip)
before anything here runs when the package is missing."""
from __future__ import annotations


def sign_in(page, username: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def sign_out(page) -> None:
    from playwright.sync_api import expect

    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Learnflow")).to_be_visible()
