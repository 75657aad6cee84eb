"""A resource's picture loads in a real browser under the Content-Security-Policy (`img-src 'self'`): it is served by
Learnflow itself, on the resource page and in the library list, without moving the layout."""
from __future__ import annotations

import io
import os

import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser test skipped: the playwright package is not installed")
expect = sync_api.expect

from learnflow.library.tests.conftest import page_server  # noqa: E402,F401 - a local image server for the fetcher

from .browser import sign_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pictured(org, page_server):  # noqa: F811
    from PIL import Image

    from learnflow.library import services

    out = io.BytesIO()
    Image.new("RGB", (1600, 840), (30, 90, 160)).save(out, "JPEG")
    page_server.pages["/cover.jpg"] = ("image/jpeg", out.getvalue())
    resource = services.resource_create(author=org.lena, kind="link", title="Blameless incident reviews",
                                        summary="How to run a review that finds causes, not culprits.",
                                        url="https://sre.example/incident-reviews",
                                        image_url=page_server.url("/cover.jpg"))
    # The fetch a worker would run (the queue has no worker in tests).
    assert services.resource_image_store(resource_id=resource.pk, url=page_server.url("/cover.jpg")) == "ready"
    return resource


def test_the_picture_loads_on_the_page_and_in_the_list(org, pictured, page):
    sign_in(page, "ann", org.password)
    page.goto(pictured.get_absolute_url())
    picture = page.get_by_role("img", name="Picture from sre.example for “Blameless incident reviews”")
    expect(picture).to_be_visible()
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert picture.evaluate("img => img.naturalWidth") == 1200
    shots = os.environ.get("LEARNFLOW_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/library-image-page.png", full_page=True)
    page.goto("/library/")
    thumb = page.locator("img.resource-thumb").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    box = thumb.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (160, 90)
    if shots:
        page.screenshot(path=f"{shots}/library-image-list.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(pictured.get_absolute_url())
        page.screenshot(path=f"{shots}/library-image-mobile.png", full_page=True)
