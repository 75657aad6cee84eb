from __future__ import annotations

import datetime as dt

from django.utils import timezone

from learnflow.flow import selectors
from learnflow.flow.models import Digest, DigestItem, Frequency
from learnflow.flow.services import digest_preference_update, digests_build


def test_weekly_digest_is_emailed_and_shown_in_app(org, world, mailoutbox, client):
    org.tim.email = "tim@example.com"
    org.tim.save()
    run = digests_build(now=timezone.now() + dt.timedelta(seconds=1))
    assert run.digests >= 2
    mail = next(m for m in mailoutbox if m.to == ["tim@example.com"])
    assert "STRIDE in an hour" in mail.body and "ann for her team" in mail.body
    assert "weekly" in mail.subject
    client.force_login(org.tim)
    page = client.get("/flow/")
    assert page.status_code == 200
    digest = Digest.objects.get(user=org.tim)
    detail = client.get(f"/flow/digests/{digest.pk}/")
    assert "ann for her team" in detail.content.decode()


def test_no_item_is_ever_repeated(org, world, resource_factory, topics):
    now = timezone.now()
    digests_build(now=now + dt.timedelta(seconds=1))
    first = set(DigestItem.objects.filter(user=org.tim).values_list("key", flat=True))
    assert first
    # An edit moves an entry's time into the next window; it was sent already, so it is not sent again.
    world.team_entry.title = "ann for her team (edited)"
    world.team_entry.save()
    newer = resource_factory(title="Newer", author=org.root, topics=[topics[0]], published_at=now + dt.timedelta(days=3))
    digests_build(now=now + dt.timedelta(days=8))
    second = Digest.objects.filter(user=org.tim).order_by("-end").first()
    keys = list(second.items.values_list("key", flat=True))
    assert keys == [f"resource:{newer.uid}"]


def test_a_digest_is_not_built_twice_in_a_period(org, world):
    now = timezone.now() + dt.timedelta(seconds=1)
    digests_build(now=now)
    again = digests_build(now=now + dt.timedelta(hours=2))
    assert again.people == 0


def test_daily_people_get_one_a_day_and_off_means_none(org, world):
    digest_preference_update(user=org.tim, frequency=Frequency.DAILY, by_email=False)
    digest_preference_update(user=org.boss, frequency=Frequency.OFF, by_email=False)
    now = timezone.now() + dt.timedelta(seconds=1)
    digests_build(now=now)
    assert not Digest.objects.filter(user=org.boss).exists()
    tomorrow = digests_build(now=now + dt.timedelta(days=1))
    assert tomorrow.people == 1  # tim (daily); the weekly people are not due yet
    assert Digest.objects.filter(user=org.tim).first().frequency == Frequency.DAILY


def test_nothing_new_means_no_digest_and_no_email(org, mailoutbox):
    run = digests_build(now=timezone.now())
    assert run.digests == 0 and mailoutbox == []


def test_settings_page_keeps_the_choice(org, client):
    client.force_login(org.ann)
    response = client.post("/flow/settings/", {"frequency": "daily"})
    assert response.status_code == 302
    assert selectors.preference_for(viewer=org.ann).frequency == "daily"
    assert selectors.preference_for(viewer=org.ann).by_email is False
    bad = client.post("/flow/settings/", {"frequency": "hourly"})
    assert bad.status_code == 400


def test_cli_hook_builds_now(org, world, capsys):
    from learnflow.flow.cli import digests_send

    digests_send(now=True)
    assert "digests built" in capsys.readouterr().out
