from __future__ import annotations

from django import template

from learnflow.account.models import Notice

register = template.Library()


@register.inclusion_tag("account/_notices.html", takes_context=True)
def notices_badge(context):
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = Notice.objects.filter(user=user, read_at__isnull=True).count()
    return {"show": True, "unread": unread}
