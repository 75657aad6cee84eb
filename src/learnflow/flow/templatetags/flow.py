"""`{% load flow %}{% flow_follow topic=topic %}` (or curator=person, or source="community" ref=c.pk label=c.name):
a follow / unfollow button any page can include. It posts to flow:follow and is swapped in place with htmx."""
from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def follow_context(user: Any, *, topic: Any = None, curator: Any = None, source: str = "", ref: Any = "",
                   label: str = "") -> dict:
    from learnflow.flow import selectors
    from learnflow.flow.services import is_followable_curator

    if topic is not None:
        name, field, value = label or topic.name, "topic", topic.pk
    elif curator is not None:
        name, field, value = label or curator.display_name, "curator", curator.pk
    else:
        name, field, value = label or f"this {source}", "source", source
    following = selectors.is_following(viewer=user, topic=topic, curator=curator, source=source, ref=str(ref))
    shown = bool(user is not None and user.is_authenticated
                 and (curator is None or (curator.pk != user.pk and is_followable_curator(curator))))
    return {"shown": shown, "following": following, "name": name, "field": field, "value": value,
            "ref": str(ref) if source else "", "dom_id": f"follow-{field}-{value}-{ref}".replace(" ", "-"),
            "label": label}


@register.inclusion_tag("flow/_follow.html", takes_context=True)
def flow_follow(context, *, topic: Any = None, curator: Any = None, source: str = "", ref: Any = "",
                label: str = "") -> dict:
    request = context.get("request")
    data = follow_context(getattr(request, "user", None), topic=topic, curator=curator, source=source, ref=ref,
                          label=label)
    data["next"] = request.get_full_path() if request is not None else ""
    return data
