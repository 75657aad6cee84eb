from __future__ import annotations

from django.db.models import QuerySet

from learnflow.org.models import ApiToken, Team, User


def person_list(*, viewer: User) -> QuerySet[User]:
    """The directory: names, teams, roles and jobs are public inside the organisation."""
    return User.objects.filter(is_active=True).select_related("team", "manager").order_by("first_name", "username")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("parent").order_by("name")


def api_token_list(*, viewer: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=viewer).order_by("-created_at")


def direct_reports(*, viewer: User) -> QuerySet[User]:
    return User.objects.filter(manager=viewer, is_active=True).select_related("team").order_by("first_name")
