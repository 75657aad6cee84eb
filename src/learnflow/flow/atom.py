"""The private Atom 1.0 feed of a person's flow (django.utils.feedgenerator writes valid Atom 1.0)."""
from __future__ import annotations

import html
import uuid
from typing import Any, Sequence

from django.conf import settings
from django.utils.feedgenerator import Atom1Feed

from learnflow.flow.sources import FlowItem


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _id(key: str) -> str:
    # A stable id per item and site that reveals nothing about it.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/flow/{key}").urn


def atom_document(*, person: Any, items: Sequence[FlowItem], self_url: str) -> bytes:
    feed = Atom1Feed(title=f"Learnflow: {person.display_name}'s flow", link=_absolute("/flow/"),
                     description="What was published in what you follow, and what colleagues shared with you.",
                     feed_url=self_url, feed_guid=_id(f"feed:{person.pk}"), language="en",
                     author_name="Learnflow")
    for item in items:
        summary = item.summary
        if item.note:
            summary = f"{item.note}\n\n{summary}".strip()
        # Atom's <summary type="html"> is HTML; a summary and a note are plain text (core.markdown.plain_text).
        feed.add_item(title=item.title, link=_absolute(item.url), description=html.escape(summary or item.title),
                      unique_id=_id(item.key), unique_id_is_permalink=False, pubdate=item.published_at,
                      updateddate=item.published_at, author_name=item.author or None, categories=[item.kind])
    return feed.writeString("utf-8").encode("utf-8")
