"""`learnflow feeds ingest`: local feed files through the same path as fetched ones (services.feed_ingest)."""
from __future__ import annotations

from pathlib import Path

import typer

from learnflow.curation.fetcher import DEFAULT_MAX_BYTES


def feeds_ingest_cli(*, topic: str, files: list[Path]) -> int:
    """Ingest each file into the topic's inbox (the topic is created if it does not exist) and print, per file, the
    items taken and any error. Returns the number of files that failed (the command's exit status)."""
    from learnflow.curation.services import feed_ingest, topic_get_or_create

    target, created = topic_get_or_create(name=topic)
    if created:
        typer.echo(f"Created topic “{target.name}”.")
    failed = 0
    for path in files:
        try:
            size = path.stat().st_size
            if size > DEFAULT_MAX_BYTES:
                raise ValueError(f"larger than {DEFAULT_MAX_BYTES // (1024 * 1024)} MB")
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            failed += 1
            typer.secho(f"{path}: error: cannot read ({getattr(exc, 'strerror', None) or exc})", fg="red", err=True)
            continue
        result = feed_ingest(topic=target, data=data)
        line = f"{path}: {result.items_taken} taken, {result.duplicates} duplicates"
        if result.skipped:
            line += f", {result.skipped} without a link"
        if result.error:
            failed += 1
            typer.secho(f"{line}; error: {result.error}", fg="red", err=True)
        else:
            typer.echo(line)
    return failed
