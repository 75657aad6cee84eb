"""What counts as someone's expertise follows what they share, at once and on every app server: un-sharing or
deleting an entry, unpublishing or deleting a resource, un-sharing goal evidence or a statement takes it out of the
directory before the next search, without anyone rebuilding the index by hand. Also: goal evidence and recorded
activity shared with the organisation, and confirmed skill endorsements, count, with reasons a person can read."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from learnflow.concierge import expertise, selectors
from learnflow.concierge.models import ExpertiseChange


def who_knows(viewer, query):
    return {s.person.username: s.reasons for s in selectors.expertise_directory(viewer=viewer, query=query)}


@pytest.fixture
def warm(org):
    """The index is built (as on an app server that has served a request) before anything changes."""
    def make():
        expertise.expertise_index()
    return make


def test_un_sharing_an_entry_removes_it_from_who_knows_at_once(org, entry_factory, warm):
    from learnflow.journal.services import entry_share

    entry = entry_factory(org.tim, title="Qwertzonia tax filing notes", visibility="organisation")
    warm()
    assert "tim" in who_knows(org.ann, "qwertzonia")
    entry_share(entry=entry, actor=org.tim, visibility="private")
    assert who_knows(org.ann, "qwertzonia") == {}
    entry_share(entry=entry, actor=org.tim, visibility="team")
    assert who_knows(org.ann, "qwertzonia") == {}
    entry_share(entry=entry, actor=org.tim, visibility="organisation")
    assert "tim" in who_knows(org.ann, "qwertzonia")


def test_deleting_an_entry_removes_it_from_who_knows_at_once(org, entry_factory, warm):
    from learnflow.journal.services import entry_delete

    entry = entry_factory(org.tim, title="Qwertzonia tax filing notes", visibility="organisation")
    warm()
    assert "tim" in who_knows(org.ann, "qwertzonia")
    entry_delete(entry=entry, actor=org.tim)
    assert who_knows(org.ann, "qwertzonia") == {}


def test_a_change_made_by_another_app_server_is_seen(org, entry_factory, warm):
    """Another process changes the database only: this process's index learns of it from the change notes."""
    from learnflow.journal.models import Entry

    entry = entry_factory(org.tim, title="Qwertzonia tax filing notes", visibility="organisation")
    warm()
    assert "tim" in who_knows(org.ann, "qwertzonia")
    Entry.objects.filter(pk=entry.pk).update(visibility="private")        # no signal here ...
    ExpertiseChange.objects.create(source_type="entry", source_id=entry.pk)   # ... the other server's note
    assert who_knows(org.ann, "qwertzonia") == {}


def test_the_only_evidence_gone_the_person_is_no_longer_a_candidate(org, entry_factory, warm):
    from learnflow.journal.services import entry_delete

    entry = entry_factory(org.tim, title="Qwertzonia tax filing notes", visibility="organisation")
    warm()
    assert org.tim.pk in expertise.expertise_index()[1]
    entry_delete(entry=entry, actor=org.tim)
    assert org.tim.pk not in expertise.expertise_index()[1]


