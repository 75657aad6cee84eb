"""Every write of the xAPI document resources, and the canonical Activity definitions.

Concurrency rules (xAPI 1.0.3 Communication 3.1, xAPI 2.0 §4.1.4), applied to all
three document resources:

* ``If-Match`` (PUT, POST, DELETE): 412 unless the document exists and one of the
  listed ETags (or ``*``) is its current ETag (strong comparison).
* ``If-None-Match`` (PUT, POST, DELETE): 412 when the document exists and the
  header is ``*`` or lists its current ETag.
* PUT with neither header on an existing document: 409, in both versions (the
  2.0 text keeps 1.0.3's 409; ADL's 2.0 suite tests exactly that).
* PUT with neither header on a *new* Activity or Agent Profile document: 400
  under 1.0.3 (what ADL's 1.0.3 suite requires), 428 Precondition Required under
  2.0 (the same rule expressed with the status RFC 6585 made for it). The State
  resource accepts it: clients write state without reading it first.

POST merges JSON objects (top-level keys of the posted object replace the
existing ones); anything else when a document exists is a 400 and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from learnflow.lrs import jsonio
from learnflow.lrs.http import XapiError, etag_for
from learnflow.lrs_documents.models import Activity, Document, DocumentKind, address_hash

DEFAULT_CONTENT_TYPE = "application/octet-stream"


# ----------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class DocumentAddress:
    """Where a document lives. ``document_id`` is None when addressing a whole scope."""

    kind: DocumentKind
    document_id: str | None = None
    activity_iri: str = ""
    agent_ifi: str = ""
    registration: uuid.UUID | None = None

    @property
    def key(self) -> str:
        if self.document_id is None:
            raise ValueError("a scope address has no document key")
        return address_hash(self.kind, self.activity_iri, self.agent_ifi, str(self.registration or ""),
                            self.document_id)

    @property
    def scope(self) -> str:
        return address_hash(self.kind, self.activity_iri, self.agent_ifi)


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def absent(self) -> bool:
        return self.if_match is None and self.if_none_match is None


@dataclass(frozen=True)
class Upload:
    content: bytes
    content_type: str = ""  # the Content-Type header as sent, parameters included

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.media_type == "application/json"


# ----------------------------------------------------------------------------- preconditions


def _etags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def _weak_equal(tag: str, etag: str) -> bool:
    return tag.removeprefix("W/") == etag


def preconditions_check(*, preconditions: Preconditions, current: Document | None, method: str, version: str,
                        kind: DocumentKind) -> None:
    etag = current.etag if current is not None else None
    if preconditions.if_match is not None:
        tags = _etags(preconditions.if_match)
        # If-Match uses the strong comparison: a weak tag never matches.
        if etag is None or ("*" not in tags and etag not in tags):
            raise XapiError(412, "If-Match does not match the document's current ETag"
                            + ("" if etag is not None else " (there is no such document)"))
    if preconditions.if_none_match is not None and etag is not None:
        tags = _etags(preconditions.if_none_match)
        if "*" in tags or any(_weak_equal(tag, etag) for tag in tags):
            raise XapiError(412, "If-None-Match: the document exists with a listed ETag")
    if method != "PUT" or not preconditions.absent:
        return
    if current is not None:
        raise XapiError(409, "the document already exists: GET it, then PUT with If-Match set to its ETag "
                             "(or POST to merge JSON)")
    if kind != DocumentKind.STATE:
        if version.startswith("2."):
            raise XapiError(428, "a profile PUT needs If-Match (to replace) or If-None-Match: * (to create)")
        raise XapiError(400, "a profile PUT needs If-Match (to replace) or If-None-Match: * (to create)")


# ----------------------------------------------------------------------------- writes


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = jsonio.strict_loads(content)
    except (UnicodeDecodeError, ValueError):
        raise XapiError(400, f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise XapiError(400, f"{what} is not a JSON object, so it cannot be merged")
    return value


def _check_json(upload: Upload) -> None:
    if not upload.is_json:
        return
    try:
        jsonio.strict_loads(upload.content)
    except (UnicodeDecodeError, ValueError):
        raise XapiError(400, "the document says it is application/json but is not valid JSON") from None


def _locked(address: DocumentAddress) -> Document | None:
    return Document.objects.select_for_update().filter(key=address.key).first()


def _save(address: DocumentAddress, current: Document | None, content: bytes, content_type: str) -> Document:
    document = current or Document(
        kind=address.kind, key=address.key, scope=address.scope, activity_iri=address.activity_iri,
        agent_ifi=address.agent_ifi, registration=address.registration, document_id=address.document_id,
    )
    document.content = content
    document.content_type = content_type or DEFAULT_CONTENT_TYPE
    document.etag = etag_for(content)
    document.updated = timezone.now()
    document.save()
    return document


def _write(address: DocumentAddress, apply: Callable[[Document | None], Document]) -> Document:
    """Run ``apply(current) -> Document`` under a row lock; a concurrent first write of the same
    document makes our insert fail, and one retry then sees that document (and its preconditions)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return apply(_locked(address))
        except IntegrityError:
            if attempt:
                raise XapiError(409, "the document was written concurrently; retry") from None
    raise AssertionError("unreachable")


