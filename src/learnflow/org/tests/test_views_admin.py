from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learnflow.org.models import Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_urls", "fast_password_hashing")]

MANAGE = "/people/manage/"
IMPORT = "/people/manage/import/"


@pytest.fixture
def as_root(client, org):
    client.force_login(org.root)
    return client


@pytest.mark.parametrize("persona", ["ann", "boss", "lena"])
def test_people_who_are_not_admins_get_403_on_every_manage_page(client, org, persona):
    client.force_login(getattr(org, persona))

    codes = {url: client.get(url).status_code
             for url in (MANAGE, f"{MANAGE}new/", f"{MANAGE}{org.ann.pk}/", IMPORT)}

    assert set(codes.values()) == {403}, codes


def test_non_admin_cannot_change_a_person_by_posting(client, org):
    client.force_login(org.boss)

    response = client.post(f"{MANAGE}{org.ann.pk}/", {"role": "admin", "is_active": "on"})

    assert response.status_code == 403
    assert User.objects.get(pk=org.ann.pk).role == Role.MEMBER


def test_signed_out_visitor_is_sent_to_sign_in(client, org):
    response = client.get(MANAGE)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_shows_team_manager_role_and_status(as_root, org):
    page = as_root.get(MANAGE).content.decode()

    assert "Ann" in page and "Engineering" in page and "Boss" in page and "Member" in page and "Active" in page


def test_search_narrows_the_list(as_root, org):
    response = as_root.get(MANAGE, {"q": "eve"})

    assert [p.username for p in response.context["people"]] == ["eve"]


def test_filters_by_team_and_status(as_root, org):
    org.tim.is_active = False
    org.tim.save()

    response = as_root.get(MANAGE, {"team": org.engineering.pk, "active": "no"})

    assert [p.username for p in response.context["people"]] == ["tim"]


def test_admin_creates_a_person_and_gets_a_set_password_link(as_root, org):
    response = as_root.post(f"{MANAGE}new/", {"username": "zoe", "first_name": "Zoe", "role": "member",
                                              "team": org.sales.pk, "manager": "sam", "skills": "Go, SQL"}, follow=True)

    zoe = User.objects.get(username="zoe")
    assert (zoe.team, zoe.manager, zoe.has_usable_password()) == (org.sales, org.sam, False)
    assert "/welcome/" in response.context["invite_link"]


def test_create_form_keeps_what_was_typed_and_names_the_problem(as_root, org):
    response = as_root.post(f"{MANAGE}new/", {"username": "zoe", "first_name": "Zoe", "role": "member",
                                              "manager": "nobody"})

    assert response.status_code == 400
    assert "No person with username “nobody”." in response.context["form"].errors["manager"]
    assert 'value="Zoe"' in response.content.decode()
    assert not User.objects.filter(username="zoe").exists()


def test_create_refuses_a_taken_username(as_root, org):
    response = as_root.post(f"{MANAGE}new/", {"username": "ANN", "role": "member"})

    assert response.status_code == 400
    assert "username" in response.context["form"].errors


def test_admin_edits_role_team_manager_and_active(as_root, org):
    as_root.post(f"{MANAGE}{org.ann.pk}/", {"role": "manager", "team": org.sales.pk, "manager": "sam",
                                            "first_name": "Ann"})

    ann = User.objects.get(pk=org.ann.pk)
    assert (ann.role, ann.team, ann.manager, ann.is_active) == (Role.MANAGER, org.sales, org.sam, False)


def test_edit_refuses_a_manager_circle_and_keeps_the_form(as_root, org):
    response = as_root.post(f"{MANAGE}{org.boss.pk}/", {"role": "manager", "manager": "ann", "is_active": "on",
                                                        "job_title": "Head of things"})

    assert response.status_code == 400
    assert response.context["form"].errors["manager"]
    assert 'value="Head of things"' in response.content.decode()
    assert User.objects.get(pk=org.boss.pk).manager is None


def test_admin_cannot_remove_their_own_admin_role(as_root, org):
    response = as_root.post(f"{MANAGE}{org.root.pk}/", {"role": "member", "is_active": "on"})

    assert response.status_code == 400
    assert User.objects.get(pk=org.root.pk).role == Role.ADMIN


def _upload(client, text: str):
    return client.post(IMPORT, {"action": "check", "file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")})


def test_upload_with_a_bad_row_shows_every_error_and_imports_nothing(as_root, org):
    response = _upload(as_root, "username,email,role\nzoe,zoe@example.com,member\nmax,nope,member\nkim,,chief\n")

    assert response.status_code == 400
    assert [(e.line, e.field) for e in response.context["errors"]] == [(3, "email"), (4, "role")]
    assert "Nothing was imported" in response.content.decode()
    as_root.post(IMPORT, {"action": "import"})
    assert not User.objects.filter(username__in=["zoe", "max", "kim"]).exists()


def test_upload_previews_then_imports_on_confirmation(as_root, org):
    preview = _upload(as_root, "username,team\nzoe,Platform\nann,Engineering\n")

    assert (preview.context["plan"].new_usernames, preview.context["plan"].existing_usernames) == (["zoe"], ["ann"])
    assert not User.objects.filter(username="zoe").exists()

    done = as_root.post(IMPORT, {"action": "import", "digest": preview.context["digest"]})

    assert done.status_code == 200
    assert User.objects.get(username="zoe").team.name == "Platform"
    assert "zoe" in done.context["result"].set_password_links


def test_confirming_twice_does_not_import_twice(as_root, org):
    digest = _upload(as_root, "username\nzoe\n").context["digest"]
    as_root.post(IMPORT, {"action": "import", "digest": digest})

    again = as_root.post(IMPORT, {"action": "import", "digest": digest})

    assert again.status_code == 302
    assert User.objects.filter(username="zoe").count() == 1


def test_confirming_an_older_preview_imports_nothing(as_root, org):
    older = _upload(as_root, "username\nzoe\n").context["digest"]
    _upload(as_root, "username\nmax\n")

    response = as_root.post(IMPORT, {"action": "import", "digest": older})

    assert response.status_code == 302
    assert not User.objects.filter(username__in=["zoe", "max"]).exists()
