"""`learnflow library fetch-images`: the pictures backfill, run from a terminal (services.resource_images_backfill)."""
from __future__ import annotations

import typer


def images_fetch_cli(*, limit: int, queue: bool) -> int:
    """Fetch (or, with `queue`, queue for the worker) the pictures of at most `limit` resources that have an image
    address but no picture and no recorded failure, and print what happened to each. Returns the exit status: 1
    when a fetch broke on our side (the resource stays waiting, for the next run), else 0 — a site refusing or
    serving no usable picture is that resource's outcome, not the command's failure."""
    from learnflow.library.models import Resource, ResourceImage
    from learnflow.library.services import resource_images_backfill, resources_without_image

    done = resource_images_backfill(limit=limit, inline=not queue)
    if not (done.queued or done.given_up):
        waiting = f" ({done.in_flight} fetches queued and still waiting)" if done.in_flight else ""
        typer.echo(f"No resource is waiting for its picture{waiting}.")
        return 0
    touched = done.queued + done.given_up
    titles = dict(Resource.objects.filter(pk__in=touched).values_list("pk", "title"))
    notes = dict(ResourceImage.objects.filter(resource_id__in=touched).values_list("resource_id", "note"))
    for resource_id in done.queued:
        outcome = done.outcomes.get(resource_id, "queued")
        line = f"#{resource_id} {titles.get(resource_id, '')!r}: {outcome}"
        if outcome == "failed" and notes.get(resource_id):
            line += f" ({notes[resource_id]})"
        typer.secho(line, fg="red" if outcome == "error" else None, err=outcome == "error")
    for resource_id in done.given_up:
        typer.echo(f"#{resource_id} {titles.get(resource_id, '')!r}: given up ({notes.get(resource_id, '')})")
    counts = {k: sum(1 for v in done.outcomes.values() if v == k) for k in ("ready", "failed", "stale", "error")}
    if queue:
        summary = f"Queued {len(done.queued)} picture fetches"
        if done.in_flight:
            summary += f" ({done.in_flight} queued before and still waiting)"
    else:
        summary = (f"Fetched {len(done.queued)} pictures: {counts['ready']} stored, {counts['failed']} refused or "
                   f"unreachable (recorded, not retried)")
        if counts["stale"]:
            summary += f", {counts['stale']} changed meanwhile"
        if counts["error"]:
            summary += f", {counts['error']} broke (left waiting)"
    if done.given_up:
        summary += f"; gave up on {len(done.given_up)} that never got an answer"
    left = resources_without_image().count()
    typer.echo(summary + (f". {left} more waiting." if left else ". None left waiting."))
    return 1 if counts["error"] else 0
