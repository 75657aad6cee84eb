"""Every write to the LRS: keys and statements."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from learnflow.lrs import indexing, jsonio, rawsql, validation
from learnflow.lrs.http import XapiError
from learnflow.lrs.models import (
    AttachmentBlob,
    LrsKey,
    Statement,
    StatementActivity,
    StatementAgent,
)

User = get_user_model()


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "http://localhost").rstrip("/")


# ----------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class IssuedKey:
    key: LrsKey
    secret: str

    def __str__(self) -> str:
        return f"{self.key.key}:{self.secret}"


@transaction.atomic
def lrs_key_create(*, owner: Any | None = None, org_tool: str = "", label: str = "",
                   scope: str = LrsKey.Scope.ALL, trusted: bool = False) -> IssuedKey:
    """A new key for a person (``owner``) or an organisation-level tool (``org_tool``).

    The secret is returned once and never stored.
    """
    if (owner is None) == (not org_tool):
        raise ValueError("give exactly one of owner or org_tool")
    key_id, secret = LrsKey.new_pair()
    key = LrsKey(key=key_id, secret_hash=LrsKey.hash_secret(secret), owner=owner, org_tool=org_tool.strip(),
                 label=label, scope=scope, trusted=trusted or bool(org_tool))
    key.full_clean()
    key.save()
    return IssuedKey(key, secret)


@transaction.atomic
def lrs_key_revoke(*, key: LrsKey, by: Any) -> LrsKey:
    if key.owner_id != getattr(by, "pk", None) and not getattr(by, "is_admin", False):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the key's owner or an admin can revoke it.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def authority_for(key: LrsKey) -> dict[str, Any]:
    if key.owner_id:
        owner = key.owner
        return {"objectType": "Agent", "name": owner.get_full_name() or owner.username,
                "account": {"homePage": _site_url(), "name": owner.username}}
    return {"objectType": "Agent", "name": key.org_tool,
            "account": {"homePage": f"{_site_url()}/xapi/tools", "name": key.org_tool}}


def person_ifis(user: Any) -> set[str]:
    ifis = {f"account:{_site_url()}|{user.username}"}
    if user.email:
        ifis.add("mbox:mailto:" + user.email.lower())
    return ifis


# ----------------------------------------------------------------------------- statements


def format_stored(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _same_statement(received: dict[str, Any], stored_json: str) -> bool:
    stored = json.loads(stored_json)
    received = copy.deepcopy(received)
    _normalise(received)
    ignore = {"stored", "authority", "version", "id", "timestamp"}
    if "timestamp" in received:
        ignore.discard("timestamp")
    strip = lambda s: {k: v for k, v in s.items() if k not in ignore}  # noqa: E731
    return strip(received) == strip(stored)


def _normalise(statement: dict[str, Any]) -> None:
    """Shapes the spec tells the LRS to return: contextActivities values always arrays."""
    for holder in (statement, statement["object"]):
        context = holder.get("context") if isinstance(holder, dict) else None
        if context and isinstance(context.get("contextActivities"), dict):
            context["contextActivities"] = {
                k: v if isinstance(v, list) else [v] for k, v in context["contextActivities"].items()
            }


def _link_people(rows: Sequence[tuple[dict, dict]]) -> None:
    """Set Statement.person when the actor is a Learnflow person (one indexed query per 500 actors)."""
    emails, usernames = set(), set()
    site = _site_url()
    for _, statement in rows:
        actor = statement["actor"]
        if "mbox" in actor:
            emails.add(actor["mbox"][7:].lower())
        elif "account" in actor and actor["account"]["homePage"].rstrip("/") == site:
            usernames.add(actor["account"]["name"])
    if not emails and not usernames:
        return
    # Raw SQL in chunks: the ORM spent longer building an IN list of 100 emails than the indexed lookup takes.
    qn = _connection().ops.quote_name
    head = f"SELECT {qn('id')}, {qn('email')}, {qn('username')} FROM {qn(User._meta.db_table)} WHERE "
    by_email, by_username = {}, {}
    # LOWER(email) is what the index org_user_email_lower holds: someone saved as Ann@example.com is linked too.
    found = (_select_in(head + f"LOWER({qn('email')}) IN ({{}})", sorted(emails)) if emails else []) + (
        _select_in(head + f"{qn('username')} IN ({{}})", sorted(usernames)) if usernames else [])
    for pk, email, username in found:
        by_email[(email or "").lower()] = pk
        by_username[username] = pk
    for row, statement in rows:
        actor = statement["actor"]
        if "mbox" in actor:
            row["person_id"] = by_email.get(actor["mbox"][7:].lower())
        elif "account" in actor:
            row["person_id"] = by_username.get(actor["account"]["name"])


_STATEMENT_COLUMNS = (
    "id", "stored", "timestamp", "verb_iri", "actor_ifi", "object_type", "object_iri", "object_statement",
    "registration", "voided", "is_voiding", "version", "key_id", "person_id", "full_json", "has_attachments",
)
_CHUNK = 500  # rows per multi-row INSERT: 8,000 parameters, well under SQLite's limit


def _connection() -> Any:
    return connections[router.db_for_write(Statement)]


class _DbValues:
    """Python values to database parameters for one connection, without building model instances
    (the ORM's per-field preparation cost more than the inserts themselves)."""

    def __init__(self, connection: Any) -> None:
        self.native_uuid = connection.features.has_native_uuid_field
        self._adapt = connection.ops.adapt_datetimefield_value
        # SQLite keeps naive UTC text: for an aware UTC value that is what Django would write, minus its checks.
        self._utc_text = connection.vendor == "sqlite" and settings.USE_TZ

    def datetime(self, value: dt.datetime) -> Any:
        if self._utc_text and value.tzinfo is dt.timezone.utc:
            return value.replace(tzinfo=None).isoformat(" ")
        return self._adapt(value)

    def uuid(self, value: uuid.UUID | None) -> Any:
        if value is None or self.native_uuid:
            return value
        return value.hex

    def key(self, value: Any) -> str:
        """How a UUID read back from the database is written in a dict key."""
        return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "")


