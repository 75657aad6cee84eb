"""`learnflow digests [--now]`: build and send the digests that are due (wired from src/learnflow/cli.py)."""
from __future__ import annotations

import typer


def digests_send(*, now: bool = False) -> None:
    """With now=True build and send here and print what was done; otherwise queue the task for the worker (it
    then re-queues itself hourly)."""
    if now:
        from learnflow.flow.services import digests_send_due

        run = digests_send_due()
        typer.echo(f"{run.digests} digests built ({run.items} items) for {run.people} people due; "
                   f"{run.emailed} emailed.")
        return
    from learnflow.flow.tasks import _already_queued, digests_send as task

    if _already_queued():
        typer.echo("The digests are queued already.")
        return
    typer.echo(f"Queued the digests (task {task.enqueue().id}).")
