"""Background work of the library: fetching a resource's picture, away from the curator's request (a slow or
hostile site never holds a web worker), and the recurring backfill of pictures never fetched."""
from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

log = logging.getLogger(__name__)

BACKFILL_EVERY = dt.timedelta(minutes=10)


@task()
def resource_image_fetch(resource_id: int, url: str) -> str:
    """Fetch, check and store the picture at `url` for the resource; a run for an address the resource no longer
    has changes nothing. Returns the outcome: ready, failed or stale."""
    from learnflow.library.services import resource_image_store

    return resource_image_store(resource_id=resource_id, url=url)


@task()
def resource_images_backfill_run() -> dict[str, int]:
    """The recurring job: queue a bounded batch of picture fetches for resources that have an image address but no
    picture and no recorded failure (`services.resource_images_backfill`), and run again in a while as long as any
    is left or waiting. The next run is queued whatever happens in this one: the chain does not die of one error."""
    from learnflow.library.services import resource_images_backfill

    try:
        done = resource_images_backfill()
    finally:
        _backfill_again()
    return {"queued": len(done.queued), "given_up": len(done.given_up), "in_flight": done.in_flight}


def _backfill_work_left() -> bool:
    from learnflow.library.models import ImageStatus, ResourceImage
    from learnflow.library.services import resources_without_image

    # Fetches still waiting count: one that never answers becomes the backfill's to queue again once it is stale.
    return (resources_without_image().exists()
            or ResourceImage.objects.filter(status=ImageStatus.PENDING).exclude(resource__image_url="").exists())


def _backfill_again() -> None:
    from learnflow.account.tasks import ensure_queued

    try:
        if _backfill_work_left():
            ensure_queued(resource_images_backfill_run, after=BACKFILL_EVERY, from_run=True)
    except Exception:  # noqa: BLE001 - the next kick (start-up, `learnflow nudges`) starts the chain again
        log.exception("could not queue the next picture backfill")


def resource_images_backfill_kick() -> bool:
    """For `recurring_kick`: start the backfill when some resource waits for its picture. Returns whether it was
    queued."""
    from learnflow.account.tasks import ensure_queued

    return _backfill_work_left() and ensure_queued(resource_images_backfill_run)
