"""The JSON API: one NinjaAPI, bearer-token (or session) auth, and the one place domain errors become responses."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from learnflow import __version__
from learnflow.core.errors import NotFound, error_payload
from learnflow.org.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Learnflow API",
    version=__version__,
    description="Log and read learning in the flow of work. Authenticate with `Authorization: Bearer <token>`; "
                "create tokens on your profile page or with `learnflow token USERNAME`.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, error_payload(exc), status=400)


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "form", "data")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "Invalid value.")})
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
    from learnflow.journal.api import router as journal_router
    from learnflow.org.api import router as org_router
    from learnflow.search.api import router as search_router

    api.add_router("/journal", journal_router)
    api.add_router("/search", search_router)
    api.add_router("/", org_router)


_mount()
