"""Request plumbing shared by every xAPI resource (statements here; state, profiles,
activities and agents in ``learnflow.lrs_documents``).

Stable interface
----------------
``@xapi_endpoint(methods=("GET", "PUT", ...), version_required=True, auth_required=True)``
    Decorates ``view(xreq: XapiRequest, **url_kwargs) -> HttpResponse``. The wrapper

    * folds the 1.0.3 Alternate Request Syntax (``POST ...?method=PUT`` with a
      form body) into an ordinary request; refuses it under 2.0,
    * checks ``X-Experience-API-Version`` (400 when missing or unsupported),
    * authenticates HTTP Basic against ``LrsKey`` (401 with ``WWW-Authenticate``),
    * answers HEAD as GET without a body, 405 for other methods,
    * turns ``XapiError`` into its JSON error response,
    * stamps every response with ``X-Experience-API-Version`` (1.0.3 when the
      client named none, or the version the key last spoke) and, with ``consistent_through=True``, with
      ``X-Experience-API-Consistent-Through`` (errors included); CSRF-exempt.

``XapiRequest``
    ``.method`` (effective, after alternate syntax; HEAD reported as "GET" with
    ``.is_head``), ``.version`` ("1.0.3" or "2.0.0"), ``.params`` (query
    parameters, a plain ``dict[str, str]``), ``.headers`` (case-insensitive,
    alternate-syntax headers folded in), ``.body`` (bytes), ``.content_type``
    (lower-case, no parameters), ``.key`` (the ``LrsKey``), ``.django`` (the
    underlying ``HttpRequest``), ``.json()`` (decoded body or ``XapiError`` 400).

``XapiError(status, message, **extra)``
    Raise anywhere inside a view; becomes ``{"error": ..., "message": ...}``.

``json_response(data, status=200, headers=None)``, ``error_response(status, message)``

``etag_for(content: bytes) -> str``
    A quoted strong ETag (SHA-1 of the bytes, as the spec's examples use).
``check_preconditions(xreq, current_etag, *, required)``
    The If-Match / If-None-Match rules for document PUT/POST/DELETE: 412 when a
    condition fails; when neither header is sent and ``required`` is true,
    428 under 2.0, and under 1.0.3 409 if the document exists.

``parse_json_param(xreq, name)`` / ``parse_agent_param(xreq, name="agent")``
    Decode a JSON query parameter (400 on failure); the agent form is validated.
``http_date(dt)``: RFC 7231 date for ``Last-Modified``.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from learnflow.lrs import jsonio, validation
from learnflow.lrs.models import LrsKey

SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")
VERSION_HEADER = "X-Experience-API-Version"
ALT_SYNTAX_HEADERS = {
    "authorization", "x-experience-api-version", "content-type", "content-length",
    "if-match", "if-none-match",
}


class XapiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    @classmethod
    def from_validation(cls, error: validation.ValidationError) -> XapiError:
        return cls(400, error.message, path=error.path)


class _Headers(dict):
    """Case-insensitive header mapping (keys kept lower-case)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())


@dataclass
class XapiRequest:
    django: HttpRequest
    method: str
    version: str
    params: dict[str, str]
    headers: _Headers
    body: bytes
    content_type: str
    key: LrsKey | None = None
    is_head: bool = False
    alternate_syntax: bool = False
    _json: Any = field(default=None, repr=False)

    @property
    def v2(self) -> bool:
        return self.version.startswith("2.")

    def json(self) -> Any:
        if self._json is None:
            try:
                self._json = jsonio.loads(self.body)
            except (UnicodeDecodeError, ValueError) as exc:
                raise XapiError(400, f"body is not valid JSON: {exc}") from None
            if b"\\u0000" in self.body:
                refuse_nul(self._json)
        return self._json


def refuse_nul(value: Any, path: str = "") -> None:
    """A NUL character (\\u0000) is valid JSON, but PostgreSQL text cannot hold it and SQLite would keep text other
    tools read back differently: it is refused on every database alike, naming where it is."""
    if isinstance(value, str):
        if "\x00" in value:
            raise XapiError(400, f"text must not contain the NUL character (\\u0000){' at ' + path if path else ''}",
                            **({"path": path} if path else {}))
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key, path)
            refuse_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_nul(item, f"{path}[{index}]")


