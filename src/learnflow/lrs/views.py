"""xAPI HTTP resources owned by this app: /about and /statements."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from learnflow.lrs import attachments as att
from learnflow.lrs import formats, selectors, services, validation
from learnflow.lrs.http import (
    SUPPORTED_VERSIONS,
    XapiError,
    XapiRequest,
    http_date,
    json_response,
    parse_agent_param,
    xapi_endpoint,
)
from learnflow.lrs.models import AttachmentBlob, Statement

STATEMENT_GET_PARAMS = {
    "statementId", "voidedStatementId", "agent", "verb", "activity", "registration", "related_activities",
    "related_agents", "since", "until", "limit", "format", "attachments", "ascending", "more",
}
SINGLE_PARAMS_ALLOWED = {"statementId", "voidedStatementId", "format", "attachments"}
MAX_BODY = 50 * 1024 * 1024


@xapi_endpoint(methods=("GET",), version_required=False, auth_required=False)
def about(xreq: XapiRequest) -> HttpResponse:
    return json_response({
        "version": list(SUPPORTED_VERSIONS),
        "extensions": {"https://learnflow.dev/xapi/extensions/lrs": {"name": "Learnflow LRS"}},
    })


def _consistency_headers(xreq: XapiRequest, last_modified: dt.datetime | None = None) -> dict[str, str]:
    headers = {"X-Experience-API-Consistent-Through": services.format_stored(timezone.now())}
    if xreq.v2 and last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    return headers


@xapi_endpoint(methods=("GET", "PUT", "POST"), consistent_through=True)
def statements(xreq: XapiRequest) -> HttpResponse:
    if xreq.method == "GET":
        return _statements_get(xreq)
    return _statements_write(xreq)


# ----------------------------------------------------------------------------- writes


def _read_body(xreq: XapiRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    if len(xreq.body) > MAX_BODY:
        raise XapiError(413, "request body is too large")
    if xreq.content_type == "multipart/mixed":
        data, parts = att.split_statement_parts(xreq.body, xreq.headers.get("Content-Type", ""))
        return data, {sha: (p.headers.get("content-type", "application/octet-stream"), p.content)
                      for sha, p in parts.items()}
    if xreq.content_type not in ("application/json", ""):
        raise XapiError(400, f"Content-Type {xreq.content_type} is not accepted here: use application/json "
                             "or multipart/mixed")
    return xreq.json(), {}


def _statements_write(xreq: XapiRequest) -> HttpResponse:
    unknown = set(xreq.params) - {"statementId"}
    if unknown:
        raise XapiError(400, f"unexpected parameters: {', '.join(sorted(unknown))}")
    data, blobs = _read_body(xreq)
    if xreq.method == "PUT":
        statement_id = xreq.params.get("statementId")
        if not statement_id:
            raise XapiError(400, "PUT needs a statementId parameter")
        if not validation.is_uuid(statement_id):
            raise XapiError(400, "statementId is not a UUID")
        if not isinstance(data, dict):
            raise XapiError(400, "PUT takes a single statement")
        batch = [data]
    else:
        if "statementId" in xreq.params:
            raise XapiError(400, "POST takes no statementId parameter")
        statement_id = None
        batch = data if isinstance(data, list) else [data]
        if not all(isinstance(s, dict) for s in batch):
            raise XapiError(400, "the body must be a statement or an array of statements")
    try:
        validation.validate_statements(batch, version=xreq.version)
    except validation.ValidationError as exc:
        raise XapiError.from_validation(exc) from None
    if blobs or any(s.get("attachments") for s in batch):
        parts = {sha: att.Part({"content-type": ct}, content) for sha, (ct, content) in blobs.items()}
        att.match_attachments(batch, parts)
        att.verify_signatures(batch, parts)
    ids, _ = services.statements_store(key=xreq.key, statements=batch, version=xreq.version,
                                       attachments=blobs, statement_id=statement_id, validated=True)
    if xreq.method == "PUT":
        response = HttpResponse(status=204)
    else:
        response = json_response(ids)
    for name, value in _consistency_headers(xreq).items():
        response[name] = value
    return response


# ----------------------------------------------------------------------------- reads


def _bool_param(xreq: XapiRequest, name: str) -> bool:
    value = xreq.params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XapiError(400, f"parameter '{name}' must be true or false")
    return value == "true"


def _time_param(xreq: XapiRequest, name: str) -> dt.datetime | None:
    value = xreq.params.get(name)
    if value is None:
        return None
    try:
        return validation.parse_timestamp(value, name)
    except validation.ValidationError as exc:
        raise XapiError.from_validation(exc) from None


def _render(statement_json: str, fmt: str, accept: list[str]) -> dict[str, Any]:
    data = json.loads(statement_json)
    if fmt == "ids":
        return formats.to_ids(data)
    if fmt == "canonical":
        return formats.to_canonical(data, accept)
    return data


def _statements_get(xreq: XapiRequest) -> HttpResponse:
    params = xreq.params
    unknown = set(params) - STATEMENT_GET_PARAMS
    if unknown:
        raise XapiError(400, f"unexpected parameters: {', '.join(sorted(unknown))}")
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise XapiError(400, "format must be exact, ids or canonical")
    want_attachments = _bool_param(xreq, "attachments")
    accept = formats.parse_accept_language(xreq.headers.get("Accept-Language"))

    single = [p for p in ("statementId", "voidedStatementId") if p in params]
    if single:
        if len(single) == 2 or set(params) - SINGLE_PARAMS_ALLOWED:
            raise XapiError(400, "statementId/voidedStatementId can only be combined with format and attachments")
        row = selectors.statement_get(key=xreq.key, statement_id=params[single[0]],
                                      voided=single[0] == "voidedStatementId")
        if row is None:
            raise XapiError(404, "no such statement")
        body = _render(row.full_json, fmt, accept)
        return _respond(xreq, body, [row] if want_attachments else None, row.stored)

    if "more" in params:
        if len(params) > 1 and set(params) - {"more", "format", "attachments"}:
            raise XapiError(400, "'more' takes no other filter parameters")
        filters, after = selectors.decode_more(params["more"])
    else:
        filters, after = _filters_from_params(xreq), None
    rows, more = selectors.statement_query(key=xreq.key, filters=filters, after=after)
    more_url = ""
    if more:
        more_url = xreq.django.path + "?more=" + more
        extra = {k: params[k] for k in ("format", "attachments") if k in params}
        more_url += "".join(f"&{k}={v}" for k, v in extra.items())
    latest = max((r.stored for r in rows), default=None)
    if fmt == "exact" and not want_attachments:
        # The stored text is already the compact JSON json_response would write: splice it in as it is.
        text = ('{"statements":[' + ",".join(r.full_json for r in rows) + '],"more":'
                + json.dumps(more_url, ensure_ascii=False) + "}")
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        for name, value in _consistency_headers(xreq, latest or timezone.now()).items():
            response[name] = value
        return response
    body = {"statements": [_render(r.full_json, fmt, accept) for r in rows], "more": more_url}
    return _respond(xreq, body, [r for r in rows if r.has_attachments] if want_attachments else None, latest)


def _filters_from_params(xreq: XapiRequest) -> selectors.StatementFilters:
    params = xreq.params
    f = selectors.StatementFilters()
    agent = parse_agent_param(xreq, "agent")
    if agent is not None:
        f.agent_ifi = selectors.agent_filter_ifi(agent)
    if "verb" in params:
        if not validation.is_iri(params["verb"]):
            raise XapiError(400, "verb must be an IRI")
        f.verb = params["verb"]
    if "activity" in params:
        if not validation.is_iri(params["activity"]):
            raise XapiError(400, "activity must be an IRI")
        f.activity = params["activity"]
    if "registration" in params:
        try:
            f.registration = uuid.UUID(params["registration"])
        except ValueError:
            raise XapiError(400, "registration must be a UUID") from None
    f.related_activities = _bool_param(xreq, "related_activities")
    f.related_agents = _bool_param(xreq, "related_agents")
    f.ascending = _bool_param(xreq, "ascending")
    f.since = _time_param(xreq, "since")
    f.until = _time_param(xreq, "until")
    if "limit" in params:
        try:
            f.limit = int(params["limit"])
        except ValueError:
            raise XapiError(400, "limit must be a non-negative integer") from None
        if f.limit < 0:
            raise XapiError(400, "limit must be a non-negative integer")
    return f


def _respond(xreq: XapiRequest, body: dict[str, Any], with_attachments: list[Statement] | None,
             last_modified: dt.datetime | None) -> HttpResponse:
    """JSON, or (``attachments=true``: ``with_attachments`` is a list, possibly empty) multipart/mixed."""
    headers = _consistency_headers(xreq, last_modified or timezone.now())
    if with_attachments is None:
        return json_response(body, headers=headers)
    hashes: list[str] = []
    for row in with_attachments:
        for attachment in json.loads(row.full_json).get("attachments") or ():
            if "fileUrl" not in attachment or AttachmentBlob.objects.filter(sha2=attachment["sha2"].lower()).exists():
                hashes.append(attachment["sha2"].lower())
    blobs = {b.sha2: b for b in AttachmentBlob.objects.filter(sha2__in=set(hashes))}
    boundary = uuid.uuid4().hex
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
    ]
    for sha2 in dict.fromkeys(hashes):
        blob = blobs.get(sha2)
        if blob is None:
            continue
        chunks.append(
            f"\r\n--{boundary}\r\nContent-Type: {blob.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks.append(bytes(blob.content))
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    response = HttpResponse(b"".join(chunks), content_type=f'multipart/mixed; boundary="{boundary}"')
    for name, value in headers.items():
        response[name] = value
    return response


def not_found(request, *args, **kwargs):
    """An /xapi path that names no xAPI resource."""
    return JsonResponse({"error": "not found", "message": f"{request.path} is not an xAPI resource"}, status=404)
