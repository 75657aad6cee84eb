"""What a statement mentions, in the shape the index tables store it.

Pure functions over validated statement dicts; no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def agent_ifi(agent: dict[str, Any]) -> str | None:
    """A stable key for an Agent or identified Group, or None for an anonymous Group."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"].lower()
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return None


def _agent_rows(agent: dict[str, Any], related: bool) -> Iterator[tuple[str, bool]]:
    ifi = agent_ifi(agent)
    if ifi:
        yield ifi, related
    for member in agent.get("member") or ():
        member_ifi = agent_ifi(member)
        if member_ifi:
            yield member_ifi, True


def _context_activity_ids(context: dict[str, Any]) -> Iterator[str]:
    for value in (context.get("contextActivities") or {}).values():
        for activity in value if isinstance(value, list) else [value]:
            yield activity["id"]


def _context_agents(context: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("instructor", "team"):
        if key in context:
            yield context[key]
    for entry in context.get("contextAgents") or ():
        yield entry["agent"]
    for entry in context.get("contextGroups") or ():
        yield entry["group"]


def agent_rows(statement: dict[str, Any]) -> set[tuple[str, bool]]:
    """(ifi, related) pairs: actor and an Agent/Group object are not 'related' (they match ``agent=``)."""
    rows: set[tuple[str, bool]] = set()
    rows.update(_agent_rows(statement["actor"], False))
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type in ("Agent", "Group"):
        rows.update(_agent_rows(obj, False))
    elif object_type == "SubStatement":
        rows.update(_agent_rows(obj["actor"], True))
        if obj["object"].get("objectType") in ("Agent", "Group"):
            rows.update(_agent_rows(obj["object"], True))
        for agent in _context_agents(obj.get("context") or {}):
            rows.update(_agent_rows(agent, True))
    if "authority" in statement:
        rows.update(_agent_rows(statement["authority"], True))
    for agent in _context_agents(statement.get("context") or {}):
        rows.update(_agent_rows(agent, True))
    # A pair present as both (x, False) and (x, True) only needs the stronger row.
    return {(ifi, related) for ifi, related in rows if not (related and (ifi, False) in rows)}


def activity_rows(statement: dict[str, Any]) -> set[tuple[str, bool]]:
    rows: set[tuple[str, bool]] = set()
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        rows.add((obj["id"], False))
    elif object_type == "SubStatement":
        if obj["object"].get("objectType", "Activity") == "Activity":
            rows.add((obj["object"]["id"], True))
        rows.update((iri, True) for iri in _context_activity_ids(obj.get("context") or {}))
    rows.update((iri, True) for iri in _context_activity_ids(statement.get("context") or {}))
    return {(iri, related) for iri, related in rows if not (related and (iri, False) in rows)}


def object_key(statement: dict[str, Any]) -> tuple[str, str, str | None]:
    """(object_type, object_iri, statement_ref_id)."""
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return object_type, obj["id"], None
    if object_type in ("Agent", "Group"):
        return object_type, agent_ifi(obj) or "", None
    if object_type == "StatementRef":
        return object_type, "", obj["id"].lower()
    return object_type, "", None
