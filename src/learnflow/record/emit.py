"""Learnflow's own events as xAPI statements.

Verbs come from published vocabularies where one fits (ADL's `shared`, Activity Streams' `create`), and from the
Learnflow profile otherwise (IRIs under PROFILE_BASE, documented in docs/LRS.md). Each app adds its object types to
OBJECT_TYPES as it grows (goals, resources, campaigns, events)."""
from __future__ import annotations

import logging
import uuid
from typing import Any, Callable

from django.conf import settings
from django.db import DatabaseError, models, transaction

from learnflow.core.models import Event

log = logging.getLogger(__name__)

PROFILE_BASE = getattr(settings, "LEARNFLOW_XAPI_PROFILE", "https://learnflow.dev/xapi")
SYSTEM_TOOL = "Learnflow"

VERBS: dict[str, tuple[str, str]] = {
    "logged": ("http://activitystrea.ms/schema/1.0/create", "logged"),
    "shared": ("http://adlnet.gov/expapi/verbs/shared", "shared"),
    "reflected": (f"{PROFILE_BASE}/verbs/reflected", "reflected on"),
    "reviewed": (f"{PROFILE_BASE}/verbs/reviewed-week", "reviewed the week of"),
    "set": ("http://activitystrea.ms/schema/1.0/create", "set"),
    "achieved": ("http://adlnet.gov/expapi/verbs/completed", "achieved"),
    "evidenced": (f"{PROFILE_BASE}/verbs/evidenced", "added evidence to"),
}


def _entry_object(obj: Any) -> dict[str, Any]:
    # No title: a statement cannot be taken back, but an entry can go back to private. The id is enough for the
    # owner's record to point at the entry.
    return {"objectType": "Activity", "id": f"urn:uuid:{obj.uid}",
            "definition": {"type": f"{PROFILE_BASE}/activities/journal-entry", "name": {"en": "Journal entry"}}}


def _review_object(obj: Any) -> dict[str, Any]:
    site = settings.SITE_URL.rstrip("/")
    return {"objectType": "Activity", "id": f"{site}/journal/week/?week={obj.week_start.isoformat()}&review={obj.pk}",
            "definition": {"type": f"{PROFILE_BASE}/activities/weekly-review",
                           "name": {"en": f"Week of {obj.week_start.isoformat()}"}}}


def _goal_object(obj: Any) -> dict[str, Any]:
    # Like entries: no title, since a goal can go back to private.
    return {"objectType": "Activity", "id": f"urn:uuid:{obj.uid}",
            "definition": {"type": f"{PROFILE_BASE}/activities/development-goal",
                           "name": {"en": "Development goal"}}}


def _stretch_object(obj: Any) -> dict[str, Any]:
    site = settings.SITE_URL.rstrip("/")
    return {"objectType": "Activity", "id": f"{site}/development/stretch/{obj.pk}/",
            "definition": {"type": f"{PROFILE_BASE}/activities/stretch-assignment",
                           "name": {"en": "Stretch assignment"}}}


OBJECT_TYPES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "journal.entry": _entry_object,
    "journal.weeklyreview": _review_object,
    "goals.goal": _goal_object,
    "development.stretchassignment": _stretch_object,
}


def actor_for(user: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": user.display_name,
            "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": user.username}}


def build_statement(event: Event, obj: models.Model) -> dict[str, Any] | None:
    verb = VERBS.get(event.verb)
    make_object = OBJECT_TYPES.get(event.object_type)
    if verb is None or make_object is None:
        return None
    extensions = {f"{PROFILE_BASE}/extensions/{k}": v for k, v in sorted(event.data.items()) if isinstance(v, str)}
    context: dict[str, Any] = {"platform": "Learnflow", "language": "en"}
    if extensions:
        context["extensions"] = extensions
    return {
        "id": str(uuid.uuid4()),
        "actor": actor_for(event.actor),
        "verb": {"id": verb[0], "display": {"en-US": verb[1]}},
        "object": make_object(obj),
        "context": context,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
    }


def system_key():
    from learnflow.lrs.models import LrsKey
    from learnflow.lrs.services import lrs_key_create

    key = LrsKey.objects.filter(org_tool=SYSTEM_TOOL, revoked_at__isnull=True).order_by("pk").first()
    # The secret is thrown away: this key only signs Learnflow's own statements, it never logs in.
    return key or lrs_key_create(org_tool=SYSTEM_TOOL, label="Learnflow's own events").key


def statement_from_event(event: Event, obj: models.Model) -> None:
    statement = build_statement(event, obj)
    if statement is None:
        return
    from learnflow.lrs.services import statements_store

    try:
        # A savepoint: the person's own action must never fail because its record could not be written.
        with transaction.atomic():
            statements_store(key=system_key(), statements=[statement], version="1.0.3")
    except (DatabaseError, Exception) as exc:  # noqa: BLE001 - logged, and the person's write goes on
        log.exception("could not record %s %s as an xAPI statement: %s", event.verb, event.object_type, exc)
