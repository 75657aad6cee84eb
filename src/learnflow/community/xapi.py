"""Posting and replying as xAPI statements (through record/emit.py).

Verbs: `posted` → Activity Streams `post`; `replied` → ADL `commented`. Objects: a community post
(`{PROFILE_BASE}/activities/community-post`) and a reply (`…/community-reply`), identified by urn:uuid / a site URL
without the community's name. A statement cannot be taken back, so the post's title goes into it only when the
community is open; closed and hidden communities' posts are named just "Community post".
"""
from __future__ import annotations

from typing import Any

from django.conf import settings


def _post_object(obj: Any) -> dict[str, Any]:
    from learnflow.record import emit

    name = obj.label if obj.community.is_public else "Community post"
    return {"objectType": "Activity", "id": f"urn:uuid:{obj.uid}",
            "definition": {"type": f"{emit.PROFILE_BASE}/activities/community-post", "name": {"en": name}}}


def _reply_object(obj: Any) -> dict[str, Any]:
    from learnflow.record import emit

    site = settings.SITE_URL.rstrip("/")
    return {"objectType": "Activity", "id": f"{site}/communities/replies/{obj.pk}",
            "definition": {"type": f"{emit.PROFILE_BASE}/activities/community-reply",
                           "name": {"en": "Reply in a community"}}}


def register() -> None:
    from learnflow.record import emit

    emit.VERBS.setdefault("posted", ("http://activitystrea.ms/schema/1.0/post", "posted"))
    emit.VERBS.setdefault("replied", ("http://adlnet.gov/expapi/verbs/commented", "commented on"))
    emit.OBJECT_TYPES["community.post"] = _post_object
    emit.OBJECT_TYPES["community.reply"] = _reply_object
