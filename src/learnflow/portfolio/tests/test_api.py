"""/api/portfolios: the same rules as the pages — roles give nothing, only the owner changes a portfolio, and bad
input is a 400 naming the field with nothing written."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from learnflow.portfolio import services
from learnflow.portfolio.models import Portfolio, PortfolioItem, PortfolioLink

pytestmark = pytest.mark.django_db

OTHERS = ("tim", "boss", "eve", "lena", "root", "sam")


@pytest.fixture
def portfolio(org, entry_factory):
    entry = entry_factory(org.ann, title="Private pairing notes")
    portfolio = services.portfolio_create(owner=org.ann, title="My year in engineering", intro="**Hello**")
    services.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="entry", target_id=entry.pk)
    return portfolio


def _json(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data, content_type="application/json", **headers)


def test_owner_composes_a_portfolio_through_the_api(org, client, token_for, entry_factory, goal_factory,
                                                    portfolio_api):
    headers = token_for(org.ann)
    entry = entry_factory(org.ann, title="Paired on the billing bug")
    goal = goal_factory(org.ann, title="Lead a design review")
    created = _json(client, "post", portfolio_api, {"title": "Promotion case", "intro": "Why *me*"}, **headers)
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["sharing"] == {"organisation": False, "people": []}
    for kind, target in (("entry", entry.pk), ("goal", goal.pk)):
        response = _json(client, "post", f"{portfolio_api}/{pid}/items", {"kind": kind, "target_id": target,
                                                                         "note": "It shows **care**"}, **headers)
        assert response.status_code == 201, response.content
    body = client.get(f"{portfolio_api}/{pid}", **headers).json()
    assert [i["title"] for i in body["items"]] == ["Paired on the billing bug", "Lead a design review"]
    assert "<strong>care</strong>" in body["items"][0]["note_html"]
    second = body["items"][1]["id"]
    moved = _json(client, "patch", f"{portfolio_api}/{pid}/items/{second}", {"move": "up"}, **headers)
    assert moved.status_code == 200
    body = client.get(f"{portfolio_api}/{pid}", **headers).json()
    assert [i["kind"] for i in body["items"]] == ["goal", "entry"]
    assert client.delete(f"{portfolio_api}/{pid}/items/{second}", **headers).status_code == 204
    assert [i["kind"] for i in client.get(f"{portfolio_api}/{pid}", **headers).json()["items"]] == ["entry"]


def test_recorded_activity_is_added_by_its_statement_id(org, client, token_for, statement_for, portfolio_api,
                                                         portfolio):
    statement = statement_for(org.ann, name="Threat modelling")
    response = _json(client, "post", f"{portfolio_api}/{portfolio.pk}/items/activity",
                     {"statement_id": str(statement.id)}, **token_for(org.ann))
    assert response.status_code == 201, response.content
    assert "Threat modelling" in response.json()["title"]


def test_someone_elses_activity_is_refused(org, client, token_for, statement_for, portfolio_api, portfolio):
    statement = statement_for(org.tim)
    response = _json(client, "post", f"{portfolio_api}/{portfolio.pk}/items/activity",
                     {"statement_id": str(statement.id)}, **token_for(org.ann))
    assert response.status_code == 400
    assert portfolio.items.count() == 1


@pytest.mark.parametrize("role", OTHERS)
def test_an_unshared_portfolio_is_the_owners_alone_in_the_api(org, client, token_for, portfolio, portfolio_api,
                                                              role):
    headers = token_for(org.everyone[role])
    assert client.get(f"{portfolio_api}/{portfolio.pk}", **headers).status_code == 404
    assert client.get(f"{portfolio_api}?scope=shared", **headers).json() == []
    assert client.get(portfolio_api, **headers).json() == []
    assert client.get(f"{portfolio_api}/{portfolio.pk}", **token_for(org.ann)).status_code == 200


@pytest.mark.parametrize("role", OTHERS)
def test_a_portfolio_shared_with_one_person_opens_for_that_person_only(org, client, token_for, portfolio,
                                                                       portfolio_api, role):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.boss])
    response = client.get(f"{portfolio_api}/{portfolio.pk}", **token_for(org.everyone[role]))
    assert response.status_code == (200 if role == "boss" else 404)
    if role == "boss":
        body = response.json()
        # The documented exception: the private entry the owner put in is shown on the portfolio …
        assert [i["title"] for i in body["items"]] == ["Private pairing notes"]
        # … but who else it is shared with is the owner's business.
        assert body["sharing"] is None and body["is_owner"] is False


@pytest.mark.parametrize("role", OTHERS)
def test_a_portfolio_shared_with_the_organisation_opens_for_everyone(org, client, token_for, portfolio,
                                                                      portfolio_api, role):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    headers = token_for(org.everyone[role])
    assert client.get(f"{portfolio_api}/{portfolio.pk}", **headers).status_code == 200
    assert [p["id"] for p in client.get(f"{portfolio_api}?scope=shared", **headers).json()] == [portfolio.pk]


@pytest.mark.parametrize("role", OTHERS)
def test_nobody_but_the_owner_changes_a_shared_portfolio(org, client, token_for, portfolio, portfolio_api, role):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    headers = token_for(org.everyone[role])
    item = portfolio.items.get()
    assert _json(client, "patch", f"{portfolio_api}/{portfolio.pk}", {"title": "Mine now"},
                 **headers).status_code == 404
    assert _json(client, "put", f"{portfolio_api}/{portfolio.pk}/sharing", {"organisation": False},
                 **headers).status_code == 404
    assert _json(client, "post", f"{portfolio_api}/{portfolio.pk}/links",
                 {"expires_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat()},
                 **headers).status_code == 404
    assert client.delete(f"{portfolio_api}/{portfolio.pk}/items/{item.pk}", **headers).status_code == 404
    assert client.delete(f"{portfolio_api}/{portfolio.pk}", **headers).status_code == 404
    portfolio.refresh_from_db()
    assert portfolio.title == "My year in engineering" and portfolio.share_organisation
    assert PortfolioLink.objects.count() == 0 and portfolio.items.count() == 1


def test_someone_elses_entry_is_a_400_naming_the_field_and_nothing_is_added(org, client, token_for, portfolio,
                                                                             entry_factory, portfolio_api):
    theirs = entry_factory(org.tim, title="Tim's shared notes", visibility="organisation")
    response = _json(client, "post", f"{portfolio_api}/{portfolio.pk}/items", {"kind": "entry",
                                                                                "target_id": theirs.pk},
                     **token_for(org.ann))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "target"
    assert portfolio.items.count() == 1


def test_sharing_with_an_unknown_username_is_refused_and_nothing_changes(org, client, token_for, portfolio,
                                                                          portfolio_api):
    response = _json(client, "put", f"{portfolio_api}/{portfolio.pk}/sharing",
                     {"people": ["eve", "nobody-here"], "organisation": True}, **token_for(org.ann))
    assert response.status_code == 400
    assert "nobody-here" in response.json()["detail"]
    portfolio.refresh_from_db()
    assert not portfolio.share_organisation and portfolio.shared_with.count() == 0


def test_sharing_with_named_people(org, client, token_for, portfolio, portfolio_api):
    response = _json(client, "put", f"{portfolio_api}/{portfolio.pk}/sharing", {"people": ["eve", "tim"]},
                     **token_for(org.ann))
    assert response.status_code == 200
    assert [p["username"] for p in response.json()["people"]] == ["eve", "tim"]


def test_a_secret_link_is_shown_once_opens_the_portfolio_and_can_be_withdrawn(org, client, token_for, portfolio,
                                                                              portfolio_api):
    headers = token_for(org.ann)
    response = _json(client, "post", f"{portfolio_api}/{portfolio.pk}/links",
                     {"expires_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
                      "label": "Recruiter"}, **headers)
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert "token" not in client.get(f"{portfolio_api}/{portfolio.pk}/links", **headers).json()[0]
    client.logout()
    assert b"Private pairing notes" in client.get(url).content
    link_id = response.json()["id"]
    assert client.delete(f"{portfolio_api}/{portfolio.pk}/links/{link_id}", **headers).status_code == 204
    assert client.get(url).status_code == 404


def test_a_link_that_expired_yesterday_is_a_400_and_no_link_is_made(org, client, token_for, portfolio,
                                                                     portfolio_api):
    response = _json(client, "post", f"{portfolio_api}/{portfolio.pk}/links",
                     {"expires_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
                     **token_for(org.ann))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expires_on"
    assert PortfolioLink.objects.count() == 0


def test_an_empty_title_is_refused(org, client, token_for, portfolio_api):
    response = _json(client, "post", portfolio_api, {"title": ""}, **token_for(org.ann))
    assert response.status_code == 422
    assert Portfolio.objects.count() == 0


def test_the_api_needs_authentication(portfolio, client, portfolio_api):
    assert client.get(f"{portfolio_api}/{portfolio.pk}").status_code == 401
    assert PortfolioItem.objects.count() == 1