# ----------------------------------------------------------------------------- responses


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    body = jsonio.dumps(data)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(status: int, message: str, **extra: Any) -> HttpResponse:
    reason = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
              405: "method not allowed", 409: "conflict", 412: "precondition failed",
              413: "payload too large", 428: "precondition required"}.get(status, "error")
    return json_response({"error": reason, "message": message, **extra}, status=status)


def http_date(value: dt.datetime) -> str:
    return format_datetime(value.astimezone(dt.timezone.utc), usegmt=True)


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha1(content).hexdigest() + '"'


def _etag_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def check_preconditions(xreq: XapiRequest, current_etag: str | None, *, required: bool) -> None:
    if_match = xreq.headers.get("If-Match")
    if_none_match = xreq.headers.get("If-None-Match")
    if if_match is not None:
        tags = _etag_list(if_match)
        if current_etag is None or ("*" not in tags and current_etag not in tags):
            raise XapiError(412, "If-Match does not match the document's current ETag")
    if if_none_match is not None:
        tags = _etag_list(if_none_match)
        if current_etag is not None and ("*" in tags or current_etag in tags):
            raise XapiError(412, "If-None-Match: the document exists")
    if if_match is None and if_none_match is None and required:
        if xreq.v2:
            raise XapiError(428, "send If-Match or If-None-Match")
        if current_etag is not None:
            raise XapiError(409, "the document exists: send If-Match with its ETag, or If-None-Match: *")


# ----------------------------------------------------------------------------- parameters


def parse_json_param(xreq: XapiRequest, name: str) -> Any:
    raw = xreq.params.get(name)
    if raw is None:
        return None
    try:
        return jsonio.strict_loads(raw)
    except ValueError:
        raise XapiError(400, f"parameter '{name}' is not valid JSON") from None


def parse_agent_param(xreq: XapiRequest, name: str = "agent") -> dict | None:
    agent = parse_json_param(xreq, name)
    if agent is None:
        return None
    try:
        validation.validate_actor(agent, name)
    except validation.ValidationError as exc:
        raise XapiError.from_validation(exc) from None
    return agent


def negotiate_version(value: str | None) -> str:
    if value is None or not value.strip():
        raise XapiError(400, f"the {VERSION_HEADER} header is required")
    value = value.strip()
    parts = value.split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        if parts[:2] == ["1", "0"]:
            return "1.0.3"
        if parts[:2] == ["2", "0"]:
            return "2.0.0"
    raise XapiError(400, f"xAPI version '{value}' is not supported (use 1.0.3 or 2.0.0)")


# ----------------------------------------------------------------------------- authentication


def authenticate(authorization: str | None) -> LrsKey:
    if not authorization or not authorization.lower().startswith("basic "):
        raise XapiError(401, "HTTP Basic credentials are required")
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        key, secret = decoded.split(":", 1)
    except (ValueError, UnicodeDecodeError):
        raise XapiError(401, "malformed Basic credentials") from None
    credential = _active_key(key)
    if credential is None or not credential.check_secret(secret):
        raise XapiError(401, "unknown or revoked LRS key")
    if credential.owner is not None and not credential.owner.is_active:
        raise XapiError(401, "the key's owner is deactivated")
    return credential


# The columns a request needs; the others (created_at, revoked_at, label) load on access, as deferred fields.
_KEY_COLUMNS = ("id", "key", "secret_hash", "owner_id", "org_tool", "scope", "trusted", "last_version")


def _active_key(key: str) -> LrsKey | None:
    """The unrevoked key with this id, by one plain indexed SELECT: the ORM query with select_related took
    ~400 µs of CPU on every request, 4 µs per statement of a batch of 100. A person key's owner is read
    when first used (one query by primary key); organisation keys, the bulk of ingest, have none."""
    connection = connections[router.db_for_read(LrsKey)]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(qn(c) for c in _KEY_COLUMNS)} FROM {qn(LrsKey._meta.db_table)} "
            f"WHERE {qn('key')} = %s AND {qn('revoked_at')} IS NULL", [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_KEY_COLUMNS, row))
    values["trusted"] = bool(values["trusted"])  # SQLite answers 0/1
    return LrsKey.from_db(connection.alias, list(_KEY_COLUMNS), [values[c] for c in _KEY_COLUMNS])


