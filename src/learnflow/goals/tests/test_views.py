"""The goal pages: forms keep what was typed and say what is wrong; evidence, steps, sharing, the evidence map, the
requests page and the framework import page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnflow.goals import services
from learnflow.goals.models import EndorsementRequest, Evidence, Framework, Goal, Step

from .conftest import FRAMEWORK_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def test_setting_a_goal_from_the_form_redirects_to_its_page(org, ann_client, in_days, framework):
    response = ann_client.post(reverse("goals:new"), {
        "title": "Lead design reviews", "why": "Reviews stall", "success": "Reviews close in two days",
        "target_date": in_days(org.ann, 30).isoformat(), "visibility": "private", "skills": "Python: 2, SQL"})
    goal = Goal.objects.get(owner=org.ann)
    assert response.status_code == 302 and response["Location"] == reverse("goals:detail", args=[goal.pk])
    assert sorted(gs.skill.name for gs in goal.goal_skills.all()) == ["Python", "SQL"]


def test_a_past_target_date_keeps_what_was_typed_and_says_why(org, ann_client, in_days):
    response = ann_client.post(reverse("goals:new"), {
        "title": "Lead design reviews", "why": "Reviews stall", "target_date": in_days(org.ann, -3).isoformat(),
        "visibility": "team"})
    assert response.status_code == 400
    assert "cannot be before today" in response.content.decode()
    assert b'value="Lead design reviews"' in response.content and b"Reviews stall" in response.content
    assert not Goal.objects.exists()


def test_a_skill_level_that_is_not_a_number_is_a_field_error(org, ann_client, in_days):
    response = ann_client.post(reverse("goals:new"), {
        "title": "x", "target_date": in_days(org.ann, 3).isoformat(), "visibility": "private",
        "skills": "Python: expert"})
    assert response.status_code == 400 and "must be a number" in response.content.decode()


def test_editing_keeps_the_goal_and_changes_its_status(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    response = ann_client.post(reverse("goals:edit", args=[goal.pk]), {
        "title": goal.title, "target_date": goal.target_date.isoformat(), "status": "achieved",
        "visibility": "private"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved"


def test_the_goal_page_shows_steps_and_progress(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    step = services.step_add(goal=goal, actor=org.ann, title="Shadow a review")
    services.step_add(goal=goal, actor=org.ann, title="Lead one")
    services.step_update(step=step, actor=org.ann, done=True)
    page = ann_client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "1 of 2 steps done" in page and "Shadow a review" in page


def test_a_step_due_after_the_target_is_shown_beside_the_field(org, ann_client, goal_factory):
    goal = goal_factory(org.ann, days=10)
    response = ann_client.post(reverse("goals:step_add", args=[goal.pk]), {
        "title": "Too late", "due_date": (goal.target_date + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "after its goal&#x27;s target date" in response.content.decode()
    assert b'value="Too late"' in response.content
    assert not Step.objects.exists()


def test_ticking_a_step_from_the_page(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    step = services.step_add(goal=goal, actor=org.ann, title="One")
    ann_client.post(reverse("goals:step", args=[goal.pk, step.pk]), {"action": "done"})
    step.refresh_from_db()
    assert step.done


def test_linking_an_entry_from_the_goal_page(org, ann_client, goal_factory, entry_factory):
    goal = goal_factory(org.ann)
    entry = entry_factory(org.ann, title="Ran the review")
    assert b"Ran the review" in ann_client.get(reverse("goals:detail", args=[goal.pk])).content
    response = ann_client.post(reverse("goals:evidence_add", args=[goal.pk]), {"kind": "entry", "entry": entry.pk})
    assert response.status_code == 302
    assert Evidence.objects.get(goal=goal).entry == entry


def test_linking_someone_elses_entry_from_the_page_is_refused_with_a_message(org, ann_client, goal_factory,
                                                                             entry_factory):
    goal = goal_factory(org.ann)
    tims = entry_factory(org.tim, title="Tim's", visibility="team")
    response = ann_client.post(reverse("goals:evidence_add", args=[goal.pk]), {"kind": "entry", "entry": tims.pk})
    assert response.status_code == 400 and "is not yours" in response.content.decode()
    assert not Evidence.objects.exists()


def test_uploading_a_file_as_evidence_from_the_page(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    upload = SimpleUploadedFile("result.txt", b"numbers", content_type="text/plain")
    response = ann_client.post(reverse("goals:evidence_add", args=[goal.pk]),
                               {"kind": "file", "file": upload, "title": "Results"})
    assert response.status_code == 302
    evidence = Evidence.objects.get(goal=goal)
    assert ann_client.get(reverse("goals:evidence_file", args=[evidence.pk])).status_code == 200


def test_a_wrong_file_type_is_refused_on_the_page(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = ann_client.post(reverse("goals:evidence_add", args=[goal.pk]), {"kind": "file", "file": upload})
    assert response.status_code == 400 and "cannot be attached" in response.content.decode()


def test_choosing_a_kind_without_its_evidence_is_a_field_error(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    response = ann_client.post(reverse("goals:evidence_add", args=[goal.pk]), {"kind": "link", "url": ""})
    assert response.status_code == 400 and "Choose or give the evidence" in response.content.decode()


def test_sharing_a_goal_with_the_manager_from_the_page(org, ann_client, goal_factory, client):
    goal = goal_factory(org.ann)
    ann_client.post(reverse("goals:share", args=[goal.pk]), {"visibility": "manager"})
    goal.refresh_from_db()
    assert goal.visibility == "manager"


def test_someone_else_cannot_share_edit_or_add_to_a_visible_goal(org, client, goal_factory):
    goal = goal_factory(org.ann, visibility="team")
    client.force_login(org.tim)
    assert client.post(reverse("goals:share", args=[goal.pk]), {"visibility": "private"}).status_code == 404
    assert client.post(reverse("goals:step_add", args=[goal.pk]), {"title": "x"}).status_code == 404
    assert client.post(reverse("goals:evidence_add", args=[goal.pk]),
                       {"kind": "link", "url": "https://example.org"}).status_code == 404
    goal.refresh_from_db()
    assert goal.visibility == "team"


def test_deleting_a_goal_after_confirmation(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    assert ann_client.get(reverse("goals:delete", args=[goal.pk])).status_code == 200
    ann_client.post(reverse("goals:delete", args=[goal.pk]))
    assert not Goal.objects.exists()


def test_asking_for_endorsement_from_the_goal_page(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr")
    ann_client.post(reverse("goals:evidence_ask", args=[evidence.pk]),
                    {"endorser": org.boss.pk, "remind_after_days": 5, "message": "Please confirm"})
    request = EndorsementRequest.objects.get()
    assert (request.endorser, request.remind_after_days) == (org.boss, 5)


def test_asking_oneself_from_the_page_is_refused_with_a_message(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr")
    response = ann_client.post(reverse("goals:evidence_ask", args=[evidence.pk]),
                               {"endorser": org.ann.pk, "remind_after_days": 5}, follow=True)
    assert "cannot endorse your own evidence" in response.content.decode()
    assert not EndorsementRequest.objects.exists()


def test_requests_for_you_lists_and_answers_a_request(org, client, goal_factory):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr",
                                               title="The PR")
    request = services.endorsement_request(requester=org.ann, endorser=org.tim, evidence=evidence)
    client.force_login(org.tim)
    assert "The PR" in client.get(reverse("goals:requests")).content.decode()
    client.post(reverse("goals:request", args=[request.pk]), {"answer": "confirm", "comment": "Solid work"})
    request.refresh_from_db()
    assert request.status == "confirmed" and request.comment == "Solid work"


def test_asking_to_confirm_a_skill_level(org, ann_client, framework):
    response = ann_client.post(reverse("goals:ask_skill"), {"skill": "Python", "level": 3,
                                                            "endorser": org.boss.pk, "remind_after_days": 7})
    assert response.status_code == 302
    assert EndorsementRequest.objects.get().skill.name == "Python"


def test_evidence_map_shows_entries_evidence_and_levels_per_skill(org, ann_client, goal_factory, entry_factory,
                                                                  framework):
    entry_factory(org.ann, title="Wrote a CLI in Python", skills=["Python"])
    entry_factory(org.tim, title="Tim's Python", skills=["Python"], visibility="organisation")
    goal = goal_factory(org.ann, skills=[services.SkillPick("SQL")])
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/q", title="Query rewrite",
                                    skills=[services.SkillPick("SQL", 3)])
    page = ann_client.get(reverse("goals:map")).content.decode()
    assert "Wrote a CLI in Python" in page and "Query rewrite" in page and "3 Practitioner" in page
    assert "Tim&#x27;s Python" not in page


def test_evidence_map_without_a_framework_says_so(org, ann_client):
    assert "No skills framework" in ann_client.get(reverse("goals:map")).content.decode()


def test_lnd_imports_a_framework_from_the_page(org, client):
    client.force_login(org.lena)
    upload = SimpleUploadedFile("eng.csv", FRAMEWORK_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("goals:framework_import"), {"file": upload, "name": "Engineering skills"})
    assert response.status_code == 200 and "3 skills added" in response.content.decode()


def test_a_broken_framework_file_lists_every_problem_on_the_page(org, client):
    client.force_login(org.lena)
    upload = SimpleUploadedFile("eng.csv", b"skill,1 Aware\n,\nPython,\npython,\n", content_type="text/csv")
    response = client.post(reverse("goals:framework_import"), {"file": upload, "name": "Eng"})
    assert response.status_code == 400
    assert "Line 4: “python” appears twice" in response.content.decode()
    assert not Framework.objects.exists()


@pytest.mark.parametrize("role", ["ann", "boss"])
def test_only_lnd_and_admins_reach_the_import_page(org, client, role):
    client.force_login(org.everyone[role])
    assert client.get(reverse("goals:framework_import")).status_code == 403


def test_the_capture_form_fragment_lists_only_the_authors_active_goals(org, goal_factory):
    from django import forms
    from django.template.loader import render_to_string

    from learnflow.goals.forms import EntryGoalField, entry_goal_field_setup

    goal_factory(org.ann, title="Ann's goal")
    goal_factory(org.tim, title="Tim's goal", visibility="team")

    class Capture(forms.Form):
        goal = EntryGoalField()

    form = Capture()
    entry_goal_field_setup(form, org.ann)
    html = render_to_string("goals/_entry_goal_field.html", {"field": form["goal"]})
    assert "Ann&#x27;s goal" in html and "Tim" not in html


def test_a_skill_level_without_a_framework_is_refused_beside_the_skills_field(org, ann_client, in_days):
    response = ann_client.post(reverse("goals:new"), {
        "title": "x", "target_date": in_days(org.ann, 3).isoformat(), "visibility": "private",
        "skills": "Python: 2"})
    assert response.status_code == 400 and "Level 2 is not a level" in response.content.decode()


def test_the_owner_sees_every_kind_of_evidence_on_the_goal_page(org, ann_client, goal_factory, entry_factory,
                                                                statement_for):
    goal = goal_factory(org.ann)
    services.goal_evidence_add_entry(owner=org.ann, goal=goal, entry=entry_factory(org.ann, title="My entry"))
    services.goal_evidence_add_activity(owner=org.ann, goal=goal, statement=statement_for(org.ann))
    services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org", title="My link")
    services.goal_evidence_add_file(owner=org.ann, goal=goal, upload=SimpleUploadedFile("my.txt", b"x"))
    page = ann_client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    for text in ("My entry", "Recorded activity", "My link", "my.txt"):
        assert text in page


def test_the_endorser_reads_recorded_activity_through_the_request(org, client, goal_factory, statement_for):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_activity(owner=org.ann, goal=goal,
                                                   statement=statement_for(org.ann, name="Kubernetes basics"))
    request = services.endorsement_request(requester=org.ann, endorser=org.boss, evidence=evidence)
    client.force_login(org.boss)
    assert "Kubernetes basics" in client.get(reverse("goals:request", args=[request.pk])).content.decode()


def test_the_open_requests_counter_counts_what_waits_for_the_viewer(org, goal_factory, rf):
    from django.template import Context, Template

    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org")
    services.endorsement_request(requester=org.ann, endorser=org.tim, evidence=evidence)
    request = rf.get("/")
    template = Template("{% load goals %}{% goals_open_requests as n %}{{ n }}")
    request.user = org.tim
    assert template.render(Context({"request": request})) == "1"
    request.user = org.boss
    assert template.render(Context({"request": request})) == "0"


def test_someone_outside_the_team_can_be_asked_by_username(org, ann_client, goal_factory):
    goal = goal_factory(org.ann)
    evidence = services.goal_evidence_add_link(owner=org.ann, goal=goal, url="https://example.org/pr")
    ann_client.post(reverse("goals:evidence_ask", args=[evidence.pk]),
                    {"endorser_username": "eve", "remind_after_days": 7})
    assert EndorsementRequest.objects.get().endorser == org.eve


def test_the_people_offered_are_the_manager_first_then_the_team(org):
    from learnflow.goals.selectors import people_to_ask

    people = people_to_ask(viewer=org.ann)
    assert people[0] == org.boss and org.tim in people and org.eve not in people


def _capture_form(user, data):
    from learnflow.goals.forms import EntryGoalField, entry_goal_field_setup
    from learnflow.journal.forms import EntryForm

    class EntryFormWithGoal(EntryForm):  # what the lead adds to journal/forms.py
        goal = EntryGoalField()

    form = EntryFormWithGoal(data)
    entry_goal_field_setup(form, user)
    return form


def test_the_capture_form_links_a_new_entry_to_the_authors_goal(org, goal_factory):
    from learnflow.journal.services import entry_create

    goal = goal_factory(org.ann)
    form = _capture_form(org.ann, {"title": "Paired on a review", "way": "colleagues", "visibility": "private",
                                   "learned_on": goal.created_at.date().isoformat(), "goal": goal.pk})
    assert form.is_valid(), form.errors
    entry = entry_create(author=org.ann, title=form.cleaned_data["title"])
    services.goal_evidence_add_entry(owner=org.ann, goal=form.cleaned_data["goal"], entry=entry)
    assert Evidence.objects.get().entry == entry


def test_the_capture_form_refuses_someone_elses_goal(org, goal_factory):
    tims = goal_factory(org.tim, visibility="team")
    form = _capture_form(org.ann, {"title": "x", "way": "colleagues", "visibility": "private",
                                   "learned_on": tims.created_at.date().isoformat(), "goal": tims.pk})
    assert not form.is_valid() and "goal" in form.errors


def test_every_field_on_the_goal_page_has_its_own_id_so_each_label_names_its_field(org, goal_factory, ann_client):
    import re
    from collections import Counter

    goal = goal_factory(org.ann)
    content = ann_client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', content))
    assert [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', content):
        assert ids[target] == 1, target
