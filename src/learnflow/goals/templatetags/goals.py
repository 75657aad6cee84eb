from django import template

from learnflow.goals.selectors import endorsement_open_count

register = template.Library()


@register.simple_tag(takes_context=True)
def goals_open_requests(context) -> int:
    """How many endorsement requests wait for the signed-in person (for a badge beside the nav link)."""
    request = context.get("request")
    return endorsement_open_count(viewer=getattr(request, "user", None))
