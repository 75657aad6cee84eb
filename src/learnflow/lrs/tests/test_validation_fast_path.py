"""The common-shape fast path of validation is never looser than the full validator, and takes the common shape."""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnflow.lrs import validation as v

DATA = Path("/work/shared/data/xapi_statements")
BENCH = Path(__file__).resolve().parents[4] / "bench"


@pytest.fixture(autouse=True)
def _isolated_files():
    yield


@pytest.fixture(autouse=True)
def _cache_table():
    yield


def _full_accepts(statement, version: str) -> bool:
    try:
        v.validate_statement(copy.deepcopy(statement), version=version)
    except v.ValidationError:
        return False
    return True


def _common(i: int = 0) -> dict:
    statement = {
        "id": "6f0c3c4e-8a5b-4f7e-9d3a-1c2b3a4d5e6f",
        "actor": {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "de": "fertig"}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.com/activities/{i}",
                   "definition": {"name": {"en-US": "A"}, "description": {"en-US": "d"},
                                  "type": "http://adlnet.gov/expapi/activities/lesson",
                                  "moreInfo": "https://lms.example.com/more"}},
        "result": {"score": {"raw": 5, "min": 0, "max": 10, "scaled": 0.5}, "success": True, "completion": False,
                   "response": "x", "duration": "PT1H2M3.5S"},
        "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "platform": "LMS", "revision": "1",
                    "language": "en-GB",
                    "contextActivities": {"parent": [{"id": "https://lms.example.com/courses/1"}],
                                          "grouping": {"id": "https://lms.example.com/courses"}}},
        "timestamp": "2024-05-01T10:00:00.123+02:00",
        "version": "1.0.0",
    }
    if i % 2:
        statement["actor"] = {"account": {"homePage": "https://lms.example.com", "name": "ann"}}
    return statement


def test_common_shapes_take_the_fast_path():
    sys.path.insert(0, str(BENCH))
    import lrs_bench

    rng = random.Random(3)
    for statement in [_common(0), _common(1), *(lrs_bench.make_statement(rng) for _ in range(200))]:
        assert v._common_statement_ok(statement, False)
        assert _full_accepts(statement, "1.0.3")


def _corpus() -> list:
    found = []
    if DATA.is_dir():
        for path in sorted(DATA.rglob("*.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            found += [d for d in (doc if isinstance(doc, list) else [doc]) if isinstance(d, dict)]
    return found


@pytest.mark.skipif(not DATA.is_dir(), reason="shared/data/xapi_statements is not present")
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_fast_path_accepts_nothing_the_validator_refuses_in_the_corpus(version):
    for statement in _corpus():
        if v._common_statement_ok(statement, version.startswith("2.")):
            assert _full_accepts(statement, version), statement


ODD_VALUES = [None, "", " ", "x", "not an iri", "http://x\n", "http://ok.example/a", "mailto:a@b", "mailto:", "a@b",
              "en-US", "en_US", "-", 0, 1, -2, 1.5, 11, True, False, [], [{}], {}, {"en-US": "x"}, {"en-US": 1},
              "6f0c3c4e-8a5b-4f7e-9d3a-1c2b3a4d5e6f", "6f0c3c4e8a5b4f7e9d3a1c2b3a4d5e6f",
              "2024-13-01T00:00:00Z", "2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00Z", "PT1S", "P", "2.0.0",
              "1.0.9", "1.1.0", "Agent", "Group", "Activity", "SubStatement", "StatementRef",
              "http://adlnet.gov/expapi/verbs/voided", {"id": "http://x.example/a"}, {"homePage": "http://h", "name": 1}]
ODD_KEYS = ["objectType", "id", "extensions", "member", "openid", "mbox_sha1sum", "account", "mbox", "instructor",
            "category", "other", "stored", "authority", "attachments", "interactionType", "bogus", "name", "type",
            "display", "definition", "score", "raw", "min", "max", "scaled", "statement", "team"]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _mutate(statement: dict, draw) -> dict:
    statement = copy.deepcopy(statement)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(statement))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        holder = statement
        for step in path[:-1]:
            holder = holder[step]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if not path:
            action = "add"
        if action == "add":
            target = holder[path[-1]] if path else statement
            if isinstance(target, dict):
                target[draw(st.sampled_from(ODD_KEYS))] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif action == "delete" and isinstance(holder, dict):
            holder.pop(path[-1], None)
        else:
            holder[path[-1]] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    return statement


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data(), st.integers(0, 1), st.sampled_from(["1.0.3", "2.0.0"]))
def test_fast_path_is_never_looser_than_the_validator(data, variant, version):
    statement = _mutate(_common(variant), data.draw)
    if v._common_statement_ok(statement, version.startswith("2.")):
        assert _full_accepts(statement, version), statement
