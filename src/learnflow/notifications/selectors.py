from __future__ import annotations

from typing import Any

from learnflow.notifications.models import DEFAULT_CHANNEL, Channel, Kind, NotificationSetting


def settings_for(*, viewer: Any) -> dict[str, Any]:
    """{"default": channel or "", "kinds": [(kind, label, own channel or "", effective channel)]}."""
    rows = {s.kind: s.channel for s in NotificationSetting.objects.filter(user=viewer)}
    default = rows.get("", "")
    kinds = [(k.value, k.label, rows.get(k.value, ""), rows.get(k.value) or default or DEFAULT_CHANNEL[k.value])
             for k in Kind]
    return {"default": default, "kinds": kinds, "channels": Channel.choices}
