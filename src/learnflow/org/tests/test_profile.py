"""A person's own profile: job, skills and interests, availability with a note, time zone."""
from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.org.models import User


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def profile_form(**overrides) -> dict:
    data = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org", "job_title": "Backend developer",
            "skills": "Python, SQL", "interests": "observability, #Rust", "availability": "busy",
            "availability_note": "Deep in a migration until Friday", "timezone": "Europe/Berlin"}
    data.update(overrides)
    return data


def test_profile_page_shows_my_details(ann_client, org):
    response = ann_client.get(reverse("profile"))
    assert response.status_code == 200
    assert response.context["form"].initial["timezone"] == "UTC"


def test_profile_saves_everything_typed(ann_client, org):
    response = ann_client.post(reverse("profile"), profile_form())
    assert response.status_code == 302
    ann = User.objects.get(pk=org.ann.pk)
    assert (ann.last_name, ann.email, ann.job_title, ann.availability, ann.availability_note, ann.timezone) == (
        "Lee", "ann@example.org", "Backend developer", "busy", "Deep in a migration until Friday", "Europe/Berlin")
    assert sorted(s.name for s in ann.skills.all()) == ["Python", "SQL"]
    assert sorted(t.name for t in ann.interests.all()) == ["observability", "rust"]


def test_profile_refuses_an_unknown_time_zone_and_keeps_what_was_typed(ann_client, org):
    response = ann_client.post(reverse("profile"), profile_form(timezone="Mars/Olympus"))
    assert response.status_code == 400
    assert response.context["form"].errors["timezone"]
    assert "Deep in a migration until Friday" in response.content.decode()
    assert User.objects.get(pk=org.ann.pk).timezone == "UTC"


def test_profile_refuses_an_unknown_availability(ann_client, org):
    response = ann_client.post(reverse("profile"), profile_form(availability="asleep"))
    assert response.status_code == 400 and response.context["form"].errors["availability"]


def test_profile_refuses_a_bad_email(ann_client, org):
    response = ann_client.post(reverse("profile"), profile_form(email="not-an-email"))
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert User.objects.get(pk=org.ann.pk).email == ""


def test_profile_cannot_change_my_role_or_team(ann_client, org):
    ann_client.post(reverse("profile"), {**profile_form(), "role": "admin", "team": org.sales.pk,
                                         "is_staff": "on"})
    ann = User.objects.get(pk=org.ann.pk)
    assert (ann.role, ann.team_id, ann.is_staff) == ("member", org.engineering.pk, False)


def test_my_time_zone_decides_what_today_is(ann_client, org):
    ann_client.post(reverse("profile"), profile_form(timezone="Pacific/Kiritimati"))
    from learnflow.journal.services import today_for
    import datetime as dt

    assert today_for(User.objects.get(pk=org.ann.pk)) == dt.datetime.now(
        dt.timezone(dt.timedelta(hours=14))).date()
