"""Operations: configuration check, online backup and restore (placeholder until the ops module lands)."""
from __future__ import annotations

from pathlib import Path


def config_check() -> list[tuple[str, str]]:
    return []


def backup_create(*, target: Path) -> str:
    raise NotImplementedError


def backup_restore(*, source: Path) -> str:
    raise NotImplementedError
