"""A resource's picture: fetched once by the safe fetcher in a background task, taken only when it is a real raster
image of sane size, re-encoded, stored, and served to exactly those who may see the resource."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image

from learnflow.curation.tests.conftest import feed_server  # noqa: F401 - the fetcher's own test server
from learnflow.library import images, services
from learnflow.library.images import ImageRefused, image_prepare
from learnflow.library.models import ImageStatus, Resource, ResourceImage, ResourceKind, ResourceStatus

pytestmark = pytest.mark.django_db


# --- pictures made on the spot ------------------------------------------------------------------------------------

def png(width: int = 64, height: int = 48, mode: str = "RGB", color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG", **kwargs)
    return out.getvalue()


def gif_animated() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("P", (40, 30), i) for i in (1, 2, 3)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 50), (0, 200, 0)).save(out, "WEBP")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring gigapixels, with a few bytes of data: it is refused before anything is
    decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
            + _chunk(b"IEND", b""))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"


# --- the checks (pure) --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [png(), jpeg(), gif_animated(), webp(), png(mode="RGBA", color=(0, 0, 0, 0))],
                         ids=["png", "jpeg", "gif-animated", "webp", "png-transparent"])
def test_png_jpeg_gif_and_webp_are_taken_and_re_encoded(data):
    prepared = image_prepare(data)
    assert prepared.content_type == "image/webp" and images.sniff(prepared.content) == "WEBP"
    assert Image.open(io.BytesIO(prepared.content)).size == (prepared.width, prepared.height)
    assert Image.open(io.BytesIO(prepared.thumb)).size == images.THUMB_SIZE


def test_a_large_picture_is_shrunk_to_fit_the_box():
    prepared = image_prepare(jpeg(3000, 1000))
    assert (prepared.width, prepared.height) == (1200, 400)


def test_transparency_survives_and_metadata_does_not():
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    prepared = image_prepare(jpeg(exif=exif.tobytes()))
    again = Image.open(io.BytesIO(prepared.content))
    assert not again.getexif() and "icc_profile" not in again.info
    assert Image.open(io.BytesIO(image_prepare(png(mode="RGBA", color=(0, 0, 0, 0))).content)).mode == "RGBA"


def test_bytes_after_the_picture_do_not_survive():
    prepared = image_prepare(png() + b"<script>alert(1)</script>")
    assert b"<script" not in prepared.content


@pytest.mark.parametrize("data, words", [
    (SVG, "not a PNG, JPEG, GIF or WebP"),
    (HTML, "not a PNG, JPEG, GIF or WebP"),
    (b"", "not a PNG, JPEG, GIF or WebP"),
    (b"GIF89a<html><script>alert(1)</script>", "could not be read"),
    (png()[:60], "could not be read"),  # truncated
    (jpeg(200, 200)[:300], "could not be read"),  # truncated
    (png_bomb(), "too large"),
    (png_bomb(10_001, 20), "too large"),
    (png(1, 1), "too small"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "could not be read"),
], ids=["svg", "html", "empty", "gif-polyglot", "png-truncated", "jpeg-truncated", "png-bomb", "too-wide",
        "one-pixel", "png-garbage"])
def test_what_is_not_a_sane_raster_picture_is_refused(data, words):
    with pytest.raises(ImageRefused) as refused:
        image_prepare(data)
    assert words in refused.value.message


def test_a_real_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, "PNG")  # 36 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ImageRefused, match="too large"):
        image_prepare(out.getvalue())


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.LEARNFLOW_LIBRARY_IMAGE_MAX_BYTES = 100
    with pytest.raises(ImageRefused, match="larger than"):
        image_prepare(png())


def _commit():
    """Run what waits for the commit (the queued fetch, the deletion of an old file) when the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


# --- fetched in the background, stored, shown -----------------------------------------------------------------------

