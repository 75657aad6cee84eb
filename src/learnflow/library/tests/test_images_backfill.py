"""The pictures backfill: resources that have an image address but never had their picture fetched (made before
pictures were stored, or whose fetch was lost) get it from the recurring job or `learnflow library fetch-images`,
a bounded batch at a time, through the same safe fetcher and checks; failures are recorded and not retried."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from learnflow.curation.tests.conftest import feed_server  # noqa: F401 - the fetcher's own test server
from learnflow.library import services
from learnflow.library.cli import images_fetch_cli
from learnflow.library.models import ImageStatus, Resource, ResourceImage, ResourceKind
from learnflow.library.tests.test_images import _noise_png, png

pytestmark = pytest.mark.django_db

FETCH_TASK = "learnflow.library.tasks.resource_image_fetch"
BACKFILL_TASK = "learnflow.library.tasks.resource_images_backfill_run"


def _queued(path: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path, status="READY")


@pytest.fixture
def legacy(org):
    """A resource as it was before pictures were fetched and stored: an image address, no picture row at all."""

    def make(image_url: str, title: str = "Incident reviews") -> Resource:
        resource = services.resource_create(author=org.ann, kind=ResourceKind.LINK, title=title,
                                            url=f"https://example.org/{title.replace(' ', '-')}")
        Resource.objects.filter(pk=resource.pk).update(image_url=image_url)
        return Resource.objects.get(pk=resource.pk)

    return make


@pytest.fixture
def served(settings, feed_server):  # noqa: F811
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    feed_server.routes["/p.png"] = lambda h: (200, {"Content-Type": "image/png"}, png())
    return feed_server


@pytest.fixture
def tasks_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _backfill(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.resource_images_backfill(**kwargs)


def test_a_resource_from_before_pictures_gets_its_picture_from_the_backfill(org, legacy, served, tasks_now,
                                                                            django_capture_on_commit_callbacks):
    resource = legacy(served.url("/p.png"))
    done = _backfill(django_capture_on_commit_callbacks)
    assert done.queued == [resource.pk]
    image = ResourceImage.objects.get(resource=resource)
    assert image.status == ImageStatus.READY and image.file and image.thumb and image.width == 64
    assert [r["path"] for r in served.requests] == ["/p.png"] and "image/" in served.requests[0]["accept"]
    assert services.resource_images_backfill().queued == []  # nothing left


def test_the_backfill_queues_the_same_task_an_editor_would(org, legacy, served,
                                                           django_capture_on_commit_callbacks):
    resource = legacy(served.url("/p.png"))
    _backfill(django_capture_on_commit_callbacks)
    [queued] = _queued(FETCH_TASK)
    assert queued.args_kwargs["kwargs"] == {"resource_id": resource.pk, "url": served.url("/p.png")}
    image = ResourceImage.objects.get(resource=resource)
    assert (image.status, image.attempts) == (ImageStatus.PENDING, 1) and image.queued_at is not None
    assert served.requests == []  # queued, not fetched in the caller


def test_each_run_is_bounded_and_counts_what_is_still_waiting(org, legacy, served,
                                                              django_capture_on_commit_callbacks):
    made = [legacy(served.url("/p.png"), title=f"Resource {n}") for n in range(5)]
    first = _backfill(django_capture_on_commit_callbacks, limit=2)
    assert len(first.queued) == 2 and first.in_flight == 0
    second = _backfill(django_capture_on_commit_callbacks, limit=3)
    assert len(second.queued) == 1 and second.in_flight == 2  # two of its three places were taken
    assert _queued(FETCH_TASK).count() == 3
    assert set(first.queued) | set(second.queued) == {r.pk for r in made[2:]}  # the newest first


def test_a_failure_is_recorded_and_not_retried(org, legacy, served, tasks_now, django_capture_on_commit_callbacks):
    served.routes["/gone.png"] = lambda h: (404, {}, b"")
    served.routes["/page.png"] = lambda h: (200, {"Content-Type": "image/png"}, b"<html>not a picture</html>")
    gone, page = legacy(served.url("/gone.png"), title="Gone"), legacy(served.url("/page.png"), title="Page")
    _backfill(django_capture_on_commit_callbacks)
    assert ResourceImage.objects.get(resource=gone).note == "The image could not be fetched: The server answered 404."
    assert ResourceImage.objects.get(resource=page).note.startswith("The image was not used")
    for _ in range(2):
        assert _backfill(django_capture_on_commit_callbacks).queued == []
    assert len(served.requests) == 2


def test_the_backfill_keeps_the_fetchers_address_and_size_rules(org, legacy, served, tasks_now, settings,
                                                               django_capture_on_commit_callbacks):
    settings.LEARNFLOW_LIBRARY_IMAGE_MAX_BYTES = 1024
    served.routes["/big.png"] = lambda h: (200, {"Content-Type": "image/png"}, _noise_png())
    internal = [legacy(url, title=f"Internal {n}") for n, url in enumerate((
        "http://10.0.0.7/cover.png", "http://169.254.169.254/latest/meta-data/", "http://[::1]/cover.png",
        "http://127.0.0.1:9/cover.png"))]
    served.routes["/redirect.png"] = lambda h: (302, {"Location": "http://10.1.2.3/x.png", "Content-Length": "0"}, b"")
    redirected = legacy(served.url("/redirect.png"), title="Redirected")
    big = legacy(served.url("/big.png"), title="Big")
    _backfill(django_capture_on_commit_callbacks)
    for resource in internal + [redirected]:
        image = ResourceImage.objects.get(resource=resource)
        assert image.status == ImageStatus.FAILED and "Refused to connect" in image.note, image.note
    assert "larger than 1 KB" in ResourceImage.objects.get(resource=big).note
    assert sorted(r["path"] for r in served.requests) == ["/big.png", "/redirect.png"]


def test_resources_with_a_picture_or_a_fresh_fetch_or_no_address_are_left_alone(org, legacy, served, tasks_now,
                                                                                django_capture_on_commit_callbacks):
    ready = legacy(served.url("/p.png"), title="Ready")
    _backfill(django_capture_on_commit_callbacks)
    assert ResourceImage.objects.get(resource=ready).status == ImageStatus.READY
    edited = services.resource_create(author=org.ann, kind=ResourceKind.LINK, title="Just edited",
                                      url="https://example.org/edited", image_url=served.url("/p.png"))
    services.resource_create(author=org.ann, kind=ResourceKind.LINK, title="No picture", url="https://example.org/n")
    # The edit queued its own fetch a moment ago (the callback was not run here): the backfill does not add one.
    assert ResourceImage.objects.get(resource=edited).status == ImageStatus.PENDING
    done = _backfill(django_capture_on_commit_callbacks)
    assert (done.queued, done.in_flight) == ([], 1)
    assert len(served.requests) == 1


def test_a_fetch_whose_task_was_lost_is_queued_again_then_given_up(org, legacy, served,
                                                                  django_capture_on_commit_callbacks):
    resource = legacy(served.url("/p.png"))
    now = timezone.now()
    _backfill(django_capture_on_commit_callbacks, now=now)
    assert _backfill(django_capture_on_commit_callbacks, now=now + dt.timedelta(minutes=30)).queued == []
    later = now
    for attempt in (2, 3):
        later += dt.timedelta(hours=2)
        assert _backfill(django_capture_on_commit_callbacks, now=later).queued == [resource.pk]
        assert ResourceImage.objects.get(resource=resource).attempts == attempt
    done = _backfill(django_capture_on_commit_callbacks, now=later + dt.timedelta(hours=2))
    assert (done.queued, done.given_up) == ([], [resource.pk])
    image = ResourceImage.objects.get(resource=resource)
    assert image.status == ImageStatus.FAILED and image.note == (
        "The image could not be fetched: no answer after 3 tries.")
    assert _backfill(django_capture_on_commit_callbacks, now=later + dt.timedelta(days=1)).given_up == []
    assert _queued(FETCH_TASK).count() == 3


def test_a_pending_row_from_before_the_queue_time_was_kept_is_queued_again(org, legacy, served,
                                                                          django_capture_on_commit_callbacks):
    resource = legacy(served.url("/p.png"))
    ResourceImage.objects.create(resource=resource, source_url=resource.image_url, status=ImageStatus.PENDING)
    assert _backfill(django_capture_on_commit_callbacks).queued == [resource.pk]


def test_a_pending_row_for_an_address_changed_behind_its_back_is_fetched_afresh(org, legacy, served, tasks_now,
                                                                               django_capture_on_commit_callbacks):
    resource = legacy(served.url("/p.png"))
    ResourceImage.objects.create(resource=resource, source_url="https://old.example/cover.png", attempts=3,
                                 status=ImageStatus.PENDING, queued_at=timezone.now() - dt.timedelta(days=2))
    assert _backfill(django_capture_on_commit_callbacks).queued == [resource.pk]
    image = ResourceImage.objects.get(resource=resource)
    assert (image.status, image.source_url) == (ImageStatus.READY, served.url("/p.png"))


def test_the_recurring_job_runs_again_while_pictures_wait_and_stops_after(org, legacy, served, settings,
                                                                           django_capture_on_commit_callbacks):
    from learnflow.account.tasks import recurring_kick
    from learnflow.library.tasks import resource_images_backfill_run

    resource = legacy(served.url("/p.png"))
    assert "resource picture backfill" in recurring_kick()
    assert "resource picture backfill" not in recurring_kick()  # queued already
    _queued(BACKFILL_TASK).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert resource_images_backfill_run.call() == {"queued": 1, "given_up": 0, "in_flight": 0}
    [nxt] = _queued(BACKFILL_TASK)
    assert nxt.run_after > timezone.now() + dt.timedelta(minutes=9)  # the fetch is waiting: look again later
    nxt.delete()
    services.resource_image_store(resource_id=resource.pk, url=resource.image_url)  # the worker ran the fetch
    assert resource_images_backfill_run.call()["queued"] == 0
    assert not _queued(BACKFILL_TASK).exists()  # nothing left: the chain stops until the next kick
    assert "resource picture backfill" not in recurring_kick()


def test_the_command_fetches_here_and_says_what_happened_to_each(org, legacy, served, capsys):
    served.routes["/gone.png"] = lambda h: (404, {}, b"")
    ok = legacy(served.url("/p.png"), title="With picture")
    gone = legacy(served.url("/gone.png"), title="Without")
    legacy(served.url("/p.png"), title="Next time")
    assert images_fetch_cli(limit=2, queue=False) == 0
    out = capsys.readouterr().out
    assert f"#{gone.pk} 'Without': failed (The image could not be fetched: The server answered 404.)" in out
    assert f"#{ok.pk} 'With picture': ready" not in out  # the limit: the two newest first
    assert "Fetched 2 pictures: 1 stored, 1 refused or unreachable (recorded, not retried). 1 more waiting." in out
    assert images_fetch_cli(limit=5, queue=False) == 0
    out = capsys.readouterr().out
    assert f"#{ok.pk} 'With picture': ready" in out and "None left waiting." in out
    assert ResourceImage.objects.get(resource=ok).status == ImageStatus.READY


def test_the_command_can_queue_for_the_worker_instead(org, legacy, served, capsys,
                                                     django_capture_on_commit_callbacks):
    legacy(served.url("/p.png"))
    with django_capture_on_commit_callbacks(execute=True):  # the command runs outside any transaction
        assert images_fetch_cli(limit=10, queue=True) == 0
    out = capsys.readouterr().out
    assert "'Incident reviews': queued" in out and "Queued 1 picture fetches. None left waiting." in out
    assert _queued(FETCH_TASK).count() == 1 and served.requests == []


def test_the_command_is_part_of_the_learnflow_command():
    from typer.testing import CliRunner

    from learnflow.cli import app

    result = CliRunner().invoke(app, ["library", "fetch-images", "--help"])
    assert result.exit_code == 0 and "--limit" in result.output and "--queue" in result.output
    assert CliRunner().invoke(app, ["library", "fetch-images", "--limit", "0"]).exit_code == 2
