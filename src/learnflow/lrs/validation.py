"""Statement validation for xAPI 1.0.3 and xAPI 2.0 (IEEE 9274.1.1).

Pure Python, no Django: every function takes decoded JSON and either returns
nothing or raises :class:`ValidationError` with a message and the JSON path of
the offending value (``"statement.actor.mbox"``).

Public interface::

    validate_statement(data, version="2.0.0")          # a whole statement
    validate_statements(list_of_data, version=...)     # a POST batch; path says which one
    validate_agent / validate_group / validate_actor / validate_activity /
    validate_verb / validate_context / validate_result / validate_attachment
    validate_language_map / is_language_tag / is_iri / is_uuid / parse_timestamp

``version`` is the X-Experience-API-Version the client spoke ("1.0.3" or
"2.0.0"); it decides whether 2.0 additions (contextAgents, contextGroups,
"2.0.x" statement versions) are allowed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

INTERACTION_TYPES = frozenset(
    {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
     "sequencing", "likert", "numeric", "other"}
)
INTERACTION_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
AGENT_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")

# Allowed properties, as sets built once (checked for every object of every statement).
_AGENT_KEYS = frozenset(("objectType", "name", *AGENT_IFIS))
_GROUP_KEYS = frozenset(("objectType", "name", "member", *AGENT_IFIS))
_VERB_KEYS = frozenset(("id", "display"))
_ACTIVITY_KEYS = frozenset(("objectType", "id", "definition"))
_RESULT_KEYS = frozenset(("score", "success", "completion", "response", "duration", "extensions"))
_SCORE_KEYS = frozenset(("scaled", "raw", "min", "max"))
_DEFINITION_KEYS = frozenset(("name", "description", "type", "moreInfo", "extensions", "interactionType",
                              "correctResponsesPattern", *INTERACTION_COMPONENT_LISTS))
_CONTEXT_KEYS = frozenset(("registration", "instructor", "team", "contextActivities", "revision", "platform",
                           "language", "statement", "extensions"))
_CONTEXT_KEYS_V2 = _CONTEXT_KEYS | {"contextAgents", "contextGroups"}
_SUBSTATEMENT_KEYS = frozenset(("objectType", "actor", "verb", "object", "result", "context", "timestamp",
                                "attachments"))
_STATEMENT_KEYS = frozenset(("id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                             "authority", "version", "attachments"))


class ValidationError(ValueError):
    """A statement (or part of one) breaks an xAPI rule.

    ``message`` says what is wrong, ``path`` where (dotted JSON path).
    ``as_json()`` is the body the HTTP layer sends with a 400.
    """

    def __init__(self, message: str, path: str = "statement") -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path

    def as_json(self) -> dict[str, str]:
        return {"error": "invalid", "message": self.message, "path": self.path}


# --------------------------------------------------------------------------- primitives

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(\s*;.*)?$")
_VERSION_RE = re.compile(r"^(1\.0|2\.0)(\.\d+)?$")

# RFC 5646 language tag (well-formedness, not registry membership).
_LANGTAG_RE = re.compile(
    r"""^(?:
        (?P<langtag>
          (?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})   # language (+extlang)
          (?:-[A-Za-z]{4})?                                                  # script
          (?:-(?:[A-Za-z]{2}|[0-9]{3}))?                                     # region
          (?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*                     # variants
          (?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*                      # extensions
          (?:-[xX](?:-[A-Za-z0-9]{1,8})+)?                                   # private use
        )
        |[xX](?:-[A-Za-z0-9]{1,8})+                                          # private use only
        |(?:en-GB-oed|i-[A-Za-z]{2,8}|sgn-[A-Za-z]{2}-[A-Za-z]{2}|zh-[a-z]{3,5}) # grandfathered (approx.)
    )$""",
    re.VERBOSE,
)

_TIMESTAMP_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?P<tz>[Zz]|[+\-]\d{2}(?::?\d{2})?)?$"
)
_DURATION_RE = re.compile(
    r"^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$"
    r"|^P\d+(?:[.,]\d+)?W$"
)


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(_SCHEME_RE.match(value))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and bool(_LANGTAG_RE.match(value))


def parse_timestamp(value: Any, path: str = "timestamp") -> dt.datetime:
    """Parse an ISO 8601 / RFC 3339 timestamp into an aware UTC datetime.

    A timestamp without an offset is read as UTC (the spec says it SHOULD carry
    one); the "negative zero" offsets -00, -0000 and -00:00 are rejected as
    the spec requires.
    """
    if not isinstance(value, str):
        raise ValidationError("must be an ISO 8601 timestamp string", path)
    try:
        return _parse_utc(value)
    except _BadTimestamp as exc:
        raise ValidationError(str(exc), path) from None


class _BadTimestamp(ValueError):
    pass


# Ingest parses each timestamp twice (validating, then storing): the second time is a cache hit. Only successes
# are cached (lru_cache keeps no exceptions), and datetimes are immutable.
@functools.lru_cache(maxsize=1024)
def _parse_utc(value: str) -> dt.datetime:
    m = _TIMESTAMP_RE.match(value)
    if not m:
        raise _BadTimestamp(f"'{value}' is not an ISO 8601 timestamp")
    tz = m.group("tz")
    if tz and tz[0] == "-" and set(tz[1:].replace(":", "")) == {"0"}:
        raise _BadTimestamp("the -00:00 offset is not allowed")
    fraction = m.group("f") or ""
    try:
        if tz is None or tz in "Zz":
            tzinfo = dt.timezone.utc
        else:
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if hours > 23 or minutes > 59:
                raise ValueError("offset out of range")
            offset = dt.timedelta(hours=hours, minutes=minutes)
            tzinfo = dt.timezone(-offset if tz[0] == "-" else offset)
        parsed = dt.datetime(
            int(m.group("y")), int(m.group("mo")), int(m.group("d")),
            int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0),
            int((fraction + "000000")[:6]), tzinfo=tzinfo,
        )
        # A date at the edge of the calendar can leave it once moved to UTC (9999-12-31T23:59-14:00).
        return parsed.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise _BadTimestamp(f"'{value}' is not a valid date/time ({exc})") from None


# --------------------------------------------------------------------------- helpers


def _object(value: Any, path: str, *, allow_empty: bool = True) -> dict:
    # XAPI-00001 names empty objects, but the conformance suite itself requires
    # "definition": {} to be accepted, so only nulls are refused (in _keys).
    if not isinstance(value, dict):
        raise ValidationError("must be a JSON object", path)
    if not value and not allow_empty:
        raise ValidationError("must not be an empty object", path)
    return value


def _keys(value: dict, allowed: Iterable[str], path: str, required: Iterable[str] = ()) -> None:
    allowed = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
    # The common case (every key allowed, no null) in two C-level checks; the loop finds the first culprit.
    if not (value.keys() <= allowed and None not in value.values()):
        for key, item in value.items():
            if key not in allowed:
                raise ValidationError(f"unexpected property '{key}'", path)
            if item is None:
                raise ValidationError("must not be null", f"{path}.{key}")
    for key in required:
        if key not in value:
            raise ValidationError(f"'{key}' is required", path)


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ValidationError("must be a string", path)
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("must be true or false", path)
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError("must be a number", path)
    return value


def _iri(value: Any, path: str) -> str:
    if not is_iri(value):
        raise ValidationError("must be an IRI with a scheme", path)
    return value


def _uuid(value: Any, path: str) -> str:
    if not is_uuid(value):
        raise ValidationError("must be a UUID", path)
    return value


def validate_language_map(value: Any, path: str) -> None:
    _object(value, path, allow_empty=True)
    for tag, text in value.items():
        if not is_language_tag(tag):
            raise ValidationError(f"'{tag}' is not an RFC 5646 language tag", path)
        if not isinstance(text, str):
            raise ValidationError("language map values must be strings", f"{path}.{tag}")


def validate_extensions(value: Any, path: str) -> None:
    # Values inside extensions are free JSON, null included.
    _object(value, path, allow_empty=True)
    for key in value:
        if not is_iri(key):
            raise ValidationError(f"extension key '{key}' is not an IRI", path)


# --------------------------------------------------------------------------- actors


def _validate_account(value: Any, path: str) -> None:
    _object(value, path)
    _keys(value, ("homePage", "name"), path, required=("homePage", "name"))
    _iri(value["homePage"], f"{path}.homePage")
    _string(value["name"], f"{path}.name")


def _validate_ifis(value: dict, path: str) -> int:
    present = [key for key in AGENT_IFIS if key in value]
    if len(present) > 1:
        raise ValidationError(f"has more than one identifier ({', '.join(present)})", path)
    if "mbox" in value:
        mbox = _string(value["mbox"], f"{path}.mbox")
        if not mbox.startswith("mailto:") or not _EMAIL_RE.match(mbox[7:]):
            raise ValidationError("must be a mailto: IRI with an email address", f"{path}.mbox")
    if "mbox_sha1sum" in value:
        sha = _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
        if not _SHA1_RE.match(sha):
            raise ValidationError("must be a hex SHA-1 sum", f"{path}.mbox_sha1sum")
    if "openid" in value:
        _iri(value["openid"], f"{path}.openid")
    if "account" in value:
        _validate_account(value["account"], f"{path}.account")
    return len(present)


def validate_agent(value: Any, path: str = "agent", *, object_type_required: bool = False) -> None:
    _object(value, path)
    _keys(value, _AGENT_KEYS, path)
    if object_type_required or "objectType" in value:
        if value.get("objectType") != "Agent":
            raise ValidationError("objectType must be 'Agent'", f"{path}.objectType")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if _validate_ifis(value, path) != 1:
        raise ValidationError("an Agent needs exactly one of mbox, mbox_sha1sum, openid, account", path)


def validate_group(value: Any, path: str = "group") -> None:
    _object(value, path)
    _keys(value, _GROUP_KEYS, path)
    if value.get("objectType") != "Group":
        raise ValidationError("objectType must be 'Group'", f"{path}.objectType")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    identified = _validate_ifis(value, path) == 1
    if "member" in value:
        members = value["member"]
        if not isinstance(members, list):
            raise ValidationError("must be an array of Agents", f"{path}.member")
        for i, member in enumerate(members):
            validate_agent(member, f"{path}.member[{i}]")
    if not identified and not value.get("member"):
        raise ValidationError("an anonymous Group needs a non-empty 'member' list", path)


def validate_actor(value: Any, path: str = "actor") -> None:
    _object(value, path)
    if value.get("objectType") == "Group":
        validate_group(value, path)
    else:
        validate_agent(value, path)


# --------------------------------------------------------------------------- verb / activity


def validate_verb(value: Any, path: str = "verb") -> None:
    _object(value, path)
    _keys(value, _VERB_KEYS, path, required=("id",))
    _iri(value["id"], f"{path}.id")
    if "display" in value:
        validate_language_map(value["display"], f"{path}.display")


def _validate_interaction_components(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise ValidationError("must be an array of interaction components", path)
    seen: set[str] = set()
    for i, component in enumerate(value):
        cpath = f"{path}[{i}]"
        _object(component, cpath)
        _keys(component, ("id", "description"), cpath, required=("id",))
        cid = _string(component["id"], f"{cpath}.id")
        if cid in seen:
            raise ValidationError(f"duplicate interaction component id '{cid}'", f"{cpath}.id")
        seen.add(cid)
        if "description" in component:
            validate_language_map(component["description"], f"{cpath}.description")


def validate_activity_definition(value: Any, path: str) -> None:
    _object(value, path)
    _keys(value, _DEFINITION_KEYS, path)
    for key in ("name", "description"):
        if key in value:
            validate_language_map(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            _iri(value[key], f"{path}.{key}")
    if "extensions" in value:
        validate_extensions(value["extensions"], f"{path}.extensions")
    if "interactionType" in value and (
        not isinstance(value["interactionType"], str) or value["interactionType"] not in INTERACTION_TYPES
    ):
        raise ValidationError("is not an xAPI interaction type", f"{path}.interactionType")
    if "correctResponsesPattern" in value:
        if "interactionType" not in value:
            raise ValidationError("correctResponsesPattern needs an interactionType", f"{path}.correctResponsesPattern")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            raise ValidationError("must be an array of strings", f"{path}.correctResponsesPattern")
    for key in INTERACTION_COMPONENT_LISTS:
        if key in value:
            if "interactionType" not in value:
                raise ValidationError("interaction components need an interactionType", f"{path}.{key}")
            _validate_interaction_components(value[key], f"{path}.{key}")


def validate_activity(value: Any, path: str = "object") -> None:
    _object(value, path)
    _keys(value, _ACTIVITY_KEYS, path, required=("id",))
    if "objectType" in value and value["objectType"] != "Activity":
        raise ValidationError("objectType must be 'Activity'", f"{path}.objectType")
    _iri(value["id"], f"{path}.id")
    if "definition" in value:
        validate_activity_definition(value["definition"], f"{path}.definition")


def validate_statement_ref(value: Any, path: str) -> None:
    _object(value, path)
    _keys(value, ("objectType", "id"), path, required=("objectType", "id"))
    if value["objectType"] != "StatementRef":
        raise ValidationError("objectType must be 'StatementRef'", f"{path}.objectType")
    _uuid(value["id"], f"{path}.id")


# --------------------------------------------------------------------------- result / context


def validate_result(value: Any, path: str = "result") -> None:
    _object(value, path)
    _keys(value, _RESULT_KEYS, path)
    if "score" in value:
        score_path = f"{path}.score"
        score = _object(value["score"], score_path)
        _keys(score, _SCORE_KEYS, score_path)
        numbers = {key: _number(score[key], f"{score_path}.{key}") for key in score}
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            raise ValidationError("must be between -1 and 1", f"{score_path}.scaled")
        low, high = numbers.get("min"), numbers.get("max")
        if low is not None and high is not None and low > high:
            # Equal bounds are accepted (as the conformance suite does); Open edX sends 0/0.
            raise ValidationError("min must not exceed max", score_path)
        raw = numbers.get("raw")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            raise ValidationError("raw must lie between min and max", f"{score_path}.raw")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value:
        duration = _string(value["duration"], f"{path}.duration")
        if not _DURATION_RE.match(duration):
            raise ValidationError(f"'{duration}' is not an ISO 8601 duration", f"{path}.duration")
    if "extensions" in value:
        validate_extensions(value["extensions"], f"{path}.extensions")


def _validate_relevant_types(value: Any, path: str) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("must be a non-empty array of IRIs", path)
    for i, iri in enumerate(value):
        _iri(iri, f"{path}[{i}]")


def validate_context(value: Any, path: str = "context", *, version: str = "2.0.0",
                     object_is_activity: bool = True) -> None:
    _object(value, path)
    _keys(value, _CONTEXT_KEYS_V2 if _is_v2(version) else _CONTEXT_KEYS, path)
    if "registration" in value:
        _uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        validate_actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        validate_group(value["team"], f"{path}.team")
    if "contextActivities" in value:
        ca_path = f"{path}.contextActivities"
        activities = _object(value["contextActivities"], ca_path)
        for key, item in activities.items():
            if key not in CONTEXT_ACTIVITY_KEYS:
                raise ValidationError(f"unexpected property '{key}'", ca_path)
            items = item if isinstance(item, list) else [item]
            for i, activity in enumerate(items):
                validate_activity(activity, f"{ca_path}.{key}[{i}]")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if not object_is_activity:
                raise ValidationError(f"'{key}' is only allowed when the object is an Activity", f"{path}.{key}")
    if "language" in value and not is_language_tag(value["language"]):
        raise ValidationError("must be an RFC 5646 language tag", f"{path}.language")
    if "statement" in value:
        validate_statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        validate_extensions(value["extensions"], f"{path}.extensions")
    for key, inner, kind, check in (
        ("contextAgents", "agent", "contextAgent", validate_agent),
        ("contextGroups", "group", "contextGroup", validate_group),
    ):
        if key not in value:
            continue
        list_path = f"{path}.{key}"
        if not isinstance(value[key], list) or not value[key]:
            raise ValidationError("must be a non-empty array", list_path)
        for i, entry in enumerate(value[key]):
            epath = f"{list_path}[{i}]"
            _object(entry, epath)
            _keys(entry, ("objectType", inner, "relevantTypes"), epath, required=("objectType", inner))
            if entry["objectType"] != kind:
                raise ValidationError(f"objectType must be '{kind}'", f"{epath}.objectType")
            check(entry[inner], f"{epath}.{inner}")
            if "relevantTypes" in entry:
                _validate_relevant_types(entry["relevantTypes"], f"{epath}.relevantTypes")


# --------------------------------------------------------------------------- attachments / statement


def validate_attachment(value: Any, path: str = "attachment") -> None:
    _object(value, path)
    _keys(
        value,
        ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"),
        path,
        required=("usageType", "display", "contentType", "length", "sha2"),
    )
    _iri(value["usageType"], f"{path}.usageType")
    validate_language_map(value["display"], f"{path}.display")
    if "description" in value:
        validate_language_map(value["description"], f"{path}.description")
    content_type = _string(value["contentType"], f"{path}.contentType")
    if not _MEDIA_TYPE_RE.match(content_type):
        raise ValidationError("must be an Internet media type", f"{path}.contentType")
    length = value["length"]
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise ValidationError("must be a non-negative integer", f"{path}.length")
    if not _SHA2_RE.match(_string(value["sha2"], f"{path}.sha2")):
        raise ValidationError("must be a hex SHA-2 hash", f"{path}.sha2")
    if "fileUrl" in value:
        _iri(value["fileUrl"], f"{path}.fileUrl")


def _is_v2(version: str) -> bool:
    return version.startswith("2.")


def _validate_object(value: Any, path: str, *, version: str, in_substatement: bool) -> None:
    _object(value, path)
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        validate_activity(value, path)
    elif object_type == "Agent":
        validate_agent(value, path, object_type_required=True)
    elif object_type == "Group":
        validate_group(value, path)
    elif object_type == "StatementRef":
        validate_statement_ref(value, path)
    elif object_type == "SubStatement":
        if in_substatement:
            raise ValidationError("a SubStatement cannot contain a SubStatement", path)
        _validate_statement_body(value, path, version=version, substatement=True)
    else:
        raise ValidationError(f"unknown objectType '{object_type}'", f"{path}.objectType")


def _validate_statement_body(value: Any, path: str, *, version: str, substatement: bool) -> None:
    _object(value, path)
    _keys(value, _SUBSTATEMENT_KEYS if substatement else _STATEMENT_KEYS, path, required=("actor", "verb", "object"))
    if substatement and value.get("objectType") != "SubStatement":
        raise ValidationError("objectType must be 'SubStatement'", f"{path}.objectType")
    if "id" in value:
        _uuid(value["id"], f"{path}.id")
    validate_actor(value["actor"], f"{path}.actor")
    validate_verb(value["verb"], f"{path}.verb")
    _validate_object(value["object"], f"{path}.object", version=version, in_substatement=substatement)
    obj = value["object"]
    if value["verb"]["id"] == VOIDED_VERB and not substatement and obj.get("objectType") != "StatementRef":
        raise ValidationError("a voiding statement's object must be a StatementRef", f"{path}.object")
    if "result" in value:
        validate_result(value["result"], f"{path}.result")
    if "context" in value:
        validate_context(
            value["context"], f"{path}.context", version=version,
            object_is_activity=obj.get("objectType", "Activity") == "Activity",
        )
    for key in ("timestamp", "stored"):
        if key in value:
            parse_timestamp(value[key], f"{path}.{key}")
    if "authority" in value:
        _validate_authority(value["authority"], f"{path}.authority")
    if "version" in value:
        stmt_version = _string(value["version"], f"{path}.version")
        match = _VERSION_RE.match(stmt_version)
        if not match or (match.group(1) == "2.0" and not _is_v2(version)):
            raise ValidationError(f"unsupported xAPI version '{stmt_version}'", f"{path}.version")
    if "attachments" in value:
        attachments = value["attachments"]
        if not isinstance(attachments, list):
            raise ValidationError("must be an array", f"{path}.attachments")
        for i, attachment in enumerate(attachments):
            validate_attachment(attachment, f"{path}.attachments[{i}]")


def _validate_authority(value: Any, path: str) -> None:
    _object(value, path)
    if value.get("objectType") == "Group":
        validate_group(value, path)
        # A Group authority is the anonymous OAuth pair: consumer application + user.
        if any(k in value for k in AGENT_IFIS):
            raise ValidationError("a Group authority must be anonymous", path)
        if len(value.get("member") or ()) != 2:
            raise ValidationError("a Group authority must have exactly two members", f"{path}.member")
    else:
        validate_agent(value, path)


def validate_statement_object(value: Any, *, version: str = "2.0.0", path: str = "object") -> None:
    """Validate a statement's ``object`` (Activity, Agent, Group, StatementRef or SubStatement)."""
    _validate_object(value, path, version=version, in_substatement=False)


def validate_statement(value: Any, *, version: str = "2.0.0", path: str = "statement") -> None:
    """Raise ValidationError unless ``value`` is a valid xAPI statement."""
    _validate_statement_body(value, path, version=version, substatement=False)


def validate_statements(values: list, *, version: str = "2.0.0") -> None:
    v2 = _is_v2(version)
    for i, value in enumerate(values):
        if not _common_statement_ok(value, v2):
            validate_statement(value, version=version, path=f"statements[{i}]")


# --------------------------------------------------------------------------- the common shape, checked cheaply
#
# Most statements an LMS sends have one shape: an Agent with an mbox or account, a verb with a display, an Activity
# with a name/description/type, a result with a score, a context with a registration and context activities. For
# that shape ``_common_statement_ok`` checks the same rules as validate_statement with far fewer calls and no error
# paths built. It only ever answers True when validate_statement would accept; anything it does not know (another
# object type, extensions, attachments, instructor, a voiding verb …) or anything wrong answers False, and the full
# validator then runs and reports the error. tests/test_validation_fast_path.py checks that it is never looser.

_COMMON_STATEMENT_KEYS = frozenset(("id", "actor", "verb", "object", "result", "context", "timestamp", "version"))
_COMMON_DEFINITION_KEYS = frozenset(("name", "description", "type", "moreInfo"))
_COMMON_CONTEXT_KEYS = frozenset(("registration", "contextActivities", "revision", "platform", "language"))
_ACCOUNT_KEYS = frozenset(("homePage", "name"))
_COMMON_RESULT_KEYS = _RESULT_KEYS - {"extensions"}


# IRIs and language tags recur across statements (verbs, activities, courses, "en-US"): once one has matched its
# pattern it is remembered, up to a bound, so the next statement pays a set lookup instead of a regex.
_KNOWN_IRIS: set[str] = set()
_KNOWN_TAGS: set[str] = set()
_KNOWN_MAX = 50_000


def _iri_ok(value: Any) -> bool:
    if type(value) is not str:
        return False
    if value in _KNOWN_IRIS:
        return True
    if _SCHEME_RE.match(value):
        if len(_KNOWN_IRIS) < _KNOWN_MAX:
            _KNOWN_IRIS.add(value)
        return True
    return False


def _tag_ok(value: Any) -> bool:
    if type(value) is not str:
        return False
    if value in _KNOWN_TAGS:
        return True
    if _LANGTAG_RE.match(value):
        if len(_KNOWN_TAGS) < _KNOWN_MAX:
            _KNOWN_TAGS.add(value)
        return True
    return False


def _plain(value: Any, allowed: frozenset) -> bool:
    """A JSON object with only allowed keys and no null value (what _object and _keys check)."""
    return type(value) is dict and value.keys() <= allowed and None not in value.values()


def _language_map_ok(value: Any) -> bool:
    if type(value) is not dict:
        return False
    for tag, text in value.items():
        if type(text) is not str or not _tag_ok(tag):
            return False
    return True


def _activity_ok(value: Any) -> bool:
    if not _plain(value, _ACTIVITY_KEYS) or value.get("objectType", "Activity") != "Activity":
        return False
    if not _iri_ok(value.get("id")):
        return False
    definition = value.get("definition")
    if definition is None:
        return "definition" not in value
    if not _plain(definition, _COMMON_DEFINITION_KEYS):
        return False
    for key in ("name", "description"):
        if key in definition and not _language_map_ok(definition[key]):
            return False
    for key in ("type", "moreInfo"):
        if key in definition and not _iri_ok(definition[key]):
            return False
    return True


def _agent_ok(value: Any) -> bool:
    if not _plain(value, _AGENT_KEYS) or value.get("objectType", "Agent") != "Agent":
        return False
    if "name" in value and type(value["name"]) is not str:
        return False
    if "mbox_sha1sum" in value or "openid" in value or ("mbox" in value) == ("account" in value):
        return False
    if "mbox" in value:
        mbox = value["mbox"]
        return type(mbox) is str and mbox.startswith("mailto:") and bool(_EMAIL_RE.match(mbox[7:]))
    account = value["account"]
    return (_plain(account, _ACCOUNT_KEYS) and len(account) == 2 and _iri_ok(account["homePage"])
            and type(account["name"]) is str)


def _number_ok(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _result_ok(value: Any) -> bool:
    if not _plain(value, _COMMON_RESULT_KEYS):
        return False
    if "score" in value:
        score = value["score"]
        if not _plain(score, _SCORE_KEYS) or not all(_number_ok(v) for v in score.values()):
            return False
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            return False
        low, high, raw = score.get("min"), score.get("max"), score.get("raw")
        if low is not None and high is not None and low > high:
            return False
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            return False
    for key in ("success", "completion"):
        if key in value and type(value[key]) is not bool:
            return False
    if "response" in value and type(value["response"]) is not str:
        return False
    if "duration" in value:
        duration = value["duration"]
        if type(duration) is not str or not _DURATION_RE.match(duration):
            return False
    return True


def _context_ok(value: Any) -> bool:
    if not _plain(value, _COMMON_CONTEXT_KEYS):
        return False
    if "registration" in value and (type(value["registration"]) is not str or not _UUID_RE.match(value["registration"])):
        return False
    if "contextActivities" in value:
        activities = value["contextActivities"]
        if type(activities) is not dict or not activities.keys() <= CONTEXT_ACTIVITY_KEYS:
            return False
        for item in activities.values():
            for activity in item if type(item) is list else (item,):
                if not _activity_ok(activity):
                    return False
    for key in ("revision", "platform"):
        if key in value and type(value[key]) is not str:
            return False
    if "language" in value and not _tag_ok(value["language"]):
        return False
    return True


def _common_statement_ok(value: Any, v2: bool) -> bool:
    if not _plain(value, _COMMON_STATEMENT_KEYS) or "actor" not in value or "verb" not in value:
        return False
    if "id" in value and (type(value["id"]) is not str or not _UUID_RE.match(value["id"])):
        return False
    if not _agent_ok(value["actor"]):
        return False
    verb = value["verb"]
    if not _plain(verb, _VERB_KEYS) or not _iri_ok(verb.get("id")):
        return False
    if verb["id"] == VOIDED_VERB or ("display" in verb and not _language_map_ok(verb["display"])):
        return False
    if "object" not in value or not _activity_ok(value["object"]):
        return False
    if "result" in value and not _result_ok(value["result"]):
        return False
    if "context" in value and not _context_ok(value["context"]):
        return False
    if "timestamp" in value:
        timestamp = value["timestamp"]
        if type(timestamp) is not str:
            return False
        try:
            _parse_utc(timestamp)
        except _BadTimestamp:
            return False
    if "version" in value:
        version = value["version"]
        match = _VERSION_RE.match(version) if type(version) is str else None
        if not match or (match.group(1) == "2.0" and not v2):
            return False
    return True
