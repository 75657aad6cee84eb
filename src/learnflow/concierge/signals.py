"""Notes for the expertise index: when something it reads from another app is saved or deleted, a row in
`ExpertiseChange` tells every app server's index to look at that item again before its next use (expertise.py).
Connected in apps.ConciergeConfig.ready, so journal, library, goals and record need not know about the concierge.
"""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def _note(source_type: str, field: str = "pk"):
    def receiver(sender, instance, **kwargs):
        from learnflow.concierge.models import ExpertiseChange

        if kwargs.get("raw"):          # loading fixtures
            return
        # A new item that nobody else may see cannot be anyone's visible expertise: most quick captures are
        # private, and they need not pay for a change row.
        if kwargs.get("created") and getattr(instance, "visibility", None) == "private":
            return
        source_id = getattr(instance, field)
        if source_id is not None:
            ExpertiseChange.objects.create(source_type=source_type, source_id=source_id)

    return receiver


# (model, what the index calls it, the field naming the item): kept here so the receivers stay referenced.
_WATCHED = (
    ("journal.Entry", "entry", "pk"),
    ("library.Resource", "resource", "pk"),
    ("goals.Goal", "goal", "pk"),
    ("goals.Evidence", "evidence", "pk"),
    ("goals.EndorsementRequest", "endorsement", "pk"),
    ("record.StatementShare", "statement", "statement_id"),
)
_receivers = []


def connect() -> None:
    from django.apps import apps

    for label, source_type, field in _WATCHED:
        model = apps.get_model(label)
        receiver = _note(source_type, field)
        _receivers.append(receiver)
        uid = f"concierge-expertise-{label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + "-delete")
