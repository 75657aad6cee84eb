"""Who sees a portfolio, for every role, and the one documented exception: its items are shown to those it is
shared with even when the items themselves are private."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from learnflow.core.errors import NotFound
from learnflow.portfolio import selectors, services

ROLES = ("tim", "boss", "eve", "lena", "root", "sam")


@pytest.fixture
def portfolio(org, entry_factory):
    entry = entry_factory(org.ann, title="Private pairing notes")  # private by default
    portfolio = services.portfolio_create(owner=org.ann, title="My year in engineering", intro="**Hello**")
    services.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="entry", target_id=entry.pk)
    return portfolio


def _can_open(user, portfolio) -> bool:
    try:
        selectors.portfolio_get(viewer=user, pk=portfolio.pk)
    except NotFound:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_unshared_portfolio_is_seen_by_its_owner_only(org, portfolio, role):
    assert _can_open(org.ann, portfolio)
    assert not _can_open(org.everyone[role], portfolio)


@pytest.mark.parametrize("role", ROLES)
def test_portfolio_shared_with_named_person_is_seen_by_that_person_only(org, portfolio, role):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.eve])
    assert _can_open(org.everyone[role], portfolio) is (role == "eve")


@pytest.mark.parametrize("role", ROLES)
def test_portfolio_shared_with_organisation_is_seen_by_everyone_active(org, portfolio, role):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    assert _can_open(org.everyone[role], portfolio)


def test_portfolio_shared_with_organisation_is_not_seen_by_deactivated_person(org, portfolio):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    org.tim.is_active = False
    org.tim.save()
    assert not _can_open(org.tim, portfolio)


def test_private_item_is_shown_on_the_portfolio_to_those_it_is_shared_with(org, client, portfolio):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.eve])
    client.force_login(org.eve)
    response = client.get(reverse("portfolio:detail", args=[portfolio.pk]))
    assert response.status_code == 200
    assert "Private pairing notes" in response.content.decode()


def test_including_an_item_does_not_change_its_own_visibility(org, portfolio):
    from learnflow.journal.selectors import entry_list

    services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    assert not entry_list(viewer=org.eve, scope="organisation").filter(title="Private pairing notes").exists()
    item = portfolio.items.get()
    assert item.entry.visibility == "private"


def test_manager_cannot_open_an_unshared_portfolio_page(org, client, portfolio):
    client.force_login(org.boss)
    assert client.get(reverse("portfolio:detail", args=[portfolio.pk])).status_code == 404


def test_admin_cannot_export_an_unshared_portfolio(org, client, portfolio):
    client.force_login(org.root)
    assert client.get(reverse("portfolio:export_html", args=[portfolio.pk])).status_code == 404


def test_valid_secret_link_opens_the_portfolio_without_a_session(org, client, portfolio):
    _, token = services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                              expires_on=timezone.localdate() + dt.timedelta(days=7))
    response = client.get(reverse("portfolio:public", args=[token]))
    assert response.status_code == 200
    assert "Private pairing notes" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_secret_link_page_shows_nothing_but_the_portfolio(org, client, portfolio, entry_factory):
    entry_factory(org.ann, title="Another private thought")
    _, token = services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                              expires_on=timezone.localdate() + dt.timedelta(days=7))
    assert "Another private thought" not in client.get(reverse("portfolio:public", args=[token])).content.decode()


def test_expired_secret_link_does_not_open(org, client, portfolio):
    link, token = services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                                 expires_on=timezone.localdate())
    type(link).objects.filter(pk=link.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(reverse("portfolio:public", args=[token])).status_code == 404


def test_revoked_secret_link_does_not_open(org, client, portfolio):
    link, token = services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                                 expires_on=timezone.localdate() + dt.timedelta(days=7))
    services.portfolio_link_revoke(link=link, actor=org.ann)
    assert client.get(reverse("portfolio:public", args=[token])).status_code == 404


def test_unknown_secret_link_does_not_open(client, portfolio):
    assert client.get(reverse("portfolio:public", args=["x" * 43])).status_code == 404


def test_secret_link_token_is_stored_only_as_a_hash(org, portfolio):
    link, token = services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                                 expires_on=timezone.localdate() + dt.timedelta(days=7))
    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
    assert token not in (link.token_hash, link.prefix) and link.token_hash == link.hash_token(token)


def test_secret_link_needs_an_expiry_date_in_the_future(org, portfolio):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.portfolio_link_create(portfolio=portfolio, actor=org.ann,
                                       expires_on=timezone.localdate() - dt.timedelta(days=1))


def test_someone_elses_entry_cannot_be_added(org, portfolio, entry_factory):
    from django.core.exceptions import ValidationError

    shared = entry_factory(org.tim, title="Tim's shared learning", visibility="organisation")
    with pytest.raises(ValidationError):
        services.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="entry", target_id=shared.pk)


def test_only_the_owner_changes_a_portfolio(org, portfolio):
    from django.core.exceptions import PermissionDenied

    services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.tim])
    with pytest.raises(PermissionDenied):
        services.portfolio_update(portfolio=portfolio, actor=org.tim, title="Mine now")


PAGES = ("portfolio:detail", "portfolio:export_html")
OWNER_PAGES = ("portfolio:edit", "portfolio:share")


@pytest.mark.parametrize("shared", ["nobody", "boss", "organisation"])
@pytest.mark.parametrize("role", ("ann", *ROLES))
def test_portfolio_pages_follow_the_sharing_for_every_role(org, client, portfolio, role, shared):
    if shared == "boss":
        services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.boss])
    elif shared == "organisation":
        services.portfolio_share(portfolio=portfolio, actor=org.ann, organisation=True)
    sees = role == "ann" or shared == "organisation" or (shared == "boss" and role == "boss")
    client.force_login(org.everyone[role])
    for name in PAGES:
        response = client.get(reverse(name, args=[portfolio.pk]))
        assert response.status_code == (200 if sees else 404), name
        assert (b"Private pairing notes" in response.content) is sees
    for name in OWNER_PAGES:
        assert client.get(reverse(name, args=[portfolio.pk])).status_code == (200 if role == "ann" else 404), name
    listing = client.get(reverse("portfolio:list")).content
    assert (b"My year in engineering" in listing) is sees
