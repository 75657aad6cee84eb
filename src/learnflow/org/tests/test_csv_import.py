from __future__ import annotations

import pytest
from django.test import Client

from learnflow.org.csv_import import people_csv_check, people_csv_import
from learnflow.org.models import Role, Team, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_urls", "fast_password_hashing")]

HEADER = "username,first_name,last_name,email,role,team,parent_team,manager,job_title,skills"


def test_valid_file_creates_people_teams_and_skills(org, csv_bytes):
    result = people_csv_import(data=csv_bytes(
        HEADER,
        "zoe,Zoe,Ng,zoe@example.com,manager,Platform,Engineering,,Lead engineer,Go;Kubernetes",
        "max,Max,Roe,max@example.com,member,Platform,Engineering,zoe,Engineer,Go",
    ))

    assert result.ok, result.errors
    max_ = User.objects.get(username="max")
    assert (max_.team.name, max_.team.parent, max_.manager.username) == ("Platform", org.engineering, "zoe")
    assert User.objects.get(username="zoe").role == Role.MANAGER
    assert sorted(s.name for s in User.objects.get(username="zoe").skills.all()) == ["Go", "Kubernetes"]
    assert result.teams_created == ["Platform"]


def test_manager_may_be_defined_further_down_the_file(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username,manager", "max,zoe", "zoe,"))

    assert result.ok, result.errors
    assert User.objects.get(username="max").manager == User.objects.get(username="zoe")


def test_one_bad_row_imports_nothing_and_names_the_line_and_field(db, csv_bytes):
    result = people_csv_import(data=csv_bytes(
        HEADER,
        "zoe,Zoe,Ng,zoe@example.com,manager,Platform,,,,",
        "max,Max,Roe,not-an-email,member,Platform,,zoe,,",
        "kim,Kim,Lee,kim@example.com,member,NewTeam,,,,",
    ))

    assert not result.ok
    assert [(e.line, e.field) for e in result.errors] == [(3, "email")]
    assert not User.objects.filter(username__in=["zoe", "max", "kim"]).exists()
    assert not Team.objects.filter(name__in=["Platform", "NewTeam"]).exists()


def test_every_bad_row_is_reported(db, csv_bytes):
    plan = people_csv_check(data=csv_bytes(
        "username,role,manager",
        "zoe,boss,",
        "max,member,nobody",
        "zoe,member,",
        ",member,",
    ))

    assert [(e.line, e.field) for e in plan.errors] == [
        (2, "role"), (3, "manager"), (4, "username"), (5, "username")]


def test_reimport_updates_people_without_duplicating(org, csv_bytes):
    people_csv_import(data=csv_bytes("username,job_title,team", "zoe,Engineer,Platform"))

    result = people_csv_import(data=csv_bytes("username,job_title,team", "ZOE,Staff engineer,platform"))

    assert result.ok, result.errors
    assert User.objects.filter(username__iexact="zoe").count() == 1
    assert Team.objects.filter(name__iexact="platform").count() == 1
    assert User.objects.get(username="zoe").job_title == "Staff engineer"
    assert (len(result.created), len(result.updated)) == (0, 1)


def test_reimport_keeps_values_of_empty_cells(org, csv_bytes):
    people_csv_import(data=csv_bytes("username,email,manager", "ann,ann@example.com,"))

    assert User.objects.get(username="ann").manager == org.boss


def test_reimport_never_changes_an_existing_password(org, csv_bytes):
    people_csv_import(data=csv_bytes("username,job_title", "ann,Engineer"), password="a new secret phrase 42")

    assert User.objects.get(username="ann").check_password(org.password)


def test_managers_in_a_circle_are_refused(org, csv_bytes):
    plan = people_csv_check(data=csv_bytes("username,manager", "boss,ann"))

    assert [(e.line, e.field) for e in plan.errors] == [(2, "manager")]


def test_a_team_inside_itself_through_another_is_refused(db, csv_bytes):
    plan = people_csv_check(data=csv_bytes("username,team,parent_team", "a,Red,Blue", "b,Blue,Red"))

    assert {e.field for e in plan.errors} == {"parent_team"}


def test_unknown_column_is_reported_on_line_one(db, csv_bytes):
    plan = people_csv_check(data=csv_bytes("username,salary", "zoe,100"))

    assert [(e.line, e.message[:15]) for e in plan.errors] == [(1, "Unknown column ")]


def test_file_that_is_not_utf8_is_refused_in_plain_words(db):
    plan = people_csv_check(data="username\nzoë\n".encode("latin-1"))

    assert "UTF-8" in plan.errors[0].message


def test_semicolon_separated_file_from_a_spreadsheet_is_read(db):
    result = people_csv_import(data="username;first_name;skills\nzoe;Zoe;Go\n".encode())

    assert result.ok, result.errors
    assert User.objects.get(username="zoe").first_name == "Zoe"


def test_new_people_get_no_usable_password_but_a_working_one_time_link(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username", "zoe"), base_url="http://testserver")
    zoe = User.objects.get(username="zoe")
    link = result.set_password_links["zoe"].removeprefix("http://testserver")
    client = Client()

    assert not zoe.has_usable_password()
    page = client.get(link, follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "river stones at dawn 7",
                                                         "new_password2": "river stones at dawn 7"})
    assert response.status_code == 302
    zoe.refresh_from_db()
    assert zoe.check_password("river stones at dawn 7")
    assert client.get(link, follow=True).context["validlink"] is False


def test_given_password_is_set_for_new_people_and_no_link_printed(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username", "zoe"), password="a new secret phrase 42")

    assert User.objects.get(username="zoe").check_password("a new secret phrase 42")
    assert result.set_password_links == {}


def test_weak_default_password_is_refused_before_anything_is_imported(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username", "zoe"), password="123")

    assert [e.field for e in result.errors] == ["password"]
    assert not User.objects.filter(username="zoe").exists()


@pytest.mark.parametrize("role_word, role", [("L&D", Role.LND), ("Admin", Role.ADMIN), ("lnd", Role.LND)])
def test_roles_are_read_by_value_or_label(db, csv_bytes, role_word, role):
    people_csv_import(data=csv_bytes("username,role", f'zoe,"{role_word}"'))

    assert User.objects.get(username="zoe").role == role


def test_teams_nest_several_levels_in_any_row_order(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username,team,parent_team", "a,Backend,Platform", "b,Platform,Tech",
                                              "c,Tech,"))

    assert result.ok, result.errors
    backend = Team.objects.get(name="Backend")
    assert (backend.parent.name, backend.parent.parent.name) == ("Platform", "Tech")


def test_semicolons_in_skills_do_not_confuse_a_comma_separated_file(db, csv_bytes):
    result = people_csv_import(data=csv_bytes("username,skills", "zoe,Go;SQL;Kubernetes"))

    assert result.ok, result.errors
    assert User.objects.get(username="zoe").skills.count() == 3
