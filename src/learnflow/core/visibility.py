"""Who may see what: the one module that decides.

Every owned thing in Learnflow (journal entries today; goals, evidence and portfolios later) has an owner and a
`visibility`. Selectors never write their own rules: they call `visible_q` (for a queryset) or `can_see` (for one
object already loaded), and both are derived from the same table below so they cannot drift apart.

    private       the owner only
    manager       the owner and the owner's manager
    team          the owner, the owner's manager, and people in the owner's team
    organisation  every active person

Roles give no extra reading rights: an admin, a manager or L&D sees another person's private things through no
page or endpoint. They see aggregates, never over fewer than MIN_AGGREGATE_GROUP people.
"""
from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

MIN_AGGREGATE_GROUP = 5


class Visibility(models.TextChoices):
    PRIVATE = "private", "Only me"
    MANAGER = "manager", "My manager"
    TEAM = "team", "My team"
    ORGANISATION = "organisation", "Everyone in the organisation"


def _is_reader(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active)


def visible_q(viewer: Any, *, owner: str = "author", field: str = "visibility") -> Q:
    """A filter for the rows `viewer` may see, on any model with an owner foreign key and a visibility field."""
    if not _is_reader(viewer):
        return Q(pk__in=[])
    q = Q(**{owner: viewer.pk})
    q |= Q(**{field: Visibility.ORGANISATION})
    q |= Q(**{f"{field}__in": [Visibility.MANAGER, Visibility.TEAM], f"{owner}__manager_id": viewer.pk})
    if viewer.team_id:
        q |= Q(**{field: Visibility.TEAM, f"{owner}__team_id": viewer.team_id})
    return q


def shared_with_q(viewer: Any, *, owner: str = "author", field: str = "visibility") -> Q:
    """What others shared with `viewer` (what `visible_q` allows, minus the viewer's own)."""
    return visible_q(viewer, owner=owner, field=field) & ~Q(**{owner: getattr(viewer, "pk", None)})


def can_see(viewer: Any, *, owner: Any, visibility: str) -> bool:
    """The same rule as `visible_q`, for one object whose owner is already loaded."""
    if not _is_reader(viewer) or owner is None:
        return False
    if owner.pk == viewer.pk:
        return True
    if visibility == Visibility.ORGANISATION:
        return True
    if visibility in (Visibility.MANAGER, Visibility.TEAM) and owner.manager_id == viewer.pk:
        return True
    return visibility == Visibility.TEAM and viewer.team_id is not None and owner.team_id == viewer.team_id


def aggregate_allowed(group_size: int) -> bool:
    return group_size >= MIN_AGGREGATE_GROUP


class VisibleQuerySet(models.QuerySet):
    """Queryset for owned content. `visible_to` is the normal way in; `unrestricted` is for code that must
    look different on purpose (owner-only exports, the person's own data download, maintenance commands)."""

    owner_field = "author"

    def visible_to(self, viewer: Any) -> "VisibleQuerySet":
        return self.filter(visible_q(viewer, owner=self.owner_field))

    def owned_by(self, viewer: Any) -> "VisibleQuerySet":
        return self.filter(**{self.owner_field: viewer})

    def shared_with(self, viewer: Any) -> "VisibleQuerySet":
        return self.filter(shared_with_q(viewer, owner=self.owner_field))

    def unrestricted(self) -> "VisibleQuerySet":
        return self.all()