_PG_STATEMENT_TYPES = (
    "uuid", "timestamptz", "timestamptz", "text", "text", "text", "text", "uuid", "uuid", "boolean", "boolean",
    "text", "bigint", "bigint", "text", "boolean",
)


def _insert_statements(rows: list[dict]) -> dict[str, int]:
    """Insert the batch's statement rows; answers seq by statement id (32 hex digits).

    PostgreSQL gets one INSERT … SELECT FROM unnest(…) per 500 rows: the same short statement for every
    batch, where a multi-row VALUES of 8,000 parameters was parsed and planned afresh each time. SQLite
    gets a multi-row VALUES, stepped in C (it has no arrays).
    """
    connection = _connection()
    db = _DbValues(connection)
    postgres = connection.vendor == "postgresql"
    qn = connection.ops.quote_name
    table = qn(Statement._meta.db_table)
    columns = ", ".join(qn(c) for c in _STATEMENT_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(_STATEMENT_COLUMNS)) + ")"
    adapt = db.datetime
    stored_cache: dict[dt.datetime, Any] = {}
    seqs: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start:start + _CHUNK]
            values = [
                (
                    db.uuid(row["id"]), stored_cache.get(row["stored"]) or stored_cache.setdefault(
                        row["stored"], adapt(row["stored"])), adapt(row["timestamp"]), row["verb_iri"],
                    row["actor_ifi"], row["object_type"], row["object_iri"], db.uuid(row["object_statement"]),
                    db.uuid(row["registration"]), row["voided"], row["is_voiding"], row["version"], row["key_id"],
                    row["person_id"], row["full_json"], row["has_attachments"],
                )
                for row in chunk
            ]
            returning = f" RETURNING {qn('seq')}, {qn('id')}"
            if postgres:
                arrays = ", ".join(f"%b::{t}[]" for t in _PG_STATEMENT_TYPES)
                # %b: binary parameters, no per-element quoting (rawsql's docstring).
                raw = rawsql.execute(cursor, f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"
                                     f"{returning}", [list(column) for column in zip(*values)])
            else:
                raw = rawsql.execute(cursor, f"INSERT INTO {table} ({columns}) VALUES "
                                     f"{', '.join([placeholders] * len(chunk))}{returning}",
                                     [v for row in values for v in row])
            seqs.update((db.key(raw_id), seq) for seq, raw_id in raw.fetchall())
    return seqs


def _insert_index_rows(model: type, column: str, rows: list[tuple[int, str, bool, Any]]) -> None:
    """(statement seq, ifi or iri, related, stored as a database parameter) rows, one statement."""
    if not rows:
        return
    connection = _connection()
    qn = connection.ops.quote_name
    head = (f"INSERT INTO {qn(model._meta.db_table)} "
            f"({qn('statement_id')}, {qn(column)}, {qn('related')}, {qn('stored')}) ")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement with four arrays: executemany would run one INSERT per row in the backend
            # (~5 per statement), which cost PostgreSQL more CPU than the app spent on the whole request.
            rawsql.execute(cursor, head + "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::boolean[], "
                                          "%b::timestamptz[])", [list(col) for col in zip(*rows)])
        else:
            # SQLite steps one prepared statement per row in C: as cheap as it gets there.
            rawsql.execute(cursor, head + "VALUES (%s, %s, %s, %s)", rows, many=True)


