"""The JSON API: one NinjaAPI, bearer-token (or session) auth, and the one place domain errors become responses."""
from __future__ import annotations

import functools
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, transaction
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from django.conf import settings
from ninja.security import HttpBearer, SessionAuth

from learnflow import __version__
from learnflow.core.errors import NotFound, error_payload
from learnflow.core.inputs import bad_inputs, raw_bad_inputs
from learnflow.org.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser's session, CSRF-checked. Without a session cookie there is nothing to check: a script
    whose token was refused must hear 401 (sign in again), not 403 "CSRF check failed"."""

    def _get_key(self, request: HttpRequest):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


api = NinjaAPI(
    title="Learnflow API",
    version=__version__,
    description="Log and read learning in the flow of work. Authenticate with `Authorization: Bearer <token>`; "
                "create tokens on your profile page or with `learnflow token USERNAME`.",
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, error_payload(exc), status=400)


_PARAM_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
_PARAM_WRAPPERS = {"payload", "filters", "data"}


def _field_name(loc: tuple) -> str | None:
    """("query", "filters", "visibility", "literal['']") → "visibility": the name the caller sent, without the
    request part, the view's parameter name or pydantic's union-branch tags."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _PARAM_SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _PARAM_WRAPPERS:
        parts = parts[1:]
    parts = [p for p in parts if "[" not in p]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError):
    errors, union_fields = [], set()
    for err in exc.errors:
        loc = tuple(err.get("loc", ()))
        field = _field_name(loc)
        tagged = any("[" in str(p) for p in loc)
        if tagged and field in union_fields:
            continue  # one message per field, not one per branch of a union type
        if tagged:
            union_fields.add(field)
        errors.append({"field": field, "message": err.get("msg", "Invalid value.")})
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(request, {"detail": detail or "Invalid input.", "errors": errors}, status=422)


def _refuse_unstorable(view):
    """Every operation, after its schemas validated and before it runs: refuse values no column can hold (an
    integer beyond 64 bits, text with NUL), naming the field the way schema errors do."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        errors = []
        for name, value in kwargs.items():
            for path, message in bad_inputs(value):
                # A schema parameter (payload, filters, …) is named by its fields, a plain parameter by its own name.
                loc = ("body", *path) if path and not isinstance(path[0], int) else ("body", name, *path)
                errors.append({"loc": loc, "msg": message})
        if errors:
            raise NinjaValidationError(errors)
        return view(request, *args, **kwargs)

    return guarded


api.add_decorator(_refuse_unstorable, mode="operation")

log = logging.getLogger(__name__)


def _refused_late(request: HttpRequest, exc: Exception, *, numbers: bool, nul: bool, fallback: str):
    """A value a service parsed itself (say ids in a comma-separated form field) reached the database anyway: undo
    whatever the request's transaction did, and answer like a validation error, naming the field if we can. (Each
    service is atomic, so its own writes were already rolled back when the error left it; a request-wide transaction
    would otherwise commit on this 4xx answer.)"""
    connection = transaction.get_connection()
    if connection.settings_dict.get("ATOMIC_REQUESTS") and connection.in_atomic_block:
        transaction.set_rollback(True)
    found = raw_bad_inputs(request, numbers=numbers, nul=nul)
    if not found:
        log.warning("API input refused by the database: %s: %s", type(exc).__name__, exc)
    errors = [{"field": _field_name(path), "message": message} for path, message in found] or [
        {"field": None, "message": fallback}]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError):
    return _refused_late(request, exc, numbers=True, nul=False, fallback="A number is out of range.")


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError):
    return _refused_late(request, exc, numbers=True, nul=True, fallback="A value cannot be stored.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "Not allowed.", "errors": []}, status=403)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound):
    return api.create_response(request, {"detail": exc.message, "errors": []}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": "Authentication required: send Authorization: Bearer <token>.", "errors": []}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


def _mount() -> None:
    from learnflow.community.api import router as community_router
    from learnflow.concierge.api import router as concierge_router
    from learnflow.curation.api import router as curation_router
    from learnflow.development.api import router as development_router
    from learnflow.flow.api import router as flow_router
    from learnflow.library.api import router as library_router
    from learnflow.notifications.api import router as notifications_router
    from learnflow.goals.api import router as goals_router
    from learnflow.journal.api import router as journal_router
    from learnflow.org.api import router as org_router
    from learnflow.portfolio.api import router as portfolio_router
    from learnflow.search.api import router as search_router

    api.add_router("/journal", journal_router)
    api.add_router("/search", search_router)
    api.add_router("/goals", goals_router)
    api.add_router("/development", development_router)
    api.add_router("/portfolios", portfolio_router)
    api.add_router("/library", library_router)
    api.add_router("/curation", curation_router)
    api.add_router("/flow", flow_router)
    api.add_router("/communities", community_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/help", concierge_router)
    api.add_router("/", org_router)


_mount()
