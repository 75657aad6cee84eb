"""The learning record: xAPI statements about a person are theirs, join their timeline, and can be reflected on,
shared and forwarded."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest
from django.conf import settings
from django.utils import timezone

from learnflow.lrs.models import Statement
from learnflow.lrs.services import lrs_key_create, statements_store
from learnflow.record import selectors, services
from learnflow.record.emit import SYSTEM_TOOL
from learnflow.record.models import ForwardItem, ForwardTarget, StatementReflection

pytestmark = pytest.mark.django_db


def lms_statement(user, *, verb="completed", name="Secure coding basics", iri="https://lms.example/c/1", **extra):
    statement = {
        "actor": {"objectType": "Agent", "name": user.display_name,
                  "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": user.username}},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": iri,
                   "definition": {"name": {"en-US": name}, "type": "http://adlnet.gov/expapi/activities/course"}},
        "result": {"completion": True, "score": {"scaled": 0.9}, "duration": "PT45M"},
    }
    statement.update(extra)
    return statement


@pytest.fixture
def lms_key(db):
    return lrs_key_create(org_tool="Company LMS").key


@pytest.fixture
def anns_course(org, lms_key):
    ids, _ = statements_store(key=lms_key, statements=[lms_statement(org.ann)], version="1.0.3")
    return Statement.objects.get(id=ids[0])


def test_logging_an_entry_records_a_learnflow_statement_about_its_author(org, entry_factory):
    entry = entry_factory(org.ann, title="Window functions")
    statement = Statement.objects.get(person=org.ann, object_iri=f"urn:uuid:{entry.uid}")
    data = json.loads(statement.full_json)
    assert data["verb"]["id"] == "http://activitystrea.ms/schema/1.0/create"
    assert "Window functions" not in statement.full_json  # titles stay in the journal, where sharing applies
    assert statement.key.org_tool == SYSTEM_TOOL


def test_sharing_and_reflecting_emit_their_own_verbs(org, entry_factory):
    entry = entry_factory(org.ann, visibility="team", reflection={"learned": "it works"})
    verbs = set(Statement.objects.filter(object_iri=f"urn:uuid:{entry.uid}").values_list("verb_iri", flat=True))
    assert "http://adlnet.gov/expapi/verbs/shared" in verbs
    assert "https://learnflow.dev/xapi/verbs/reflected" in verbs


def test_statement_from_a_tool_is_linked_to_the_person_it_is_about(org, anns_course):
    assert anns_course.person_id == org.ann.pk


def test_recorded_activity_lists_tool_statements_but_not_learnflows_own_mirror(org, anns_course, entry_factory):
    entry_factory(org.ann)
    activity = selectors.recorded_activity(viewer=org.ann)
    assert [a.statement.pk for a in activity] == [anns_course.pk]
    assert activity[0].verb == "completed"
    assert ("Score", "90%") in activity[0].result
    everything = selectors.recorded_activity(viewer=org.ann, include_learnflow=True)
    assert len(everything) == 2


def test_recorded_activity_is_private_to_the_person(org, anns_course):
    for viewer in (org.boss, org.tim, org.root, org.lena):
        assert selectors.recorded_activity(viewer=viewer) == []
        with pytest.raises(Exception):
            selectors.activity_get(viewer=viewer, statement_id=str(anns_course.id))


def test_shared_activity_follows_the_same_visibility_rules_as_entries(org, anns_course):
    services.statement_share(owner=org.ann, statement_id=anns_course.id, visibility="team", note="Worth it")
    assert selectors.activity_get(viewer=org.tim, statement_id=str(anns_course.id)).object_name == "Secure coding basics"
    assert selectors.activity_get(viewer=org.boss, statement_id=str(anns_course.id))
    for outsider in (org.eve, org.root, org.lena):
        with pytest.raises(Exception):
            selectors.activity_get(viewer=outsider, statement_id=str(anns_course.id))
    services.statement_share(owner=org.ann, statement_id=anns_course.id, visibility="private")
    with pytest.raises(Exception):
        selectors.activity_get(viewer=org.tim, statement_id=str(anns_course.id))


def test_only_the_person_can_share_their_activity(org, anns_course):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.statement_share(owner=org.boss, statement_id=anns_course.id, visibility="organisation")


def test_reflect_on_this_makes_one_private_linked_entry(org, anns_course):
    entry = services.statement_reflect(owner=org.ann, statement_id=anns_course.id)
    assert entry.author == org.ann and entry.visibility == "private"
    assert "Secure coding basics" in entry.title
    assert entry.way == "online_course"
    assert StatementReflection.objects.get(entry=entry).statement == anns_course
    again = services.statement_reflect(owner=org.ann, statement_id=anns_course.id)
    assert again.pk == entry.pk


def test_timeline_shows_recorded_activity_with_reflect_button(client, org, anns_course):
    client.force_login(org.ann)
    page = client.get("/journal/").content.decode()
    assert "Secure coding basics" in page
    assert f"/record/{anns_course.id}/reflect/" in page


def test_reflect_button_opens_the_new_entry_for_editing(client, org, anns_course):
    client.force_login(org.ann)
    response = client.post(f"/record/{anns_course.id}/reflect/")
    entry_id = StatementReflection.objects.get(statement=anns_course).entry_id
    assert response.status_code == 302 and response["Location"].startswith(f"/journal/{entry_id}/edit/")


def test_someone_elses_activity_page_is_not_found(client, org, anns_course):
    client.force_login(org.root)
    assert client.get(f"/record/{anns_course.id}/").status_code == 404
    assert client.post(f"/record/{anns_course.id}/reflect/").status_code == 404


def test_only_admins_reach_lrs_administration(client, org):
    client.force_login(org.boss)
    assert client.get("/record/manage/").status_code == 403
    client.force_login(org.root)
    assert client.get("/record/manage/").status_code == 200


def test_person_creates_a_key_and_sees_the_secret_once(client, org):
    client.force_login(org.ann)
    page = client.post("/record/keys/", {"label": "Language app"}).content.decode()
    key = org.ann.lrs_keys.get()
    assert f"{key.key}:" in page
    assert key.key in client.get("/record/keys/").content.decode()
    assert ":" + "x" not in client.get("/record/keys/").content.decode().split(key.key)[1][:2]


# --- forwarding


class Collector(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers.get("X-Experience-API-Version"), json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    Collector.received = []
    Collector.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _target(org, url, **kw):
    return services.forward_target_save(actor=org.root, target=ForwardTarget(name="Group LRS", endpoint=url, **kw))


def test_a_shared_statement_is_forwarded(org, anns_course, collector):
    target = _target(org, f"http://127.0.0.1:{collector.server_port}/xapi/")
    services.statement_share(owner=org.ann, statement_id=anns_course.id, visibility="organisation")
    delivered, failed = services.forward_deliver(target=target)
    assert (delivered, failed) == (1, 0)
    version, batch = Collector.received[0]
    assert version == "1.0.3" and batch[0]["id"] == str(anns_course.id)
    assert "authority" not in batch[0]


def test_a_private_statement_is_not_forwarded(org, anns_course, collector):
    target = _target(org, f"http://127.0.0.1:{collector.server_port}/xapi/")
    assert services.forward_deliver(target=target) == (0, 0)
    assert Collector.received == []


def test_nothing_is_lost_while_the_target_is_down(org, anns_course, collector):
    target = _target(org, "http://127.0.0.1:9/xapi/")  # the discard port: nothing listens there
    services.statement_share(owner=org.ann, statement_id=anns_course.id, visibility="organisation")
    assert services.forward_deliver(target=target) == (0, 1)
    item = ForwardItem.objects.get()
    assert item.delivered_at is None and item.attempts == 1 and item.last_error
    assert item.next_attempt_at > timezone.now()
    # The target comes back: the queued item goes out on the next attempt after its back-off.
    target.endpoint = f"http://127.0.0.1:{collector.server_port}/xapi/"
    target.save()
    assert services.forward_deliver(target=target) == (0, 0)
    later = item.next_attempt_at + dt.timedelta(seconds=1)
    assert services.forward_deliver(target=target, now=later) == (1, 0)
    assert ForwardItem.objects.get().delivered_at is not None


def test_an_admin_rule_forwards_matching_tool_statements_but_never_private_journal_records(
        org, lms_key, collector, entry_factory):
    target = _target(org, f"http://127.0.0.1:{collector.server_port}/xapi/", forward_shared=False,
                     verb_iris="http://adlnet.gov/expapi/verbs/completed\nhttp://activitystrea.ms/schema/1.0/create")
    statements_store(key=lms_key, statements=[lms_statement(org.ann), lms_statement(org.tim, verb="attempted")],
                     version="1.0.3")
    entry_factory(org.ann, title="Private thoughts")  # emits a Learnflow 'create' statement
    assert services.forward_scan(target=target) == 1
    services.forward_deliver(target=target)
    sent = [s["verb"]["id"] for _, batch in Collector.received for s in batch]
    assert sent == ["http://adlnet.gov/expapi/verbs/completed"]


def test_only_admins_configure_forwarding(org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.forward_target_save(actor=org.lena, target=ForwardTarget(name="x", endpoint="http://127.0.0.1/"))


def _xapi_get(client, issued, **params):
    import base64

    auth = base64.b64encode(str(issued).encode()).decode()
    return client.get("/xapi/statements", params, HTTP_AUTHORIZATION=f"Basic {auth}",
                      HTTP_X_EXPERIENCE_API_VERSION="1.0.3")


def test_a_tool_key_reads_only_what_that_tool_wrote(client, org, anns_course, entry_factory):
    entry_factory(org.ann, title="Private thoughts")
    other_tool = lrs_key_create(org_tool="Video platform")
    assert _xapi_get(client, other_tool).json()["statements"] == []
    lms_again = lrs_key_create(org_tool="Company LMS")
    ids = [s["id"] for s in _xapi_get(client, lms_again).json()["statements"]]
    assert ids == [str(anns_course.id)]


def test_a_persons_key_reads_their_own_record_including_learnflows_statements(client, org, anns_course,
                                                                             entry_factory):
    entry_factory(org.ann, title="Private thoughts")
    entry_factory(org.tim, title="Tim's")
    statements = _xapi_get(client, lrs_key_create(owner=org.ann)).json()["statements"]
    assert {s["actor"]["account"]["name"] for s in statements} == {"ann"}
    assert len(statements) == 2


def test_setting_and_achieving_a_goal_are_recorded_without_its_title(org, goal_factory):
    from learnflow.goals.services import goal_update

    goal = goal_factory(org.ann, title="Run a design review")
    goal_update(goal=goal, actor=org.ann, status="achieved")
    rows = Statement.objects.filter(person=org.ann, object_iri=f"urn:uuid:{goal.uid}")
    assert set(rows.values_list("verb_iri", flat=True)) == {"http://activitystrea.ms/schema/1.0/create",
                                                            "http://adlnet.gov/expapi/verbs/completed"}
    assert not any("design review" in r.full_json for r in rows)
