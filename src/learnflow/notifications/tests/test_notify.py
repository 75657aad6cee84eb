"""notify(): in-app at once, email as each person chose (at once, daily, never), and the daily email never tells
anyone about something they can no longer see."""
from __future__ import annotations

import pytest
from django.core import mail

from learnflow.account.models import Notice
from learnflow.notifications.models import PendingEmail
from learnflow.notifications.services import channel_for, daily_emails_send, notify, settings_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(org):
    for person in org.everyone.values():
        person.email = f"{person.username}@example.org"
        person.save()
    return org


def test_in_app_at_once_and_email_at_once_by_default_for_mentions(emails, django_capture_on_commit_callbacks):
    org = emails
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=org.ann, kind="mention", text="Boss mentioned you", url="/communities/", actor=org.boss)
    assert Notice.objects.filter(user=org.ann, text="Boss mentioned you").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.org"]


def test_never_means_in_app_only(emails, django_capture_on_commit_callbacks):
    org = emails
    settings_update(user=org.ann, choices={"": "never"})
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=org.ann, kind="mention", text="x", url="/")
    assert Notice.objects.filter(user=org.ann).count() == 1 and mail.outbox == []


def test_a_kind_of_its_own_wins_over_the_general_choice(emails):
    org = emails
    settings_update(user=org.ann, choices={"": "never", "answer": "daily"})
    assert channel_for(user=org.ann, kind="answer") == "daily"
    assert channel_for(user=org.ann, kind="mention") == "never"


def test_daily_email_gathers_everything_once(emails, django_capture_on_commit_callbacks):
    org = emails
    settings_update(user=org.ann, choices={"": "daily"})
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=org.ann, kind="reply", text="Tim replied", url="/a/")
        notify(user=org.ann, kind="mention", text="Boss mentioned you", url="/b/")
    assert mail.outbox == []
    assert daily_emails_send() == {"people": 1, "items": 2, "withheld": 0}
    assert len(mail.outbox) == 1 and "Tim replied" in mail.outbox[0].body and "Boss mentioned" in mail.outbox[0].body
    assert daily_emails_send()["people"] == 0  # nothing twice


def test_the_daily_email_leaves_out_a_post_the_person_can_no_longer_see(emails, communities, post_in):
    from learnflow.community.services import community_leave

    org = emails
    settings_update(user=org.boss, choices={"": "daily"})
    post = post_in(communities["hidden"], kind="stuck", title="", body="@boss help")
    assert PendingEmail.objects.filter(user=org.boss).count() == 1
    # boss hands facilitation to ann, then leaves the hidden community before the daily email goes.
    from learnflow.community.services import member_add

    member_add(community=communities["hidden"], actor=org.boss, user=org.ann, role="facilitator")
    community_leave(community=communities["hidden"], actor=org.boss)
    assert post.pk
    assert daily_emails_send()["withheld"] == 1
    assert not [m for m in mail.outbox if "boss@example.org" in m.to]


def test_nobody_is_told_about_their_own_action_or_while_inactive(emails):
    org = emails
    assert notify(user=org.ann, kind="reply", text="x", url="/", actor=org.ann) is False
    org.tim.is_active = False
    org.tim.save()
    assert notify(user=org.tim, kind="reply", text="x", url="/") is False
    assert not Notice.objects.exists()


def test_the_settings_page_saves_choices(emails, client):
    org = emails
    client.force_login(org.ann)
    assert client.get("/notifications/settings/").status_code == 200
    response = client.post("/notifications/settings/", {"default": "daily", "kind_mention": "immediately"})
    assert response.status_code == 302
    assert channel_for(user=org.ann, kind="reply") == "daily"
    assert channel_for(user=org.ann, kind="mention") == "immediately"


def test_the_api_reads_and_changes_choices(emails, client, token_for):
    org = emails
    auth = token_for(org.ann)
    response = client.put("/api/notifications/settings", {"kinds": {"reply": "never"}},
                          content_type="application/json", **auth)
    assert response.status_code == 200
    kinds = {k["kind"]: k for k in response.json()["kinds"]}
    assert kinds["reply"]["effective"] == "never"
    bad = client.put("/api/notifications/settings", {"kinds": {"reply": "hourly"}}, content_type="application/json",
                     **auth)
    assert bad.status_code == 422 and "reply" in bad.content.decode()
