"""The JSON API: one NinjaAPI, bearer-token (or session) auth, and the one place domain errors become responses."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from django.conf import settings
from ninja.security import HttpBearer, SessionAuth

from learnflow import __version__
from learnflow.core.errors import NotFound, error_payload
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
    api.add_router("/flow", flow_router)
    api.add_router("/communities", community_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/help", concierge_router)
    api.add_router("/", org_router)


_mount()
