"""Skills framework import: CSV and JSON with levels, every bad row reported, nothing written on error, re-import
updates."""
from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from learnflow.core.models import Event
from learnflow.goals.framework import FrameworkFileError, framework_import
from learnflow.goals.models import Framework, FrameworkLevel, FrameworkSkill

from .conftest import FRAMEWORK_CSV

pytestmark = pytest.mark.django_db

GOOD_JSON = {
    "name": "Engineering skills",
    "description": "How we grow engineers",
    "levels": [{"rank": 1, "name": "Aware"}, {"rank": 2, "name": "Working"}, {"rank": 3, "name": "Expert"}],
    "skills": [
        {"name": "Python", "category": "Engineering", "description": "Writing Python", "levels": {"1": "Reads it"}},
        {"name": "Code review", "description": "Reviewing changes"},
    ],
}


def run(actor, text, filename="f.csv", name="Engineering skills"):
    return framework_import(actor=actor, data=text.encode() if isinstance(text, str) else text, filename=filename,
                            name=name)


def test_lnd_imports_a_csv_framework_with_ordered_levels(org):
    result = run(org.lena, FRAMEWORK_CSV)
    assert [str(lv) for lv in result.framework.levels.all()] == ["1 Aware", "2 Working", "3 Practitioner",
                                                                 "4 Expert"]
    python = FrameworkSkill.objects.get(skill__name="Python")
    assert python.category == "Engineering"
    assert python.level_descriptions == {"1": "Knows what it is", "2": "Writes small scripts", "4": "Designs libraries"}
    assert result.created == ["Python", "SQL", "Facilitation"]


def test_a_json_framework_is_imported_with_its_own_name(org):
    result = run(org.lena, json.dumps(GOOD_JSON), filename="eng.json", name="")
    assert result.framework.name == "Engineering skills"
    assert result.framework.levels.count() == 3
    assert FrameworkSkill.objects.filter(framework=result.framework).count() == 2


def test_the_import_is_recorded_as_an_event(org):
    run(org.lena, FRAMEWORK_CSV)
    assert Event.objects.filter(actor=org.lena, verb="imported").exists()


def test_an_admin_may_import_too(org):
    assert run(org.root, FRAMEWORK_CSV).framework.pk


@pytest.mark.parametrize("who", ["ann", "boss"])
def test_members_and_managers_cannot_import_a_framework(org, who):
    with pytest.raises(PermissionDenied):
        run(org.everyone[who], FRAMEWORK_CSV)
    assert not Framework.objects.exists()


def test_every_bad_csv_row_is_reported_with_its_line_and_nothing_is_written(org):
    broken = (
        "skill,category,description,1 Aware,2 Expert\n"
        "Python,Engineering,ok,,\n"
        ",Engineering,no name,,\n"
        "python,Engineering,duplicate,,\n"
        "SQL,Data,too many,,,extra\n"
    )
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, broken)
    lines = [line for line, _ in exc.value.problems]
    assert lines == [3, 4, 5]
    assert "appears twice (first on line 2)" in exc.value.problems[1][1]
    assert not Framework.objects.exists() and not FrameworkLevel.objects.exists()


def test_a_csv_without_levels_is_refused(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, "skill,category\nPython,Engineering\n")
    assert "no levels" in exc.value.problems[0][1]


def test_a_csv_with_an_unknown_column_is_refused_naming_the_column(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, "skill,owner,1 Aware\nPython,ann,\n")
    assert exc.value.problems[0][0] == 1 and "owner" in exc.value.problems[0][1]


def test_levels_out_of_order_are_refused(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, "skill,2 Working,1 Aware\nPython,,\n")
    assert "upwards from 1" in exc.value.problems[0][1]


def test_a_file_that_is_not_utf8_is_refused(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, "skill,1 Aware\nCaf\xe9,\n".encode("latin-1"))
    assert "not UTF-8" in exc.value.problems[0][1]


def test_broken_json_is_refused_with_the_line_of_the_error(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, '{"name": "X",\n "levels": [\n', filename="x.json", name="")
    assert exc.value.problems[0][0] is not None and "not valid JSON" in exc.value.problems[0][1]
    assert not Framework.objects.exists()


def test_every_bad_json_skill_is_reported_with_the_line_it_starts_on(org):
    doc = dict(GOOD_JSON, skills=[{"name": "Python"}, {"name": ""}, {"name": "python"},
                                  {"name": "SQL", "levels": {"7": "??"}}])
    text = json.dumps(doc, indent=1)
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, text, filename="x.json", name="")
    lines = [line for line, _ in exc.value.problems]
    starts = [i + 1 for i, l in enumerate(text.splitlines()) if l.strip() == "{"][1 + 3:]  # after doc + 3 levels
    assert lines == starts[1:]
    assert "not one of the framework's levels" in exc.value.problems[-1][1]
    assert not Framework.objects.exists()


def test_a_csv_needs_a_framework_name(org):
    with pytest.raises(FrameworkFileError) as exc:
        run(org.lena, FRAMEWORK_CSV, name="")
    assert "name" in exc.value.problems[0][1]


def test_other_file_types_are_refused(org):
    with pytest.raises(FrameworkFileError):
        run(org.lena, FRAMEWORK_CSV, filename="skills.xlsx")


def test_re_import_updates_skills_and_levels_and_removes_what_left_the_file(org):
    run(org.lena, FRAMEWORK_CSV)
    changed = ("skill,category,description,1 Aware,2 Working,3 Expert\n"
               "Python,Engineering,Python at work,,,\n"
               "Kubernetes,Engineering,Running containers,,,\n")
    result = run(org.lena, changed)
    assert Framework.objects.count() == 1
    assert [lv.name for lv in result.framework.levels.all()] == ["Aware", "Working", "Expert"]
    assert FrameworkSkill.objects.get(skill__name="Python").description == "Python at work"
    assert sorted(result.removed) == ["Facilitation", "SQL"]
    assert set(FrameworkSkill.objects.values_list("skill__name", flat=True)) == {"Python", "Kubernetes"}


def test_a_broken_re_import_leaves_the_framework_as_it_was(org):
    run(org.lena, FRAMEWORK_CSV)
    with pytest.raises(FrameworkFileError):
        run(org.lena, "skill,1 Only\nPython,\n,\n\"unclosed,\n")
    assert FrameworkSkill.objects.count() == 3 and FrameworkLevel.objects.count() == 4
