"""Goals, steps and evidence: what a person may write, and the clear refusals."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from learnflow.core.models import Event
from learnflow.goals import services
from learnflow.goals.models import Evidence, EvidenceKind, GoalStatus, Step
from learnflow.goals.services import SkillPick

pytestmark = pytest.mark.django_db


def messages_of(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


def test_a_new_goal_is_private_and_recorded_as_set(org, goal_factory):
    goal = goal_factory(org.ann, why="Reviews stall", success="Reviews close within two days")
    assert goal.visibility == "private"
    assert goal.status == GoalStatus.ACTIVE
    assert Event.objects.filter(actor=org.ann, verb="set", object_id=str(goal.pk)).exists()


def test_target_date_before_today_is_refused_with_a_clear_message(org, in_days):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(owner=org.ann, title="Too late", target_date=in_days(org.ann, -1))
    assert "cannot be before today" in messages_of(exc, "target_date")


def test_goal_without_a_title_is_refused(org, in_days):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(owner=org.ann, title="  ", target_date=in_days(org.ann, 10))
    assert "title" in exc.value.message_dict


def test_an_overdue_goal_can_still_be_edited_without_moving_its_date(org, goal_factory, in_days):
    goal = goal_factory(org.ann)
    type(goal).objects.filter(pk=goal.pk).update(target_date=in_days(org.ann, -5))
    goal.refresh_from_db()
    services.goal_update(goal=goal, actor=org.ann, title="Renamed", target_date=goal.target_date)
    goal.refresh_from_db()
    assert goal.title == "Renamed"


def test_only_the_owner_can_change_a_goal(org, goal_factory):
    goal = goal_factory(org.ann, visibility="team")
    for other in (org.boss, org.tim, org.root, org.lena):
        with pytest.raises(PermissionDenied):
            services.goal_update(goal=goal, actor=other, title="Hijacked")


def test_achieving_a_goal_records_the_day_and_an_achieved_event(org, goal_factory):
    goal = goal_factory(org.ann)
    services.goal_update(goal=goal, actor=org.ann, status=GoalStatus.ACHIEVED)
    assert goal.achieved_on is not None
    assert Event.objects.filter(actor=org.ann, verb="achieved", object_id=str(goal.pk)).exists()


def test_steps_are_kept_in_the_order_they_were_added_and_can_be_moved(org, goal_factory):
    goal = goal_factory(org.ann)
    first = services.step_add(goal=goal, actor=org.ann, title="Read the guide")
    second = services.step_add(goal=goal, actor=org.ann, title="Shadow a review")
    third = services.step_add(goal=goal, actor=org.ann, title="Lead one")
    services.step_move(step=third, actor=org.ann, offset=-1)
    assert [s.pk for s in goal.steps.all()] == [first.pk, third.pk, second.pk]


def test_a_step_due_after_the_goals_target_date_is_refused(org, goal_factory, in_days):
    goal = goal_factory(org.ann, days=30)
    with pytest.raises(ValidationError) as exc:
        services.step_add(goal=goal, actor=org.ann, title="Too late", due_date=in_days(org.ann, 31))
    assert "after its goal's target date" in messages_of(exc, "due_date")
    assert not Step.objects.exists()


def test_a_step_due_on_the_target_date_is_accepted(org, goal_factory, in_days):
    goal = goal_factory(org.ann, days=30)
    step = services.step_add(goal=goal, actor=org.ann, title="Last one", due_date=in_days(org.ann, 30))
    assert step.due_date == goal.target_date


def test_a_step_due_in_the_past_is_refused(org, goal_factory, in_days):
    goal = goal_factory(org.ann, days=30)
    with pytest.raises(ValidationError) as exc:
        services.step_add(goal=goal, actor=org.ann, title="Yesterday", due_date=in_days(org.ann, -1))
    assert "before today" in messages_of(exc, "due_date")


def test_moving_the_target_date_before_a_step_is_refused_naming_the_step(org, goal_factory, in_days):
    goal = goal_factory(org.ann, days=30)
    services.step_add(goal=goal, actor=org.ann, title="Present the results", due_date=in_days(org.ann, 25))
    with pytest.raises(ValidationError) as exc:
        services.goal_update(goal=goal, actor=org.ann, target_date=in_days(org.ann, 20))
    assert "Present the results" in messages_of(exc, "target_date")
    goal.refresh_from_db()
    assert goal.target_date == in_days(org.ann, 30)


def test_ticking_off_a_step_counts_towards_progress(org, goal_factory):
    from learnflow.goals.selectors import goal_get_own, goal_progress

    goal = goal_factory(org.ann)
    step = services.step_add(goal=goal, actor=org.ann, title="One")
    services.step_add(goal=goal, actor=org.ann, title="Two")
    services.step_update(step=step, actor=org.ann, done=True)
    progress = goal_progress(goal_get_own(viewer=org.ann, pk=goal.pk))
    assert (progress.done, progress.total, progress.percent) == (1, 2, 50)


# --- evidence

def test_own_entry_becomes_evidence_and_is_recorded_as_evidenced(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann, title="Ran my first review")
    evidence = services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)
    assert evidence.kind == EvidenceKind.ENTRY and evidence.owner == org.ann
    assert Event.objects.filter(actor=org.ann, verb="evidenced", object_id=str(goal.pk)).exists()


def test_someone_elses_entry_is_refused_as_evidence_even_when_shared(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    tims = entry_factory(org.tim, title="Tim's shared entry", visibility="organisation")
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=tims)
    assert "not yours" in messages_of(exc, "entry")
    assert not Evidence.objects.exists()


def test_a_private_entry_of_someone_else_is_refused_as_evidence(org, goal_factory, entry_factory):
    goal = goal_factory(org.boss)
    anns_private = entry_factory(org.ann, title="Ann's private entry")
    with pytest.raises(ValidationError):
        services.goal_evidence_add_entry(owner=org.boss, goal=goal, entry=anns_private)
    assert not Evidence.objects.exists()


def test_the_same_entry_twice_on_one_goal_is_refused(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann)
    services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)
    assert "already evidence" in messages_of(exc, "entry")


def test_nobody_but_the_owner_can_attach_evidence_to_a_goal(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann, visibility="organisation")
    with pytest.raises(PermissionDenied):
        services.goal_evidence_add_link(owner=org.boss, goal=goal, url="https://example.org/review")


def test_recorded_activity_about_the_owner_is_accepted_as_evidence(org, goal_factory, statement_for):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_activity(owner=org.ann, goal=goal, statement=statement_for(org.ann))
    assert evidence.kind == EvidenceKind.ACTIVITY


def test_recorded_activity_about_someone_else_is_refused_as_evidence(org, goal_factory, statement_for):
    goal = goal_factory(org.ann)
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_activity(owner=org.ann, goal=goal, statement=statement_for(org.tim))
    assert "not yours" in messages_of(exc, "statement")


def test_a_link_must_be_a_web_address(org, goal_factory):
    goal = goal_factory(org.ann)
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_link(owner=org.ann, goal=goal, url="javascript:alert(1)")
    assert "not a web address" in messages_of(exc, "url")


def test_a_file_of_an_allowed_type_is_stored_as_evidence(org, goal_factory):
    goal = goal_factory(org.ann)
    upload = SimpleUploadedFile("notes.txt", b"what I showed", content_type="text/plain")
    evidence = services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=upload)
    assert evidence.original_name == "notes.txt" and evidence.size == 13
    assert evidence.file.read() == b"what I showed"


def test_a_file_of_a_refused_type_is_refused_with_the_journals_message(org, goal_factory):
    goal = goal_factory(org.ann)
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=upload)
    assert "cannot be attached" in messages_of(exc, "file")
    assert not Evidence.objects.exists()


def test_an_oversized_file_is_refused(org, goal_factory, settings):
    settings.MAX_UPLOAD_BYTES = 10
    goal = goal_factory(org.ann)
    upload = SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain")
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=upload)
    assert "larger than" in messages_of(exc, "file")


def test_evidence_for_a_step_of_another_goal_is_refused(org, goal_factory):
    goal, other = goal_factory(org.ann), goal_factory(org.ann, title="Other")
    step = services.step_add(goal=other, actor=org.ann, title="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org", step=step)
    assert "another goal" in messages_of(exc, "step")


def test_evidence_can_show_a_skill_at_a_framework_level(org, goal_factory, framework):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr/1",
                                               skills=[SkillPick("Python", 3)])
    assert [(s.skill.name, s.level) for s in evidence.evidence_skills.all()] == [("Python", 3)]


def test_a_level_the_framework_does_not_have_is_refused(org, goal_factory, framework):
    goal = goal_factory(org.ann)
    with pytest.raises(ValidationError) as exc:
        services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr/1",
                                        skills=[SkillPick("Python", 9)])
    assert "Level 9" in messages_of(exc, "skills")
    assert not Evidence.objects.exists()


def test_removing_evidence_leaves_the_entry_in_the_journal(org, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann)
    evidence = services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry)
    services.goal_evidence_remove(evidence=evidence, actor=org.ann)
    entry.refresh_from_db()
    assert not Evidence.objects.exists()