@pytest.fixture
def published(org, topic):
    from learnflow.library.models import Resource

    def make():
        resource = Resource(kind="page", title="Qwertzonia payroll handbook", summary="How payroll works",
                            body="x", author=org.tim, status="published",
                            published_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
        resource.full_clean()
        resource.save()
        return resource
    return make


@pytest.mark.parametrize("change", ["archive", "unpublish", "delete"])
def test_a_resource_no_longer_published_stops_counting_at_once(org, published, warm, change):
    from learnflow.library.services import resource_archive

    resource = published()
    warm()
    assert "tim" in who_knows(org.ann, "qwertzonia")
    if change == "archive":
        resource_archive(resource=resource, actor=org.tim)
    elif change == "unpublish":
        resource.status = "draft"
        resource.save()
    else:
        resource.delete()
    assert who_knows(org.ann, "qwertzonia") == {}


# --- more sources (audit item 9) -------------------------------------------------------------------------------

@pytest.fixture
def goal(org):
    from learnflow.goals.services import goal_create

    def make(owner, visibility="organisation"):
        return goal_create(owner=owner, title="Get better at payroll", target_date=dt.date(2027, 6, 1),
                           visibility=visibility)
    return make


def test_goal_evidence_shared_with_the_organisation_counts_until_the_goal_is_un_shared(org, goal, entry_factory,
                                                                                      warm):
    from learnflow.goals.services import SkillPick, goal_evidence_add_entry, goal_share

    entry = entry_factory(org.tim, title="Ran the Qwertzonia payroll", visibility="organisation")
    shared_goal = goal(org.tim)
    goal_evidence_add_entry(owner=org.tim, goal=shared_goal, entry=entry, note="Closed the zorblax ledger alone",
                            skills=[SkillPick("zorblax")])
    warm()
    found = who_knows(org.ann, "zorblax")
    assert "tim" in found and found["tim"]
    goal_share(goal=shared_goal, actor=org.tim, visibility="private")
    assert who_knows(org.ann, "zorblax") == {}


@pytest.mark.parametrize("visibility", ["private", "manager", "team"])
def test_goal_evidence_not_shared_with_the_organisation_never_counts(org, goal, entry_factory, visibility):
    from learnflow.goals.services import SkillPick, goal_evidence_add_entry

    entry = entry_factory(org.tim, title="Ran the payroll", visibility="organisation")
    goal_evidence_add_entry(owner=org.tim, goal=goal(org.tim, visibility=visibility), entry=entry,
                            note="Closed the zorblax ledger alone", skills=[SkillPick("zorblax")])
    assert who_knows(org.ann, "zorblax") == {}


def test_goal_evidence_pointing_at_a_private_entry_does_not_count(org, goal, entry_factory):
    from learnflow.goals.services import goal_evidence_add_entry

    entry = entry_factory(org.tim, title="My zorblax review")          # private
    goal_evidence_add_entry(owner=org.tim, goal=goal(org.tim), entry=entry, note="zorblax")
    assert who_knows(org.ann, "zorblax") == {}


def _statement(person, name):
    from learnflow.lrs.models import Statement

    when = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
    body = {"actor": {"mbox": f"mailto:{person.username}@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"id": "https://lms.example.com/course/1", "definition": {"name": {"en-US": name}}}}
    return Statement.objects.create(id=uuid.uuid4(), stored=when, timestamp=when,
                                    verb_iri=body["verb"]["id"], actor_ifi=body["actor"]["mbox"],
                                    object_type="Activity", object_iri=body["object"]["id"], version="1.0.3",
                                    person=person, full_json=json.dumps(body))


@pytest.mark.parametrize("visibility,counts", [("organisation", True), ("manager", False), ("team", False),
                                               ("private", False)])
def test_recorded_activity_counts_only_when_shared_with_the_organisation(org, warm, visibility, counts):
    from learnflow.record.services import statement_share

    statement = _statement(org.tim, "Advanced Zorblax accounting")
    warm()
    statement_share(owner=org.tim, statement_id=statement.id, visibility=visibility)
    assert ("tim" in who_knows(org.ann, "zorblax")) is counts
    if counts:
        statement_share(owner=org.tim, statement_id=statement.id, visibility="private")
        assert who_knows(org.ann, "zorblax") == {}


def test_a_confirmed_skill_endorsement_counts_with_a_readable_reason(org, warm):
    from learnflow.goals.services import endorsement_confirm, endorsement_request

    asked = endorsement_request(requester=org.tim, endorser=org.eve, skill="zorblax", level=None)
    warm()
    assert who_knows(org.ann, "zorblax") == {}          # asked, not yet confirmed
    endorsement_confirm(request=asked, actor=org.eve)
    found = who_knows(org.ann, "zorblax")
    assert "zorblax endorsed by 1 colleague" in found["tim"]
    assert not any("eve" in reason.lower() for reason in found["tim"])
    asked.delete()
    assert who_knows(org.ann, "zorblax") == {}


def test_a_note_committed_after_a_later_one_is_still_applied(org, entry_factory, warm):
    """Two servers write notes 1 and 2; 2 commits first and is read; 1 commits later: it must not be skipped."""
    from learnflow.journal.models import Entry

    entry = entry_factory(org.tim, title="Qwertzonia tax filing notes", visibility="organisation")
    warm()
    last = ExpertiseChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ExpertiseChange.objects.create(pk=last + 2, source_type="entry", source_id=0)     # committed first
    assert "tim" in who_knows(org.ann, "qwertzonia")
    Entry.objects.filter(pk=entry.pk).update(visibility="private")
    ExpertiseChange.objects.create(pk=last + 1, source_type="entry", source_id=entry.pk)   # committed later
    assert who_knows(org.ann, "qwertzonia") == {}