def _select_in(sql: str, values: list[Any]) -> list[tuple]:
    """Run ``sql`` (with one ``{}`` for an IN list) over ``values`` in chunks."""
    connection = _connection()
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            out += rawsql.execute(cursor, sql.format(", ".join(["%s"] * len(chunk))), chunk).fetchall()
    return out


def _may_void(key: LrsKey, *, owner_id: int | None, org_tool: str | None) -> bool:
    """Whether `key` may void a statement stored by a key with these owner/tool fields (both None: no key left,
    or Learnflow's own record). Being trusted to write about anyone (every organisation tool is) is not a right to
    retract another source's record: a key voids what its person's keys, or its tool's keys, stored."""
    if key.owner_id:
        return owner_id == key.owner_id
    return owner_id is None and bool(org_tool) and org_tool == key.org_tool


def _may_void_by(*, owner_id: int | None, org_tool: str | None, target_key: LrsKey) -> bool:
    """The same rule seen from the target's side: a voiding statement stored earlier by the key described."""
    if owner_id is not None:
        return target_key.owner_id == owner_id
    return target_key.owner_id is None and bool(org_tool) and target_key.org_tool == org_tool


# Stands for `stored` (and a missing `timestamp`) in a statement's JSON until the batch's write transaction opens.
# Statements cannot hold a NUL character (refused at the door), so its JSON form cannot occur in what a client sent.
_STORED_MARK = "\x00stored\x00"
_STORED_MARK_JSON = jsonio.dumps(_STORED_MARK)


def _stamp_stored(rows: list[tuple[dict, dict]]) -> dt.datetime:
    """Give the batch its `stored` time, just before its write transaction: on SQLite, where LRS writers queue one
    after another, `stored` then follows the order in which batches commit, so a reader polling with `since` (or
    paging with `more`) never misses a batch that committed later with an earlier time. Answers that time."""
    stored_at = timezone.now()
    text = format_stored(stored_at)
    quoted = jsonio.dumps(text)
    for row, full in rows:
        row["stored"] = stored_at
        if row["timestamp"] is None:
            row["timestamp"] = stored_at
            full["timestamp"] = text
        full["stored"] = text
        row["full_json"] = row["full_json"].replace(_STORED_MARK_JSON, quoted)
    return stored_at