def document_put(*, address: DocumentAddress, upload: Upload, preconditions: Preconditions,
                 version: str) -> Document:
    _check_json(upload)

    def apply(current: Document | None) -> Document:
        preconditions_check(preconditions=preconditions, current=current, method="PUT", version=version,
                            kind=address.kind)
        return _save(address, current, upload.content, upload.content_type)

    return _write(address, apply)


def document_post(*, address: DocumentAddress, upload: Upload, preconditions: Preconditions,
                  version: str) -> Document:
    _check_json(upload)

    def apply(current: Document | None) -> Document:
        preconditions_check(preconditions=preconditions, current=current, method="POST", version=version,
                            kind=address.kind)
        if current is None:
            return _save(address, None, upload.content, upload.content_type)
        if not upload.is_json:
            raise XapiError(400, "a POST to an existing document merges JSON: send application/json")
        if not current.is_json:
            raise XapiError(400, "the existing document is not application/json, so it cannot be merged")
        merged = _json_object(bytes(current.content), "the existing document")
        merged.update(_json_object(upload.content, "the posted document"))
        content = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return _save(address, current, content, current.content_type)

    return _write(address, apply)


def document_delete(*, address: DocumentAddress, preconditions: Preconditions, version: str) -> None:
    """Delete one document. Deleting a document that is not there succeeds (DELETE is idempotent),
    unless If-Match asked for it to exist."""
    with transaction.atomic():
        current = _locked(address)
        preconditions_check(preconditions=preconditions, current=current, method="DELETE", version=version,
                            kind=address.kind)
        if current is not None:
            current.delete()


def documents_delete(*, address: DocumentAddress) -> int:
    """Delete every document of a scope (the State resource's DELETE without stateId).

    Without a registration this is all state for the activity and agent, whatever
    its registration; with one, only that registration's.
    """
    qs = Document.objects.filter(scope=address.scope)
    if address.registration is not None:
        qs = qs.filter(registration=address.registration)
    deleted, _ = qs.delete()
    return deleted


# ----------------------------------------------------------------------------- activity definitions

_LANGUAGE_MAPS = ("name", "description")


