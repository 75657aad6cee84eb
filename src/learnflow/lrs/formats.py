"""The statement shapes GET can return: ``exact`` (as stored), ``ids`` and ``canonical``."""

from __future__ import annotations

import copy
from typing import Any

_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    out = {k: agent[k] for k in ("objectType", *_IFI_KEYS) if k in agent}
    if agent.get("objectType") == "Group" and not any(k in agent for k in _IFI_KEYS):
        out["member"] = [_agent_ids(m) for m in agent.get("member") or ()]
    return out


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return {"id": obj["id"]}
    if object_type in ("Agent", "Group"):
        return _agent_ids(obj)
    if object_type == "SubStatement":
        return _statement_ids(obj)
    return dict(obj)


def _context_ids(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _agent_ids(out[key])
    if "contextActivities" in out:
        out["contextActivities"] = {
            key: [{"id": a["id"]} for a in (v if isinstance(v, list) else [v])]
            for key, v in out["contextActivities"].items()
        }
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        if key in out:
            out[key] = [{**entry, inner: _agent_ids(entry[inner])} for entry in out[key]]
    return out


def _statement_ids(statement: dict[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    out["actor"] = _agent_ids(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    out["object"] = _object_ids(statement["object"])
    if "authority" in out:
        out["authority"] = _agent_ids(out["authority"])
    if "context" in out:
        out["context"] = _context_ids(out["context"])
    return out


def to_ids(statement: dict[str, Any]) -> dict[str, Any]:
    return _statement_ids(statement)


def _pick_language(lang_map: dict[str, str], accept: list[str]) -> dict[str, str]:
    if not lang_map:
        return lang_map
    lowered = {k.lower(): k for k in lang_map}
    for wanted in accept:
        wanted = wanted.lower()
        if wanted in lowered:
            key = lowered[wanted]
            return {key: lang_map[key]}
        for low, key in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {key: lang_map[key]}
    if "und" in lang_map:
        return {"und": lang_map["und"]}
    key = next(iter(lang_map))
    return {key: lang_map[key]}


_LANG_MAP_KEYS = {"display", "name", "description"}


def _canonical(value: Any, accept: list[str], parent: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "extensions":
                out[key] = item
            elif key in _LANG_MAP_KEYS and isinstance(item, dict) and all(isinstance(v, str) for v in item.values()):
                out[key] = _pick_language(item, accept)
            else:
                out[key] = _canonical(item, accept, key)
        return out
    if isinstance(value, list):
        return [_canonical(item, accept, parent) for item in value]
    return value


def parse_accept_language(header: str | None) -> list[str]:
    if not header:
        return []
    weighted = []
    for part in header.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for bit in bits[1:]:
            if bit.strip().startswith("q="):
                try:
                    q = float(bit.strip()[2:])
                except ValueError:
                    q = 0.0
        weighted.append((q, tag))
    return [tag for q, tag in sorted(weighted, key=lambda pair: -pair[0]) if q > 0]


def to_canonical(statement: dict[str, Any], accept: list[str]) -> dict[str, Any]:
    return _canonical(copy.deepcopy(statement), accept)