def statements_store(*, key: LrsKey, statements: list[dict[str, Any]], version: str,
                     attachments: dict[str, tuple[str, bytes]] | None = None,
                     statement_id: str | None = None, validated: bool = False) -> tuple[list[str], int]:
    """Validate and store a batch, whole or not at all.

    Returns (ids in request order, number newly stored). ``statement_id`` is the
    PUT form's parameter; ``validated`` says the caller already ran
    ``validation.validate_statements`` on this batch for this version. Raises XapiError 400/403/409.
    """
    if not validated:
        try:
            validation.validate_statements(statements, version=version)
        except validation.ValidationError as exc:
            raise XapiError.from_validation(exc) from None
    if key.scope == LrsKey.Scope.READ:
        raise XapiError(403, "this key may only read statements")
    if key.owner_id and not key.trusted:
        allowed = person_ifis(key.owner)
        for i, statement in enumerate(statements):
            if indexing.agent_ifi(statement["actor"]) not in allowed:
                raise XapiError(403, "a person's key can only write statements whose actor is that person",
                                path=f"statements[{i}].actor")

    # `stored` is written when the transaction is about to open (see _stamp_stored); rows are built with a mark.
    stored_text = _STORED_MARK
    authority = authority_for(key)
    ids: list[str] = []
    seen: set[str] = set()
    for i, statement in enumerate(statements):
        if statement_id is not None:
            if "id" in statement and statement["id"].lower() != statement_id.lower():
                raise XapiError(400, "statementId parameter and the statement's id differ")
            statement["id"] = statement_id
        sid = statement.get("id", "").lower() or str(uuid.uuid4())
        if sid in seen:
            raise XapiError(400, f"statement id {sid} appears twice in the batch", path=f"statements[{i}].id")
        seen.add(sid)
        ids.append(sid)

    connection = _connection()
    db = _DbValues(connection)
    qn = connection.ops.quote_name
    table = qn(Statement._meta.db_table)
    uids = [uuid.UUID(sid) for sid in ids]
    existing = {db.key(raw_id): full_json for raw_id, full_json in _select_in(
        f"SELECT {qn('id')}, {qn('full_json')} FROM {table} WHERE {qn('id')} IN ({{}})",
        [db.uuid(u) for u in uids])}
    void_targets = []
    default_version = "2.0.0" if version.startswith("2.") else "1.0.0"
    key_pk = key.pk
    rows: list[tuple[dict, dict]] = []
    for sid, uid, statement in zip(ids, uids, statements):
        if uid.hex in existing:
            if not _same_statement(statement, existing[uid.hex]):
                raise XapiError(409, f"statement {sid} already exists with different content")
            continue
        full = dict(statement)
        _normalise(full)
        full["id"] = sid
        timestamp = full.setdefault("timestamp", stored_text)
        full["stored"] = stored_text
        full["authority"] = authority
        full.setdefault("version", default_version)
        object_type, object_iri, target = indexing.object_key(full)
        is_voiding = full["verb"]["id"] == validation.VOIDED_VERB
        if is_voiding:
            void_targets.append(target)
        context = full.get("context")
        registration = context.get("registration") if context else None
        rows.append((
            {
                "id": uid, "stored": None,
                "timestamp": None if timestamp is stored_text else validation.parse_timestamp(timestamp),
                "verb_iri": full["verb"]["id"], "actor_ifi": indexing.agent_ifi(full["actor"]) or "",
                "object_type": object_type, "object_iri": object_iri[:512],
                "object_statement": uuid.UUID(target) if target else None,
                "registration": uuid.UUID(registration) if registration else None,
                "voided": False, "is_voiding": is_voiding, "version": full["version"], "key_id": key_pk,
                "person_id": None,
                "full_json": jsonio.dumps(full),
                "has_attachments": bool(full.get("attachments")),
            },
            full,
        ))
    if not rows:
        return ids, 0
    if void_targets:
        voiding_targets = set(
            str(t) for t in Statement.objects.filter(id__in=void_targets, is_voiding=True).values_list("id", flat=True)
        )
        batch_voiding = {str(r["id"]) for r, _ in rows if r["is_voiding"]}
        if voiding_targets & set(void_targets) or batch_voiding & set(void_targets):
            raise XapiError(400, "a voiding statement cannot void another voiding statement")
        # Statement ids are not secret (shared records link to them): voiding needs the right to the target.
        for target, owner_id, org_tool in Statement.objects.filter(id__in=void_targets).values_list(
                "id", "key__owner_id", "key__org_tool"):
            if not _may_void(key, owner_id=owner_id, org_tool=org_tool):
                raise XapiError(403, f"this key may not void statement {target}: a key voids only what it, or "
                                     "another key of the same person or tool, stored", path="object.id")
    # A voiding statement may arrive before the statement it voids (the partial index answers this); it counts only
    # if its key could have voided this one.
    keys = qn(LrsKey._meta.db_table)
    already_voided = {db.key(target) for (target, owner_id, org_tool) in _select_in(
        f"SELECT s.{qn('object_statement')}, k.{qn('owner_id')}, k.{qn('org_tool')} "
        f"FROM {table} s LEFT JOIN {keys} k ON k.{qn('id')} = s.{qn('key_id')} "
        f"WHERE s.{qn('object_statement')} IS NOT NULL "
        f"AND s.{qn('object_statement')} IN ({{}}) AND s.{qn('is_voiding')}",
        [db.uuid(row["id"]) for row, _ in rows if not row["is_voiding"]])
        if _may_void_by(owner_id=owner_id, org_tool=org_tool, target_key=key)}
    if already_voided:
        for row, _ in rows:
            row["voided"] = row["id"].hex in already_voided
    _link_people(rows)
    agent_rows, activity_rows = [], []
    try:
        with rawsql.sqlite_write_queue(connection), transaction.atomic():
            stored_param = db.datetime(_stamp_stored(rows))
            seqs = _insert_statements([row for row, _ in rows])
            for (row, full) in rows:
                seq = seqs[row["id"].hex]
                agent_rows.extend((seq, ifi[:512], related, stored_param) for ifi, related in indexing.agent_rows(full))
                activity_rows.extend(
                    (seq, iri[:512], related, stored_param) for iri, related in indexing.activity_rows(full))
            _insert_index_rows(StatementAgent, "ifi", agent_rows)
            _insert_index_rows(StatementActivity, "iri", activity_rows)
            if void_targets:
                Statement.objects.filter(id__in=void_targets, is_voiding=False).update(voided=True)
            if apps.is_installed("learnflow.lrs_documents"):
                # The Activities resource returns the definitions statements carried.
                from learnflow.lrs_documents.services import activity_definitions_merge

                activity_definitions_merge(statements=[full for _, full in rows])
            if attachments:
                known = set(AttachmentBlob.objects.filter(sha2__in=list(attachments)).values_list("sha2", flat=True))
                AttachmentBlob.objects.bulk_create(
                    [AttachmentBlob(sha2=sha2, content_type=ct, content=content)
                     for sha2, (ct, content) in attachments.items() if sha2 not in known],
                    ignore_conflicts=True,
                )
    except IntegrityError:
        # Another request stored one of these ids between our check and our insert.
        raise XapiError(409, "one of these statement ids was stored concurrently; retry to compare") from None
    return ids, len(rows)
