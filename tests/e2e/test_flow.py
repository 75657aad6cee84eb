"""The knowledge flow through a real browser: ann follows a topic, lena (L&D) publishes an item from that topic's
curation inbox with a note on why it matters, and ann finds it, with the note, in her flow."""
from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from .browser import sign_in, sign_out  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM_TITLE = "Threat modelling a payments API in one afternoon"
NOTE = "The checklist we now use in every design review"
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Security weekly</title><link>https://security.example/</link>
<item><title>{ITEM_TITLE}</title><link>https://security.example/threat-modelling-payments</link>
<description>&lt;p&gt;A worked example with STRIDE.&lt;/p&gt;</description>
<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>""".encode()


@pytest.fixture
def inbox(org):
    from learnflow.curation.services import feed_ingest, topic_create

    topic = topic_create(actor=org.lena, name="Secure coding")
    assert feed_ingest(topic=topic, data=FEED).items_taken == 1
    return topic


def test_a_curated_item_reaches_a_follower_of_its_topic(org, inbox, page):
    # ann follows the topic from the "What I follow" page; the button changes in place.
    sign_in(page, "ann", org.password)
    page.goto("/flow/following/")
    page.get_by_role("button", name="Follow Secure coding").click()
    expect(page.get_by_role("button", name="Following Secure coding · unfollow")).to_be_visible()
    page.goto("/flow/")
    expect(page.locator("main")).not_to_contain_text(ITEM_TITLE)
    sign_out(page)

    # lena publishes the waiting item with a note on why it matters.
    sign_in(page, "lena", org.password)
    page.goto(f"/curation/{inbox.slug}/")
    page.get_by_label("Why it matters").fill(NOTE)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("main")).to_contain_text("Published")
    sign_out(page)

    # ann finds it in her flow, with the note.
    sign_in(page, "ann", org.password)
    page.goto("/flow/")
    item = page.locator("main li.flow-item", has_text=ITEM_TITLE)
    expect(item.get_by_role("link", name=ITEM_TITLE)).to_be_visible()
    expect(item).to_contain_text(NOTE)
