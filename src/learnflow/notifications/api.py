"""/api/notifications: the caller's email choices per kind."""
from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from learnflow.notifications import selectors, services

router = Router(tags=["notifications"])

ChannelName = Literal["immediately", "daily", "never", ""]


class KindSetting(Schema):
    kind: str
    label: str
    channel: str  # the person's own choice for this kind, "" when it follows the default
    effective: str


class SettingsOut(Schema):
    default: str
    kinds: list[KindSetting]


class SettingsIn(Schema):
    default: ChannelName | None = None
    kinds: dict[str, ChannelName] = {}


def _out(user) -> dict:
    current = selectors.settings_for(viewer=user)
    return {"default": current["default"],
            "kinds": [{"kind": k, "label": label, "channel": own, "effective": eff}
                      for k, label, own, eff in current["kinds"]]}


@router.get("/settings", response=SettingsOut)
def settings_get(request: HttpRequest):
    return _out(request.user)


@router.put("/settings", response=SettingsOut)
def settings_put(request: HttpRequest, payload: SettingsIn):
    choices = dict(payload.kinds)
    if payload.default is not None:
        choices[""] = payload.default
    services.settings_update(user=request.user, choices=choices)
    return _out(request.user)
