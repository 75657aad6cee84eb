from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from django.db import models

from learnflow.core.models import Event, Skill, Tag

# Other apps (the LRS) subscribe here to turn Learnflow's own events into xAPI statements in the same transaction.
_event_listeners: list[Callable[[Event, models.Model], None]] = []


def event_listener_add(listener: Callable[[Event, models.Model], None]) -> None:
    if listener not in _event_listeners:
        _event_listeners.append(listener)


def event_record(*, actor: Any, verb: str, obj: models.Model, data: dict | None = None) -> Event:
    event = Event.objects.create(
        actor=actor, verb=verb, object_type=obj._meta.label_lower, object_id=str(obj.pk), data=data or {}
    )
    for listener in _event_listeners:
        listener(event, obj)
    return event


def _unique(names: Iterable[str], normalise: Callable[[str], str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        clean = normalise(name)
        if clean:
            seen.setdefault(clean, None)
    return list(seen)


def tag_get_or_create_many(*, names: Sequence[str]) -> list[Tag]:
    wanted = _unique(names, Tag.normalise)
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    return [existing[n] for n in wanted]


def skill_get_or_create_many(*, names: Sequence[str]) -> list[Skill]:
    wanted = _unique(names, Skill.normalise)
    existing = {s.name.lower(): s for s in Skill.objects.filter(name__in=wanted)}
    for name in wanted:
        if name.lower() not in existing:
            skill = Skill.objects.filter(name__iexact=name).first() or Skill.objects.create(name=name)
            existing[name.lower()] = skill
    return [existing[n.lower()] for n in wanted]


def split_names(text: str) -> list[str]:
    """'python, sql  #data' → ['python', 'sql', 'data']: how people type tags and skills in one field."""
    parts: list[str] = []
    for chunk in (text or "").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if chunk:
            parts.append(chunk)
    return parts
