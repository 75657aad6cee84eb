"""Opening and completing a resource as xAPI statements in the person's own record (private, like the rest)."""
from __future__ import annotations

from typing import Any

EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"

# ADL activity types where one fits; Learnflow's profile for the internal page (a how-to, checklist or job aid).
_ACTIVITY_TYPES = {
    "link": "http://adlnet.gov/expapi/activities/link",
    "video": "http://adlnet.gov/expapi/activities/media",
    "audio": "http://adlnet.gov/expapi/activities/media",
    "document": "http://adlnet.gov/expapi/activities/file",
}


def resource_object(obj: Any) -> dict[str, Any]:
    from django.conf import settings

    from learnflow.library.models import ResourceStatus
    from learnflow.record import emit

    site = settings.SITE_URL.rstrip("/")
    # The title only while published: a statement stays, a draft's title is its author's business.
    name = obj.title if obj.status == ResourceStatus.PUBLISHED else "Library resource"
    return {"objectType": "Activity", "id": f"{site}{obj.get_absolute_url()}",
            "definition": {"type": _ACTIVITY_TYPES.get(obj.kind, f"{emit.PROFILE_BASE}/activities/library-page"),
                           "name": {"en": name[:300]}}}


def register() -> None:
    from learnflow.record import emit

    emit.VERBS.setdefault("experienced", (EXPERIENCED, "experienced"))
    emit.VERBS.setdefault("completed", (COMPLETED, "completed"))
    emit.OBJECT_TYPES["library.resource"] = resource_object