@pytest.fixture
def tasks_now(settings, django_capture_on_commit_callbacks):
    """Tasks run as soon as they are queued, and queued when the transaction commits (as in production)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def _link(tasks_now, author, image_url, submit=True, **kw):
    resource = tasks_now(services.resource_create, author=author, kind=ResourceKind.LINK, title="Incident reviews",
                         url="https://example.org/reviews", image_url=image_url, submit=submit, **kw)
    return Resource.objects.select_related("image").get(pk=resource.pk)


def test_a_resource_made_from_a_page_gets_its_picture_shown_on_the_page_and_in_lists(client, org, page_server,
                                                                                      tasks_now):
    page_server.pages["/article"] = ("text/html", (
        '<html><head><title>Blameless incident reviews</title>'
        f'<meta property="og:image" content="{page_server.url("/cover.jpg")}"></head></html>').encode())
    page_server.pages["/cover.jpg"] = ("image/jpeg", jpeg(1600, 900))
    resource = tasks_now(services.resource_create_from_url, author=org.ann, url=page_server.url("/article"))
    image = ResourceImage.objects.get(resource=resource)
    assert image.status == ImageStatus.READY and (image.width, image.height) == (1200, 675)
    assert default_storage.exists(image.file.name)

    client.force_login(org.tim)
    html = client.get(resource.get_absolute_url()).content.decode()
    src = f"/library/r/{resource.uid}/image/?v={image.version}"
    assert f'src="{src}"' in html and 'width="1200" height="675"' in html and 'loading="lazy"' in html
    assert 'alt="Picture from 127.0.0.1 for “Blameless incident reviews”"' in html
    assert page_server.url("/cover.jpg") not in html.replace(f'value="{page_server.url("/cover.jpg")}"', "")
    listing = client.get("/library/").content.decode()
    thumb = f"/library/r/{resource.uid}/image/thumb/?v={image.version}"
    assert f'class="resource-thumb" src="{thumb}"' in listing and 'width="160" height="90"' in listing
    small = client.get(thumb)
    assert small.status_code == 200 and small["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(small.streaming_content))).size == (320, 180)

    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"].startswith("private")
    assert images.sniff(b"".join(response.streaming_content)) == "WEBP"
    assert client.get(src, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_list_reads_pictures_without_a_query_per_resource(client, org, page_server, tasks_now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page_server.pages["/p.png"] = ("image/png", png())
    client.force_login(org.tim)
    counts = []
    for _ in range(2):
        for _ in range(2):
            _link(tasks_now, org.ann, page_server.url("/p.png"))
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/library/").content.decode()
        counts.append(len(captured.captured_queries))
    assert html.count('class="resource-thumb"') == 4
    assert counts[0] == counts[1]


@pytest.mark.parametrize("served", [("image/svg+xml", SVG), ("text/html", HTML), ("image/png", png()[:60]),
                                    ("image/png", png_bomb())], ids=["svg", "html", "truncated", "bomb"])
def test_a_refused_picture_leaves_the_resource_fine_with_a_note_for_its_curator(client, org, page_server,
                                                                                tasks_now, served):
    page_server.pages["/pic"] = served
    resource = _link(tasks_now, org.ann, page_server.url("/pic"))
    assert resource.image.status == ImageStatus.FAILED and resource.image.note.startswith("The image was not used")
    assert resource.shown_image is None and not resource.image.file
    client.force_login(org.ann)
    response = client.get(resource.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert resource.image.note.split("(")[0].strip() in html and "Try again" in html and "<img" not in html
    client.force_login(org.tim)
    assert "The image was not used" not in client.get(resource.get_absolute_url()).content.decode()
    assert client.get(f"/library/r/{resource.uid}/image/").status_code == 404


def test_a_picture_over_the_size_limit_is_refused_by_the_fetcher(org, page_server, tasks_now, settings):
    settings.LEARNFLOW_LIBRARY_IMAGE_MAX_BYTES = 1024
    page_server.pages["/big.png"] = ("image/png", _noise_png())
    resource = _link(tasks_now, org.ann, page_server.url("/big.png"))
    assert resource.image.status == ImageStatus.FAILED and "larger than 1 KB" in resource.image.note


def _noise_png() -> bytes:
    import random

    rng = random.Random(5)
    out = io.BytesIO()
    Image.frombytes("RGB", (100, 100), bytes(rng.randrange(256) for _ in range(30_000))).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/cover.png", "http://10.0.0.7/cover.png",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/cover.png"])
def test_a_picture_on_an_internal_address_is_refused_without_connecting(org, tasks_now, url):
    resource = _link(tasks_now, org.ann, url)
    assert resource.image.status == ImageStatus.FAILED and "Refused to connect" in resource.image.note


def test_a_picture_that_redirects_to_an_internal_address_is_refused(org, tasks_now, settings,
                                                                    feed_server):  # noqa: F811
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    feed_server.routes["/cover.png"] = lambda h: (302, {"Location": "http://10.1.2.3/secret.png",
                                                        "Content-Length": "0"}, b"")
    feed_server.routes["/loop.png"] = lambda h: (302, {"Location": "http://127.0.0.1:1/x.png",
                                                       "Content-Length": "0"}, b"")
    for path in ("/cover.png", "/loop.png"):
        resource = _link(tasks_now, org.ann, feed_server.url(path))
        assert resource.image.status == ImageStatus.FAILED and "Refused to connect" in resource.image.note
    assert [r["path"] for r in feed_server.requests] == ["/cover.png", "/loop.png"]
    assert "image/" in feed_server.requests[0]["accept"]


def test_a_server_that_does_not_answer_leaves_a_note(org, tasks_now):
    resource = _link(tasks_now, org.ann, "http://nonexistent.invalid/cover.png")
    assert resource.image.status == ImageStatus.FAILED and "could not be fetched" in resource.image.note


# --- who sees the picture ------------------------------------------------------------------------------------------

@pytest.fixture
def pictured(org, page_server, tasks_now, reviewed_topic):
    page_server.pages["/p.png"] = ("image/png", png())

    def make(status: str) -> Resource:
        if status == ResourceStatus.IN_REVIEW:
            return _link(tasks_now, org.ann, page_server.url("/p.png"), topics=[reviewed_topic])
        resource = _link(tasks_now, org.ann, page_server.url("/p.png"), submit=status != ResourceStatus.DRAFT)
        if status == ResourceStatus.ARCHIVED:
            services.resource_archive(resource=resource, actor=org.ann)
        return resource

    return make


SEES = {  # status -> who gets the picture (the same people as the resource page)
    "published": {"ann", "lena", "tim", "eve"},
    "in_review": {"ann", "lena"},
    "archived": {"ann", "lena"},
    "draft": {"ann"},
}


@pytest.mark.parametrize("status", list(SEES))
def test_the_picture_follows_the_resource_visibility_for_every_role(client, org, pictured, status):
    resource = pictured(status)
    assert resource.status == status and resource.shown_image is not None
    url = f"/library/r/{resource.uid}/image/"
    for name in ("ann", "lena", "tim", "eve"):
        client.force_login(org.everyone[name])
        page, picture, thumb = (client.get(resource.get_absolute_url()), client.get(url),
                                client.get(url + "thumb/"))
        assert picture.status_code == (200 if name in SEES[status] else 404), (name, status)
        assert page.status_code == picture.status_code == thumb.status_code, (name, status)
    client.logout()
    for path in (url, url + "thumb/"):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


# --- the curator changes or removes it ---------------------------------------------------------------------------

def test_editing_the_address_replaces_the_picture_and_deletes_the_old_file(client, org, page_server, tasks_now):
    page_server.pages["/a.png"] = ("image/png", png(64, 48))
    page_server.pages["/b.png"] = ("image/png", png(80, 40, color=(0, 0, 255)))
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    first = resource.image.stored_names()
    assert len(first) == 2
    client.force_login(org.lena)  # a curator
    form = {"kind": "link", "title": resource.title, "url": resource.url, "image_url": page_server.url("/b.png"),
            "summary": "", "body": "", "site_name": "", "curator_note": ""}
    with _commit():
        response = client.post(f"/library/r/{resource.uid}/edit/", form)
    assert response.status_code == 302
    image = ResourceImage.objects.get(resource=resource)
    assert image.status == ImageStatus.READY and (image.width, image.height) == (80, 40)
    assert all(default_storage.exists(name) for name in image.stored_names())
    assert not set(first) & set(image.stored_names()) and not any(default_storage.exists(name) for name in first)


def test_removing_the_picture_deletes_the_stored_file(client, org, page_server, tasks_now):
    page_server.pages["/a.png"] = ("image/png", png())
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    stored = resource.image.stored_names()
    client.force_login(org.ann)
    with _commit():
        response = client.post(f"/library/r/{resource.uid}/image/remove/")
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.image_url == "" and not ResourceImage.objects.filter(resource=resource).exists()
    assert len(stored) == 2 and not any(default_storage.exists(name) for name in stored)
    assert "<img" not in client.get(resource.get_absolute_url()).content.decode()


def test_clearing_the_address_in_the_edit_form_removes_the_picture(client, org, page_server, tasks_now):
    page_server.pages["/a.png"] = ("image/png", png())
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    stored = resource.image.stored_names()
    client.force_login(org.ann)
    form = {"kind": "link", "title": resource.title, "url": resource.url, "image_url": "", "summary": "",
            "body": "", "site_name": "", "curator_note": ""}
    with _commit():
        assert client.post(f"/library/r/{resource.uid}/edit/", form).status_code == 302
    assert not ResourceImage.objects.filter(resource=resource).exists()
    assert stored and not any(default_storage.exists(name) for name in stored)


def test_only_editors_change_the_picture(client, org, page_server, tasks_now):
    page_server.pages["/a.png"] = ("image/png", png())
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    client.force_login(org.tim)
    assert client.post(f"/library/r/{resource.uid}/image/remove/").status_code == 403
    assert client.post(f"/library/r/{resource.uid}/image/refetch/").status_code == 403
    assert ResourceImage.objects.get(resource=resource).status == ImageStatus.READY


def test_trying_again_after_a_failure_takes_the_picture_once_it_is_there(org, page_server, tasks_now):
    resource = _link(tasks_now, org.ann, page_server.url("/later.png"))
    assert resource.image.status == ImageStatus.FAILED and "404" in resource.image.note
    page_server.pages["/later.png"] = ("image/png", png())
    tasks_now(services.resource_image_refetch, resource=resource, actor=org.ann)
    assert ResourceImage.objects.get(resource=resource).status == ImageStatus.READY


def test_a_late_fetch_for_an_address_the_resource_no_longer_has_changes_nothing(org, page_server, tasks_now):
    page_server.pages["/a.png"] = ("image/png", png())
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    services.resource_update(resource=resource, actor=org.ann, image_url=page_server.url("/b.png"))
    assert services.resource_image_store(resource_id=resource.pk, url=page_server.url("/a.png")) == "stale"
    assert ResourceImage.objects.get(resource=resource).status == ImageStatus.PENDING


def test_the_api_gives_the_stored_picture_not_the_other_site(client, org, page_server, tasks_now, token_for):
    page_server.pages["/a.png"] = ("image/png", png())
    resource = _link(tasks_now, org.ann, page_server.url("/a.png"))
    body = client.get(f"/api/library/{resource.uid}", **token_for(org.tim)).json()
    assert body["image"] == resource.image.get_absolute_url()
