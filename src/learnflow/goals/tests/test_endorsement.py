"""Endorsement: asking, answering, the endorser's narrow view of the evidence, and reminders."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from learnflow.core.models import Event
from learnflow.goals import selectors, services
from learnflow.goals.models import EndorsementRequest, EndorsementStatus
from learnflow.goals.services import SkillPick
from learnflow.goals.tasks import endorsement_reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def anns_evidence(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann, title="Led the incident review", body="We found the **root cause**.")
    return services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)


@pytest.fixture
def ask(org, anns_evidence):
    def make(endorser=None, **kw):
        return services.endorsement_request(requester=org.ann, endorser=endorser or org.tim, evidence=anns_evidence,
                                            **kw)
    return make


def age(request, days: float):
    EndorsementRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days))
    request.refresh_from_db()


def test_asking_to_endorse_ones_own_evidence_is_refused(org, anns_evidence):
    with pytest.raises(ValidationError) as exc:
        services.endorsement_request(requester=org.ann, endorser=org.ann, evidence=anns_evidence)
    assert "cannot endorse your own evidence" in " ".join(exc.value.message_dict["endorser"])
    assert not EndorsementRequest.objects.exists()


def test_asking_about_someone_elses_evidence_is_refused(org, anns_evidence):
    with pytest.raises(PermissionDenied):
        services.endorsement_request(requester=org.tim, endorser=org.boss, evidence=anns_evidence)


def test_the_database_refuses_a_request_to_oneself(org, anns_evidence):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EndorsementRequest.objects.create(requester=org.ann, endorser=org.ann, evidence=anns_evidence)


def test_the_endorser_cannot_be_the_owner_even_if_a_request_says_so(org, ask, anns_evidence):
    request = ask()
    anns_evidence.owner = org.tim  # as if the evidence had changed hands after the request
    EndorsementRequest.objects.filter(pk=request.pk).update(endorser=org.tim)
    type(anns_evidence).objects.filter(pk=anns_evidence.pk).update(owner=org.tim)
    with pytest.raises(PermissionDenied):
        services.endorsement_confirm(request=request, actor=org.tim)


def test_the_colleague_sees_the_request_and_confirms_it_with_a_comment(org, ask):
    request = ask(message="You were there")
    assert [r.pk for r in selectors.endorsement_requests_for(viewer=org.tim, status="open")] == [request.pk]
    services.endorsement_confirm(request=request, actor=org.tim, comment="She ran it well.")
    request.refresh_from_db()
    assert request.status == EndorsementStatus.CONFIRMED and request.comment == "She ran it well."
    assert Event.objects.filter(actor=org.tim, verb="endorsed").exists()


def test_the_manager_can_decline(org, ask):
    request = ask(endorser=org.boss)
    services.endorsement_decline(request=request, actor=org.boss, comment="I was not there.")
    request.refresh_from_db()
    assert request.status == EndorsementStatus.DECLINED


def test_only_the_person_asked_can_answer(org, ask):
    request = ask()
    for other in (org.boss, org.eve, org.root, org.ann):
        with pytest.raises(PermissionDenied):
            services.endorsement_confirm(request=request, actor=other)


def test_an_answered_request_cannot_be_answered_again(org, ask):
    request = ask()
    services.endorsement_confirm(request=request, actor=org.tim)
    with pytest.raises(ValidationError):
        services.endorsement_decline(request=request, actor=org.tim)


def test_a_skill_level_can_be_put_up_for_confirmation(org, framework):
    request = services.endorsement_request(requester=org.ann, endorser=org.boss, skill="Python", level=3)
    assert request.skill.name == "Python" and request.level == 3


def test_the_endorser_sees_the_evidence_while_the_request_is_open(org, ask, anns_evidence):
    request = ask()
    view = selectors.endorsement_request_for_endorser(viewer=org.tim, pk=request.pk)
    assert view.evidence.entry.body == "We found the **root cause**."


def test_the_endorser_sees_the_content_through_the_request_page(org, ask, client):
    request = ask()
    client.force_login(org.tim)
    page = client.get(reverse("goals:request", args=[request.pk]))
    assert b"root cause" in page.content


def test_the_endorser_does_not_get_the_entry_itself(org, ask, anns_evidence, client):
    ask()
    client.force_login(org.tim)
    assert client.get(reverse("journal:detail", args=[anns_evidence.entry_id])).status_code == 404
    assert client.get(reverse("goals:detail", args=[anns_evidence.goal_id])).status_code == 404


def test_after_answering_the_endorser_no_longer_sees_the_content(org, ask):
    request = ask()
    services.endorsement_confirm(request=request, actor=org.tim)
    view = selectors.endorsement_request_for_endorser(viewer=org.tim, pk=request.pk)
    assert view.evidence is None


def test_someone_not_asked_cannot_open_the_request(org, ask):
    from learnflow.core.errors import NotFound

    request = ask()
    for other in (org.boss, org.eve, org.root, org.lena):
        with pytest.raises(NotFound):
            selectors.endorsement_request_for_endorser(viewer=other, pk=request.pk)


def test_the_endorser_can_download_an_evidence_file_only_while_asked(org, goal_factory, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_file(owner=org.ann, goal=goal,
                                               upload=SimpleUploadedFile("talk.txt", b"slides"))
    url = reverse("goals:evidence_file", args=[evidence.pk])
    client.force_login(org.tim)
    assert client.get(url).status_code == 404
    request = services.endorsement_request(requester=org.ann, endorser=org.tim, evidence=evidence)
    assert client.get(url).status_code == 200
    services.endorsement_decline(request=request, actor=org.tim)
    assert client.get(url).status_code == 404


def test_confirmed_endorsement_shows_on_the_evidence_map(org, goal_factory, framework):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr/7",
                                               skills=[SkillPick("Python", 2)])
    request = services.endorsement_request(requester=org.ann, endorser=org.tim, evidence=evidence)
    services.endorsement_confirm(request=request, actor=org.tim)
    row = next(r for r in selectors.evidence_map(viewer=org.ann, framework=framework) if r.skill.name == "Python")
    assert row.confirmed_level == 2 and [r.endorser for r in row.endorsements] == [org.tim]


# --- reminders

def test_a_request_older_than_its_interval_is_reminded_by_email(org, ask):
    org.tim.email = "tim@example.org"
    org.tim.save()
    request = ask(remind_after_days=3)
    age(request, 3.5)
    assert endorsement_reminders_send.call() == [request.pk]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tim@example.org"]
    request.refresh_from_db()
    assert request.reminder_count == 1 and request.reminded_on == timezone.now().date()


def test_a_request_younger_than_its_interval_is_not_reminded(org, ask):
    request = ask(remind_after_days=3)
    age(request, 2)
    assert endorsement_reminders_send.call() == []
    assert mail.outbox == []


def test_reminders_are_sent_once_a_day_however_often_the_task_runs(org, ask):
    org.tim.email = "tim@example.org"
    org.tim.save()
    request = ask(remind_after_days=1)
    age(request, 5)
    endorsement_reminders_send.call()
    endorsement_reminders_send.call()
    assert len(mail.outbox) == 1
    request.refresh_from_db()
    assert request.reminder_count == 1


def test_a_reminder_is_repeated_after_another_interval(org, ask):
    request = ask(remind_after_days=2)
    age(request, 10)
    services.endorsement_reminders_send_due()
    EndorsementRequest.objects.filter(pk=request.pk).update(reminded_on=timezone.now().date() - dt.timedelta(days=2))
    assert services.endorsement_reminders_send_due() == [request.pk]
    request.refresh_from_db()
    assert request.reminder_count == 2


def test_answered_requests_are_not_reminded(org, ask):
    request = ask(remind_after_days=1)
    age(request, 5)
    services.endorsement_confirm(request=request, actor=org.tim)
    assert services.endorsement_reminders_send_due() == []


def test_a_person_without_email_still_gets_the_in_app_reminder(org, ask):
    request = ask(remind_after_days=1)
    age(request, 2)
    assert services.endorsement_reminders_send_due() == [request.pk]
    assert mail.outbox == []
    request.refresh_from_db()
    assert request.reminded_on is not None


def test_remind_after_must_be_between_one_and_ninety_days(org, ask):
    with pytest.raises(ValidationError):
        ask(remind_after_days=0)


def test_making_a_request_queues_one_reminder_run(org, anns_evidence, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.endorsement_request(requester=org.ann, endorser=org.tim, evidence=anns_evidence)
    with django_capture_on_commit_callbacks(execute=True):
        services.endorsement_request(requester=org.ann, endorser=org.boss, evidence=anns_evidence)
    queued = DBTaskResult.objects.filter(task_path="learnflow.goals.tasks.endorsement_reminders_send")
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
