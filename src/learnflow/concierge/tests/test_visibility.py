"""Who reads a help request: the asker and the people asked; L&D only once it is in the concierge queue; nobody
else, whatever their role (ann's manager included)."""
from __future__ import annotations

import datetime as dt

import pytest

from learnflow.concierge import selectors, services
from learnflow.concierge.tests.conftest import NOW
from learnflow.core.errors import NotFound

BEFORE_QUEUE = {"ann": True, "tim": True, "eve": False, "boss": False, "lena": False, "root": False, "sam": False}
IN_QUEUE = {**BEFORE_QUEUE, "lena": True, "root": True}


@pytest.fixture
def asked(org, skilled, help_request):
    """ann asks tim (who declared Kubernetes) for help; nobody answers."""
    skilled(org.tim, "kubernetes")
    request = help_request(org.ann)
    services.help_request_ask(request=request, actor=org.ann, people=[org.tim], now=NOW)
    return request


def _sees(user, request) -> bool:
    try:
        selectors.help_request_get(viewer=user, pk=request.pk)
    except NotFound:
        in_list = False
        got = False
    else:
        got = True
        in_list = request in selectors.help_request_list(viewer=user, scope="all")
    assert got == in_list or not got      # the list and the page agree
    return got


@pytest.mark.parametrize("who", sorted(BEFORE_QUEUE))
def test_before_the_queue_only_the_asker_and_the_asked_read_a_request(org, asked, who):
    assert not asked.queued_at
    assert _sees(org.everyone[who], asked) is BEFORE_QUEUE[who]


@pytest.mark.parametrize("who", sorted(IN_QUEUE))
def test_once_queued_l_and_d_read_it_too_but_the_manager_still_does_not(org, asked, who):
    moved = services.help_requests_queue_due(now=NOW + dt.timedelta(days=3))
    assert moved == [asked.pk]
    assert _sees(org.everyone[who], asked) is IN_QUEUE[who]


def test_the_page_is_not_found_for_a_colleague_who_was_not_asked(org, asked, client):
    client.force_login(org.eve)
    assert client.get(f"/help/{asked.pk}/").status_code == 404
    client.force_login(org.tim)
    assert client.get(f"/help/{asked.pk}/").status_code == 200


def test_the_api_hides_a_request_from_the_manager(org, asked, client, token_for):
    assert client.get(f"/api/help/requests/{asked.pk}", **token_for(org.boss)).status_code == 404
    body = client.get(f"/api/help/requests/{asked.pk}", **token_for(org.tim)).json()
    assert body["title"] == asked.title


def test_the_queue_page_is_only_for_l_and_d(org, asked, client):
    services.help_requests_queue_due(now=NOW + dt.timedelta(days=3))
    client.force_login(org.boss)
    assert client.get("/help/queue/").status_code == 404
    client.force_login(org.lena)
    assert asked.title in client.get("/help/queue/").content.decode()


def test_a_manager_cannot_write_in_a_request_they_cannot_see(org, asked):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.help_message_post(request=asked, author=org.boss, body="Let me see", now=NOW)