def definition_merge(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """The newer definition wins property by property; language maps and extensions are merged
    key by key so that a statement in French does not erase the English name."""
    merged = dict(current)
    for prop, value in incoming.items():
        if prop in (*_LANGUAGE_MAPS, "extensions") and isinstance(value, dict) and isinstance(merged.get(prop), dict):
            merged[prop] = {**merged[prop], **value}
        else:
            merged[prop] = value
    return merged


def _context_activities(context: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for value in (context.get("contextActivities") or {}).values():
        yield from value if isinstance(value, list) else [value]


def _mentioned_activities(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    obj = statement.get("object") or {}
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        yield obj
    elif object_type == "SubStatement":
        yield from _mentioned_activities(obj)
    yield from _context_activities(statement.get("context") or {})


def activity_definitions_merge(*, statements: Iterable[dict[str, Any]]) -> int:
    """Fold the Activity definitions carried by newly stored statements into the canonical ones.

    Meant to be called by the statements resource inside the transaction that stores
    the batch (statements already validated). The usual case, definitions the LRS
    already has, costs one SELECT and writes nothing. Activities the LRS has not seen
    are inserted with their definition in one ``INSERT … ON CONFLICT DO NOTHING``; those
    another batch inserted meanwhile, and known ones whose definition changes, are locked
    and merged again under the lock, so that two batches adding different languages at
    once both keep theirs. Rows are inserted and locked in ``iri_hash`` order so that
    concurrent batches cannot deadlock. Returns the number of activities whose canonical
    definition changed.
    """
    incoming: dict[str, dict[str, Any]] = {}
    for statement in statements:
        for activity in _mentioned_activities(statement):
            definition = activity.get("definition")
            if isinstance(definition, dict) and definition and isinstance(activity.get("id"), str):
                iri = activity["id"]
                incoming[iri] = definition_merge(incoming[iri], definition) if iri in incoming else definition
    if not incoming:
        return 0
    by_hash = {Activity.hash_iri(iri): iri for iri in incoming}
    ordered = sorted(by_hash)
    # Chunks in hash order keep every lock taken in increasing order, and the parameters under SQLite's limit.
    return sum(_definitions_merge_chunk({h: by_hash[h] for h in ordered[i:i + 2000]}, incoming)
               for i in range(0, len(ordered), 2000))


def _definitions_merge_chunk(by_hash: dict[str, str], incoming: dict[str, dict[str, Any]]) -> int:
    connection = connections[router.db_for_write(Activity)]
    qn = connection.ops.quote_name
    table = qn(Activity._meta.db_table)
    hashes = list(by_hash)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn('iri_hash')}, {qn('definition')} FROM {table} WHERE {qn('iri_hash')} IN "
                       f"({', '.join(['%s'] * len(hashes))})", hashes)
        known = {h: _json_value(d) for h, d in cursor.fetchall()}
    stale = sorted(h for h, d in known.items() if definition_merge(d, incoming[by_hash[h]]) != d)
    new = [h for h in hashes if h not in known]
    if not stale and not new:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    changed = 0
    with connection.cursor() as cursor:
        if new:
            cursor.execute(
                f"INSERT INTO {table} ({qn('iri_hash')}, {qn('iri')}, {qn('definition')}, {qn('updated')}) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(new))
                + f" ON CONFLICT ({qn('iri_hash')}) DO NOTHING RETURNING {qn('iri_hash')}",
                [v for h in new for v in (h, by_hash[h], json.dumps(incoming[by_hash[h]]), now)],
            )
            inserted = {h for (h,) in cursor.fetchall()}
            changed += len(inserted)
            # Another batch inserted these first: merge into what it wrote, under the lock.
            stale = sorted({*stale, *(h for h in new if h not in inserted)})
        if stale:
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(
                f"SELECT {qn('iri_hash')}, {qn('definition')} FROM {table} WHERE {qn('iri_hash')} IN "
                f"({', '.join(['%s'] * len(stale))}) ORDER BY {qn('iri_hash')}{lock}", stale)
            updates = []
            for h, raw in cursor.fetchall():
                current = _json_value(raw)
                merged = definition_merge(current, incoming[by_hash[h]])
                if merged != current:
                    updates.append((json.dumps(merged), now, h))
            if updates:
                cursor.executemany(
                    f"UPDATE {table} SET {qn('definition')} = %s, {qn('updated')} = %s WHERE {qn('iri_hash')} = %s",
                    updates)
            changed += len(updates)
    return changed


def _json_value(raw: Any) -> Any:
    # Every batch reads back the definitions of the activities it mentions: orjson, as for request bodies.
    return jsonio.loads(raw) if isinstance(raw, (str, bytes)) else raw
