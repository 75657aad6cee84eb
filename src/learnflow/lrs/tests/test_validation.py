"""Statement validation against every statement in shared/data/xapi_statements.

Which files are valid and which are not is decided here, file by file, from the
data's own layout and from the spec, never from what the validator happens to
say:

* adl_xapi_spec_examples, cmi5_scenarios, yetanalytics_xapi_schema and
  openedx_erb hold published statements: valid unless listed in
  KNOWN_INVALID_PUBLISHED with the spec rule they break.
* adl_lrs_conformance_templates holds the ADL suite's templates. Complete
  statements and substatements are classified one by one in
  TEMPLATE_STATEMENTS / TEMPLATE_SUBSTATEMENTS. The other folders hold
  fragments (agents, groups, activities, verbs, contexts, results,
  attachments), checked with the matching fragment validator; a fragment is
  invalid when its name marks it so (``*invalid*``, ``no_id``,
  ``account_no_*``, ``anonymous_no_member`` …) or when it is a bare skeleton
  the suite fills in later (listed in FRAGMENT_SKELETONS).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnflow.lrs import validation as v

DATA = Path(__file__).resolve().parents[5] / "shared" / "data" / "xapi_statements"
ROOT_FALLBACK = Path("/work/shared/data/xapi_statements")
if not DATA.is_dir():
    DATA = ROOT_FALLBACK

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared/data/xapi_statements is not present")


# Validation is pure: these override the project's autouse fixtures, which need a database.
@pytest.fixture(autouse=True)
def _isolated_files():
    yield


@pytest.fixture(autouse=True)
def _cache_table():
    yield


def _load(rel: str):
    return json.loads((DATA / rel).read_text(encoding="utf-8"))


def _rel_files(sub: str, pattern: str = "*.json") -> list[str]:
    base = DATA / sub
    if not base.is_dir():
        return []
    return sorted(str(p.relative_to(DATA)) for p in base.rglob(pattern))


def _is_statement(doc) -> bool:
    return isinstance(doc, dict) and {"actor", "verb", "object"} <= doc.keys()


# ------------------------------------------------------------------ published statements

# file (and index inside a list file, or None for all) -> the rule it breaks
_BARE_UUID = "grouping activity id is a bare UUID, not an IRI"
_GROUP_ACTIVITY = "objectType 'GroupActivity' does not exist"
KNOWN_INVALID_PUBLISHED: dict[str, str] = {
    "adl_xapi_spec_examples/11_xAPI-Communication_L1950.json": "0.9 format (inProgress) before conversion",
    "openedx_erb/xapi_expected/edx.special_exam.practice.attempt.created.json": _BARE_UUID,
    "openedx_erb/xapi_expected/edx.special_exam.practice.attempt.submitted.json": _BARE_UUID,
    "openedx_erb/xapi_expected/edx.special_exam.proctored.attempt.created.json": _BARE_UUID,
    "openedx_erb/xapi_expected/edx.special_exam.proctored.attempt.submitted.json": _BARE_UUID,
    "openedx_erb/xapi_expected/edx.special_exam.timed.attempt.created.json": _BARE_UUID,
    "openedx_erb/xapi_expected/edx.special_exam.timed.attempt.submitted.json": _BARE_UUID,
    "openedx_erb/xapi_expected/problem_check(browser).required.only.data.json": "Activity object without an id",
    "openedx_erb/xapi_expected/problem_check(server).list_answers.json": _GROUP_ACTIVITY,
    "openedx_erb/xapi_expected/problem_check(server,multiple_questions,correct).json": _GROUP_ACTIVITY,
    "openedx_erb/xapi_expected/problem_check(server,multiple_questions,incorrect).json": _GROUP_ACTIVITY,
    "openedx_erb/xapi_expected/problem_check(server,multiple_questions,partial_correct).json": _GROUP_ACTIVITY,
}
# Strict JSON rejects these before validation even starts.
NOT_JSON = {
    "cmi5_scenarios/16-not_applicable-no_launch/05-initialized_statement.json": "missing comma",
    "yetanalytics_xapi_schema/statements/simple.json": "raw TAB inside a string",
}
# Fragments among the published data, with the validator that fits them.
PUBLISHED_FRAGMENTS = {
    "adl_xapi_spec_examples/08_xAPI-Data_L2388.json": "object",
    "yetanalytics_xapi_schema/objects/agent.json": "agent",
    "yetanalytics_xapi_schema/objects/group.json": "group",
    "yetanalytics_xapi_schema/objects/authority.json": "actor",
    "yetanalytics_xapi_schema/objects/sub-statement.json": "object",
    "yetanalytics_xapi_schema/objects/activity.json": "object",
}
FRAGMENT_VALIDATORS = {
    "object": v.validate_statement_object,
    "agent": lambda d, **kw: v.validate_agent(d),
    "group": lambda d, **kw: v.validate_group(d),
    "actor": lambda d, **kw: v.validate_actor(d),
    "definition": lambda d, **kw: v.validate_activity_definition(d, "definition"),
}


def _published_cases():
    cases = []
    for sub in ("adl_xapi_spec_examples", "cmi5_scenarios", "openedx_erb/xapi_expected", "yetanalytics_xapi_schema"):
        for rel in _rel_files(sub):
            if rel in NOT_JSON:
                continue
            if rel.startswith("yetanalytics_xapi_schema/objects/activity/"):
                cases.append(pytest.param(rel, None, "definition", id=rel))
                continue
            if rel in PUBLISHED_FRAGMENTS:
                cases.append(pytest.param(rel, None, PUBLISHED_FRAGMENTS[rel], id=rel))
                continue
            doc = _load(rel)
            docs = doc if isinstance(doc, list) else [doc]
            for i, item in enumerate(docs):
                if _is_statement(item) or rel in KNOWN_INVALID_PUBLISHED:
                    cases.append(pytest.param(rel, i if isinstance(doc, list) else None, "statement", id=f"{rel}[{i}]"))
    return cases


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize(("rel", "index", "kind"), _published_cases())
def test_published_statement_is_judged_by_the_spec(rel, index, kind, version):
    doc = _load(rel)
    item = doc[index] if index is not None else doc
    check = v.validate_statement if kind == "statement" else FRAGMENT_VALIDATORS[kind]
    if rel in KNOWN_INVALID_PUBLISHED:
        with pytest.raises(v.ValidationError):
            if isinstance(doc, list) and index is None:
                v.validate_statements(doc, version=version)
            else:
                check(item, version=version)
    else:
        check(item, version=version)


def test_published_data_has_enough_valid_statements():
    valid = [c for c in _published_cases() if c.values[0] not in KNOWN_INVALID_PUBLISHED]
    assert len(valid) > 150


@pytest.mark.parametrize("rel", sorted(NOT_JSON))
def test_malformed_json_files_are_not_json(rel):
    with pytest.raises(json.JSONDecodeError):
        json.loads((DATA / rel).read_text(encoding="utf-8"))


def test_statement_with_raw_tab_is_valid_once_parsed_leniently():
    doc = json.loads((DATA / "yetanalytics_xapi_schema/statements/simple.json").read_text(), strict=False)
    v.validate_statement(doc)


def test_every_known_invalid_published_file_exists():
    for rel in (*KNOWN_INVALID_PUBLISHED, *NOT_JSON, *PUBLISHED_FRAGMENTS):
        assert (DATA / rel).is_file(), rel


# ------------------------------------------------------------------ conformance templates

VERSIONS = {"v1_0_3": "1.0.3", "v2_0": "2.0.0"}

TEMPLATE_STATEMENTS = {
    # valid as they stand
    "attachment.json": True,          # empty attachments array
    "context.json": True,             # empty context object (suite fills it)
    "context_sans_objectType.json": True,
    "default.json": True,
    "multiple_actor.json": True,      # duplicate key: JSON keeps the last actor, which is valid
    "object_agent_default.json": True,
    "object_group_default.json": True,  # identified Group (mbox), members optional
    "object_statementref.json": True,
    "object_substatement_default.json": True,
    "result.json": True,              # empty result object
    "unicode.json": True,
    "voiding.json": True,
    # invalid as they stand
    "actor.json": False,              # Agent without any identifier
    "authority.json": False,          # authority Agent without any identifier
    "no_actor.json": False,
    "no_object.json": False,
    "no_verb.json": False,
    "object_activity.json": False,    # Activity without id
    "object_actor.json": False,       # Agent object without identifier
    "object_statementref_no_id.json": False,
    "object_substatement.json": False,  # SubStatement without actor/verb/object
    "verb.json": False,               # verb without id
}
TEMPLATE_SUBSTATEMENTS = {
    "activity.json": False,           # inner Activity without id
    "activity_definition_description.json": True,
    "activity_definition_description_invalid.json": False,  # language tag "something"
    "activity_definition_name.json": True,
    "activity_definition_name_invalid.json": False,         # language tag "zh-something-ccc"
    "actor.json": False,
    "agent.json": False,              # inner Agent object without identifier
    "agent_default.json": True,
    "context.json": True,
    "context_invalid_language_map.json": False,             # context.language "something"
    "context_valid_language_map.json": True,
    "default.json": True,
    "group.json": False,              # anonymous Group without members
    "group_default.json": True,
    "interaction_component_invalid_language_map.json": False,
    "interaction_component_valid_language_map.json": True,
    "no_actor.json": False,
    "no_object.json": False,
    "no_verb.json": False,
    "result.json": True,
    "statementref.json": True,
    "statementref_no_id.json": False,
    "verb.json": False,
    "verb_invalid.json": False,       # display tag "s-something"
    "verb_valid.json": True,
}
FRAGMENT_FOLDERS = {
    "agents": lambda d, version: v.validate_agent(d),
    "groups": lambda d, version: v.validate_group(d),
    "activities": lambda d, version: v.validate_activity(d),
    "verbs": lambda d, version: v.validate_verb(d),
    "contexts": lambda d, version: v.validate_context(d, version=version),
    "results": lambda d, version: v.validate_result(d),
    "attachments": lambda d, version: v.validate_attachment(d),
}
INVALID_NAME_MARKERS = ("invalid", "no_id", "account_no_homepage", "account_no_name", "anonymous_no_member",
                        "numeric_name", "numeric_description", "string_name", "string_description")
# Bare skeletons the suite completes before sending: invalid on their own.
FRAGMENT_SKELETONS = {
    "contexts/instructor.json",       # instructor {"objectType": "Agent"} has no identifier
    "contexts/team.json",             # team {"objectType": "Group"} has neither identifier nor members
    "contexts/invalid_activity.json",  # contextActivities key "consequences"
}


def _template_cases():
    cases = []
    for folder, version in VERSIONS.items():
        base = f"adl_lrs_conformance_templates/{folder}/templates"
        for rel in _rel_files(f"{base}/statements"):
            name = Path(rel).name
            cases.append(pytest.param(rel, version, "statement", TEMPLATE_STATEMENTS[name], id=rel))
        for rel in _rel_files(f"{base}/substatements"):
            name = Path(rel).name
            cases.append(pytest.param(rel, version, "substatement", TEMPLATE_SUBSTATEMENTS[name], id=rel))
        for kind in FRAGMENT_FOLDERS:
            for rel in _rel_files(f"{base}/{kind}"):
                short = f"{kind}/{Path(rel).name}"
                valid = short not in FRAGMENT_SKELETONS and not any(m in Path(rel).stem for m in INVALID_NAME_MARKERS)
                cases.append(pytest.param(rel, version, kind, valid, id=rel))
    return cases


def _check_template(rel: str, version: str, kind: str) -> None:
    doc = _load(rel)
    if kind == "statement":
        v.validate_statement(doc, version=version)
    elif kind == "substatement":
        outer = _load(rel.replace("/substatements/", "/statements/").rsplit("/", 1)[0] + "/default.json")
        v.validate_statement({**outer, "object": doc}, version=version)
    else:
        FRAGMENT_FOLDERS[kind](doc, version)


@pytest.mark.parametrize(("rel", "version", "kind", "valid"), _template_cases())
def test_conformance_template_is_accepted_or_rejected(rel, version, kind, valid):
    if valid:
        _check_template(rel, version, kind)
    else:
        with pytest.raises(v.ValidationError):
            _check_template(rel, version, kind)


def test_templates_cover_both_versions_and_include_negatives():
    cases = _template_cases()
    assert {c.values[1] for c in cases} == {"1.0.3", "2.0.0"}
    assert sum(1 for c in cases if not c.values[3]) >= 60
    assert sum(1 for c in cases if c.values[2] in {"statement", "substatement"}) == 94


def test_context_agents_are_refused_in_1_0_3_and_accepted_in_2_0():
    ctx = _load("adl_lrs_conformance_templates/v2_0/templates/contexts/context_agents.json")
    v.validate_context(ctx, version="2.0.0")
    with pytest.raises(v.ValidationError) as err:
        v.validate_context(ctx, version="1.0.3")
    assert err.value.path == "context"
