from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.portfolio import export, services


@pytest.fixture
def portfolio(org, entry_factory, goal_factory):
    entry = entry_factory(org.ann, title="Learned pytest fixtures", body="![tracker](https://evil.example/p.png) ok")
    goal = goal_factory(org.ann, title="Become a reviewer")
    portfolio = services.portfolio_create(owner=org.ann, title="Review", intro="I *review* code.")
    services.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="entry", target_id=entry.pk)
    services.portfolio_item_add(portfolio=portfolio, actor=org.ann, kind="goal", target_id=goal.pk)
    return portfolio


def test_owner_composes_a_portfolio_from_the_add_form(org, client, entry_factory):
    entry = entry_factory(org.ann, title="Something to show")
    client.force_login(org.ann)
    response = client.post(reverse("portfolio:list"), {"title": "Show", "intro": ""})
    portfolio = org.ann.portfolios.get()
    assert response.status_code == 302
    client.post(reverse("portfolio:edit", args=[portfolio.pk]), {"action": "add", "target": f"entry:{entry.pk}"})
    assert portfolio.items.get().entry == entry


def test_create_form_keeps_what_was_typed_when_refused(org, client):
    client.force_login(org.ann)
    response = client.post(reverse("portfolio:list"), {"title": "", "intro": "Kept intro"})
    assert response.status_code == 400 and "Kept intro" in response.content.decode()


def test_items_move_in_the_owners_order(org, portfolio):
    second = portfolio.items.order_by("position")[1]
    services.portfolio_item_move(item=second, actor=org.ann, offset=-1)
    assert [i.kind for i in portfolio.items.order_by("position")] == ["goal", "entry"]


def test_html_export_is_self_contained(org, client, portfolio):
    client.force_login(org.ann)
    html = client.get(reverse("portfolio:export_html", args=[portfolio.pk])).content.decode()
    assert "Learned pytest fixtures" in html and "Become a reviewer" in html
    assert "evil.example" not in html and "<link" not in html and "<script" not in html


def test_pdf_export_is_a_pdf(org, client, portfolio):
    available, reason = export.pdf_available()
    if not available:
        pytest.skip(f"WeasyPrint cannot load here: {reason}")
    client.force_login(org.ann)
    response = client.get(reverse("portfolio:export_pdf", args=[portfolio.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_pdf_export_says_so_when_weasyprint_cannot_load(org, client, portfolio, monkeypatch):
    def unavailable():
        raise export.PdfUnavailable("no pango")

    monkeypatch.setattr(export, "_weasyprint", unavailable)
    client.force_login(org.ann)
    response = client.get(reverse("portfolio:export_pdf", args=[portfolio.pk]))
    assert response.status_code == 503 and "PDF export is not available" in response.content.decode()


def test_share_page_shows_a_new_link_once_and_it_opens_the_portfolio(org, client, portfolio):
    import datetime as dt

    from django.utils import timezone

    client.force_login(org.ann)
    expires = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("portfolio:share", args=[portfolio.pk]),
                           {"action": "link", "expires_on": expires, "label": "For my interview"})
    body = response.content.decode()
    url = body.split('<p class="token">')[1].split("</p>")[0]
    assert "/portfolio/p/" in url
    assert url not in client.get(reverse("portfolio:share", args=[portfolio.pk])).content.decode()
    client.logout()
    assert client.get(url.replace("http://testserver", "")).status_code == 200


def test_share_page_refuses_a_link_without_expiry_and_keeps_the_label(org, client, portfolio):
    client.force_login(org.ann)
    response = client.post(reverse("portfolio:share", args=[portfolio.pk]),
                           {"action": "link", "expires_on": "", "label": "Kept label"})
    assert response.status_code == 400 and "Kept label" in response.content.decode()
    assert not portfolio.links.exists()


def test_share_page_shares_with_picked_people(org, client, portfolio):
    client.force_login(org.ann)
    client.post(reverse("portfolio:share", args=[portfolio.pk]), {"action": "share", "people": [org.eve.pk]})
    assert list(portfolio.shared_with.all()) == [org.eve]


def test_intro_markdown_cannot_inject_script(org, client, portfolio):
    services.portfolio_update(portfolio=portfolio, actor=org.ann, intro="<script>alert(1)</script> [x](javascript:1)")
    client.force_login(org.ann)
    body = client.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert "<script>alert" not in body and 'href="javascript' not in body


def test_portfolio_list_shows_own_and_shared(org, client, portfolio):
    services.portfolio_share(portfolio=portfolio, actor=org.ann, people=[org.tim])
    client.force_login(org.tim)
    assert "Review" in client.get(reverse("portfolio:list")).content.decode()
