"""Checks every API input passes before any service runs: what no database column can hold must be refused as the
caller's mistake (4xx naming the field), never reach the database and come back as a 500.

- Integers outside the signed 64-bit range (SQLite raises OverflowError binding them; no id or count is that big).
- Text containing NUL (U+0000): PostgreSQL text cannot store it (DataError) and SQLite would store text no other
  tool reads back the same; Django's form fields already refuse it, so the API does too.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

from pydantic import BaseModel

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1

OUT_OF_RANGE = f"Number out of range (at most {INT_MAX})."
NUL_CHARACTER = "Text must not contain the NUL character (\\u0000)."


def bad_inputs(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, message) for each value no column can hold, walking validated schemas, lists and dicts."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            yield path, OUT_OF_RANGE
    elif isinstance(value, str):
        if "\x00" in value:
            yield path, NUL_CHARACTER
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from bad_inputs(getattr(value, name, None), path + (name,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from bad_inputs(key, path + (str(key),))
            yield from bad_inputs(item, path + (str(key),))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            yield from bad_inputs(item, path + (index,))
    elif hasattr(value, "read") and isinstance(getattr(value, "name", None), str):  # an uploaded file
        if "\x00" in value.name:
            yield path, NUL_CHARACTER


_DIGITS = re.compile(r"-?\d{19,}")


def _raw_bad(value: Any, path: tuple, *, numbers: bool, nul: bool) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        if nul and "\x00" in value:
            yield path, NUL_CHARACTER
        if numbers and any(not INT_MIN <= int(m) <= INT_MAX for m in _DIGITS.findall(value)):
            yield path, OUT_OF_RANGE
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if numbers and not INT_MIN <= value <= INT_MAX:
            yield path, OUT_OF_RANGE
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _raw_bad(item, path + (str(key),), numbers=numbers, nul=nul)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _raw_bad(item, path + (index,), numbers=numbers, nul=nul)


def raw_bad_inputs(request: Any, *, numbers: bool = True, nul: bool = True) -> list[tuple[tuple, str]]:
    """After the fact (a service still met such a value, e.g. parsed out of a comma-separated form field): which of
    the request's raw inputs — path, query, form or JSON body — carries it, to name the field in the answer."""
    found: list[tuple[tuple, str]] = []
    match = getattr(request, "resolver_match", None)
    for key, item in ((match.kwargs if match else None) or {}).items():
        found += _raw_bad(str(item), (key,), numbers=numbers, nul=nul)
    for data in (request.GET, request.POST):
        for key in data:
            for item in data.getlist(key):
                found += _raw_bad(item, (key,), numbers=numbers, nul=nul)
    if request.content_type == "application/json":
        try:
            found += _raw_bad(json.loads(request.body), (), numbers=numbers, nul=nul)
        except (ValueError, RecursionError):
            pass
    return found
