"""Domain errors and their one mapping to forms and to API responses.

Services raise django.core.exceptions.ValidationError (with a field → messages dict when a field is to blame) or
PermissionDenied / NotFound. Views call `form_apply_errors`; the API's exception handlers call `error_payload`.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class NotFound(Exception):
    """Raised by selectors when an object does not exist *or the viewer may not see it* (we never say which)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)
        self.message = message


def validation_fields(exc: ValidationError) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.message_dict.items():
            name = None if field == NON_FIELD_ERRORS else field
            for message in field_errors:
                errors.append({"field": name, "message": message})
    else:
        for message in exc.messages:
            errors.append({"field": None, "message": message})
    return errors


def error_payload(exc: ValidationError) -> dict[str, Any]:
    errors = validation_fields(exc)
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return {"detail": summary or "Invalid input.", "errors": errors}


def form_apply_errors(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError beside the form's fields, keeping what the person typed. `aliases` maps a
    service's field name to the form's where they differ."""
    for error in validation_fields(exc):
        name = (aliases or {}).get(error["field"], error["field"])
        field = name if name in form.fields else None
        form.add_error(field, error["message"])