# ----------------------------------------------------------------------------- the decorator


def _build_request(request: HttpRequest) -> XapiRequest:
    headers = _Headers(request.headers.items())
    params = {k: v for k, v in request.GET.items()}
    for name, value in params.items():
        if "\x00" in name or "\x00" in value:
            raise XapiError(400, f"parameter '{name}' must not contain the NUL character")
    method = request.method or "GET"
    body = request.body
    content_type = (request.content_type or "").lower()
    xreq = XapiRequest(django=request, method=method, version="", params=params, headers=headers, body=body,
                       content_type=content_type)
    if method == "POST" and "method" in params:
        _fold_alternate_syntax(xreq)
    if xreq.method == "HEAD":
        xreq.method, xreq.is_head = "GET", True
    return xreq


def _fold_alternate_syntax(xreq: XapiRequest) -> None:
    params = xreq.params
    target = params.pop("method").upper()
    if params:
        raise XapiError(400, "alternate request syntax: only 'method' may be in the query string")
    if target not in {"GET", "PUT", "POST", "DELETE", "HEAD"}:
        raise XapiError(400, f"alternate request syntax: unknown method '{target}'")
    if xreq.content_type != "application/x-www-form-urlencoded":
        raise XapiError(400, "alternate request syntax needs an application/x-www-form-urlencoded body")
    try:
        form = parse_qsl(xreq.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise XapiError(400, "alternate request syntax: form body is not UTF-8") from None
    content = b""
    xreq.headers.pop("content-type", None)
    for name, value in form:
        lname = name.lower()
        if lname in ALT_SYNTAX_HEADERS:
            xreq.headers[lname] = value
        elif lname == "content":
            content = value.encode("utf-8")
        else:
            if "\x00" in name or "\x00" in value:
                raise XapiError(400, f"parameter '{name}' must not contain the NUL character")
            xreq.params[name] = value
    xreq.method = target
    xreq.body = content
    xreq.headers.setdefault("content-type", "application/json")
    xreq.content_type = xreq.headers["content-type"].split(";")[0].strip().lower()
    xreq.alternate_syntax = True


def xapi_endpoint(
    *, methods: Iterable[str], version_required: bool = True, auth_required: bool = True,
    consistent_through: bool = False,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    allowed = {m.upper() for m in methods}
    if "GET" in allowed:
        allowed.add("HEAD")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # A client that names no version is answered as 1.0.3, the version both suites accept.
            version = "1.0.3"
            is_head = request.method == "HEAD"
            try:
                xreq = _build_request(request)
                is_head = xreq.is_head
                raw_version = xreq.headers.get(VERSION_HEADER)
                if auth_required:
                    xreq.key = authenticate(xreq.headers.get("Authorization"))
                    version = xreq.key.last_version
                if version_required or raw_version:
                    version = negotiate_version(raw_version)
                xreq.version = version
                if xreq.key is not None and xreq.key.last_version != version:
                    LrsKey.objects.filter(pk=xreq.key.pk).update(last_version=version)
                if xreq.alternate_syntax and xreq.v2:
                    raise XapiError(400, "the alternate request syntax was removed in xAPI 2.0")
                if xreq.method not in allowed and not (xreq.is_head and "GET" in allowed):
                    response = error_response(405, f"{xreq.method} is not allowed here")
                    response["Allow"] = ", ".join(sorted(allowed))
                else:
                    response = view(xreq, *args, **kwargs)
            except XapiError as exc:
                response = error_response(exc.status, exc.message, **exc.extra)
                if exc.status == 401:
                    response["WWW-Authenticate"] = 'Basic realm="Learnflow xAPI"'
            response[VERSION_HEADER] = version
            if consistent_through and "X-Experience-API-Consistent-Through" not in response:
                response["X-Experience-API-Consistent-Through"] = (
                    timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
                )
            if is_head:
                length = len(response.content) if not response.streaming else None
                response.content = b""
                if length is not None:
                    response["Content-Length"] = str(length)
            return response

        return wrapper

    return decorate


def now() -> dt.datetime:
    return timezone.now()
