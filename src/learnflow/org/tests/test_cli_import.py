from __future__ import annotations

import pytest
from typer.testing import CliRunner

from learnflow.cli import app
from learnflow.org.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("admin_urls")]


def test_import_people_prints_a_set_password_link_for_each_new_person(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("username,first_name,manager\nmax,Max,zoe\nzoe,Zoe,\n")

    result = CliRunner().invoke(app, ["import-people", str(people)])

    assert result.exit_code == 0, result.output
    assert "Imported 2 new" in result.output
    assert "max: http" in result.output and "/welcome/" in result.output
    assert User.objects.get(username="max").manager.username == "zoe"


def test_import_people_with_a_bad_row_exits_1_and_names_the_line(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("username,email\nmax,max@example.com\nzoe,not-an-email\n")

    result = CliRunner().invoke(app, ["import-people", str(people)])

    assert result.exit_code == 1
    assert "line 3, email" in result.output
    assert not User.objects.filter(username="max").exists()
