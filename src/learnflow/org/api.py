from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["people"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    team: str | None
    manager: str | None
    availability: str


@router.get("/me", response=MeOut, summary="Who the token belongs to")
def me(request: HttpRequest):
    u = request.user
    return {"id": u.pk, "username": u.username, "name": u.display_name, "role": u.role,
            "team": u.team.name if u.team_id else None,
            "manager": u.manager.username if u.manager_id else None, "availability": u.availability}
