"""Forwarding to an external LRS that misbehaves: a real HTTP server on a thread answers garbage, refuses one
statement, or is down. One target's trouble never stops the others, nor the task chain; a statement the target
refuses is set aside and never blocks the rest; statements made private again are not sent."""
from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learnflow.record import services
from learnflow.record.models import ForwardItem, ForwardTarget, StatementShare


class Target(http.server.BaseHTTPRequestHandler):
    """mode: ok | garbage (not HTTP at all) | picky (400 for any batch holding an activity whose id has 'bad')"""

    def do_POST(self):  # noqa: N802 - http.server's naming
        server = self.server
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server.batches.append([s["object"]["id"] for s in batch])
        if server.mode == "garbage":
            self.wfile.write(b"GARBAGE\r\n\r\n")
            return
        if server.mode == "picky" and any("bad" in s["object"]["id"] for s in batch):
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b'{"error": "invalid statement"}')
            return
        server.received += [s["object"]["id"] for s in batch]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(mode):
        server = http.server.HTTPServer(("127.0.0.1", 0), Target)
        server.mode, server.received, server.batches = mode, [], []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _down_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more
    return f"http://127.0.0.1:{port}/xapi/"


def _target(org, name, url, **kw):
    return services.forward_target_save(actor=org.root, target=ForwardTarget(name=name, endpoint=url, **kw))


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_port}/xapi/"


def _shared(org, statement_for, *iris):
    statements = [statement_for(org.ann, name=iri, iri=iri) for iri in iris]
    for st in statements:
        services.statement_share(owner=org.ann, statement_id=st.id, visibility="organisation")
    return statements


def test_a_target_answering_garbage_fails_alone_and_the_others_still_receive(org, serve, statement_for):
    garbage, good = serve("garbage"), serve("ok")
    _target(org, "A garbage LRS", _url(garbage))
    down = _target(org, "B down LRS", _down_url())
    _target(org, "C good LRS", _url(good))
    _shared(org, statement_for, "https://lms.example/c/1")

    results = services.forward_run()

    assert good.received == ["https://lms.example/c/1"]
    assert results["C good LRS"] == (1, 0)
    assert results["A garbage LRS"] == (0, 1) and results["B down LRS"] == (0, 1)
    item = ForwardItem.objects.get(target__name="A garbage LRS")
    assert item.delivered_at is None and item.refused_at is None and item.attempts == 1
    assert "BadStatusLine" in item.last_error and item.next_attempt_at > timezone.now()
    assert ForwardItem.objects.get(target=down).attempts == 1


def test_one_statement_the_target_refuses_is_set_aside_and_the_rest_delivered(org, serve, statement_for):
    picky = serve("picky")
    target = _target(org, "Picky LRS", _url(picky))
    iris = [f"https://lms.example/c/{n}" for n in range(6)]
    iris[3] = "https://lms.example/c/bad"
    _shared(org, statement_for, *iris)

    delivered, failed = services.forward_deliver(target=target)

    assert (delivered, failed) == (5, 1)
    assert sorted(picky.received) == sorted(i for i in iris if "bad" not in i)
    refused = ForwardItem.objects.get(target=target, delivered_at__isnull=True)
    assert refused.statement.object_iri == "https://lms.example/c/bad"
    assert refused.refused_at is not None and "400" in refused.last_error
    # Set aside for good: later runs neither resend it nor let it hold up new statements.
    sent_before = len(picky.batches)
    later = timezone.now() + timezone.timedelta(days=1)
    _shared(org, statement_for, "https://lms.example/c/new")
    assert services.forward_deliver(target=target, now=later) == (1, 0)
    assert picky.batches[sent_before:] == [["https://lms.example/c/new"]]
    # The admin sees it on the LRS page, with the reason.
    client = Client()
    client.force_login(org.root)
    page = client.get(reverse("record:manage")).content.decode()
    assert "Refused by the target" in page


def test_making_a_statement_private_again_drops_what_was_waiting_for_delivery(org, statement_for):
    target = _target(org, "Down LRS", _down_url())
    (statement,) = _shared(org, statement_for, "https://lms.example/c/1")
    assert services.forward_deliver(target=target) == (0, 1)
    assert ForwardItem.objects.filter(target=target).count() == 1

    services.statement_share(owner=org.ann, statement_id=statement.id, visibility="private")

    assert not ForwardItem.objects.filter(target=target).exists()


def test_delivery_checks_each_statement_is_still_to_be_forwarded(org, serve, statement_for):
    good = serve("ok")
    target = _target(org, "Good LRS", _url(good))
    first, second = _shared(org, statement_for, "https://lms.example/c/1", "https://lms.example/c/2")
    # Made private by some other path than the share service (an import, an admin edit): still never sent.
    StatementShare.objects.filter(statement=first).update(visibility="private")

    assert services.forward_deliver(target=target) == (1, 0)
    assert good.received == ["https://lms.example/c/2"]
    assert not ForwardItem.objects.filter(statement=first).exists()


def test_a_statement_a_rule_selects_stays_queued_when_made_private(org, statement_for):
    target = _target(org, "Rule LRS", _down_url(), verb_iris="http://adlnet.gov/expapi/verbs/completed")
    (statement,) = _shared(org, statement_for, "https://lms.example/c/1")
    services.statement_share(owner=org.ann, statement_id=statement.id, visibility="private")
    assert ForwardItem.objects.filter(target=target, statement=statement).exists()


# --- the task chain


def _queued():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="learnflow.record.tasks.forward_statements", status="READY")


def test_the_forwarding_task_queues_its_next_run_after_a_garbage_answer(org, serve, statement_for, settings):
    from learnflow.record.tasks import forward_statements

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _target(org, "Garbage LRS", _url(serve("garbage")))
    _shared(org, statement_for, "https://lms.example/c/1")
    _queued().delete()

    forward_statements.call()

    assert _queued().count() == 1


def test_the_forwarding_task_queues_its_next_run_even_when_the_run_itself_fails(org, settings, monkeypatch):
    from learnflow.record import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _target(org, "Some LRS", _down_url())
    _queued().delete()

    def broken():
        raise RuntimeError("a bug in a forwarding run")

    monkeypatch.setattr(tasks, "forward_run", broken)
    with pytest.raises(RuntimeError):
        tasks.forward_statements.call()
    assert _queued().count() == 1


def test_recurring_kick_restarts_forwarding_after_its_queue_was_emptied(org, settings):
    from learnflow.account.tasks import recurring_kick

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _target(org, "Some LRS", _down_url())
    _queued().delete()

    assert "forwarding to external LRSs" in recurring_kick()
    assert _queued().count() == 1
    recurring_kick()
    assert _queued().count() == 1
