"""Background work of the library: fetching a resource's picture, away from the curator's request (a slow or
hostile site never holds a web worker)."""
from __future__ import annotations

from django_tasks import task


@task()
def resource_image_fetch(resource_id: int, url: str) -> str:
    """Fetch, check and store the picture at `url` for the resource; a run for an address the resource no longer
    has changes nothing. Returns the outcome: ready, failed or stale."""
    from learnflow.library.services import resource_image_store

    return resource_image_store(resource_id=resource_id, url=url)
