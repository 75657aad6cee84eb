"""/api/portfolios: compose, share and read portfolios, with the same rules as the pages (selectors.py decides who
may open a portfolio; only its owner changes it). Items are returned as the portfolio shows them (ItemView), never
as links into the journal, exactly like the page."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from learnflow.core.errors import NotFound
from learnflow.core.markdown import render_markdown
from learnflow.portfolio import selectors, services
from learnflow.portfolio.kinds import ItemView
from learnflow.portfolio.models import Portfolio, PortfolioItem, PortfolioLink

router = Router(tags=["portfolios"])

KindName = Literal["entry", "goal", "evidence", "activity"]


class PersonOut(Schema):
    username: str
    name: str


class FactOut(Schema):
    label: str
    value: str


class ItemOut(Schema):
    id: int | None
    kind: str
    kind_label: str
    title: str
    when: dt.date | None
    body_html: str
    facts: list[FactOut]
    bullets: list[str]
    link: str
    note_html: str


class SharingOut(Schema):
    organisation: bool
    people: list[PersonOut]


class PortfolioOut(Schema):
    id: int
    uid: str
    title: str
    intro: str
    intro_html: str
    owner: PersonOut
    is_owner: bool
    sharing: SharingOut | None = Field(None, description="Only for the owner.")
    items: list[ItemOut] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str


class PortfolioIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    intro: str = Field("", max_length=20_000)


class PortfolioPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    intro: str | None = Field(None, max_length=20_000)


class ItemIn(Schema):
    kind: KindName
    target_id: int = Field(..., description="The id of one of your entries, goals or evidence; for recorded "
                                            "activity, see statement_id.")
    note: str = Field("", max_length=5_000)


class ActivityItemIn(Schema):
    statement_id: str = Field(..., description="The xAPI statement id (UUID) of activity recorded about you.")
    note: str = Field("", max_length=5_000)


class ItemPatch(Schema):
    note: str | None = Field(None, max_length=5_000)
    move: Literal["up", "down"] | None = None


class SharingIn(Schema):
    organisation: bool = False
    people: list[str] = Field(default_factory=list, max_length=500, description="Usernames")


class LinkIn(Schema):
    expires_on: dt.date
    label: str = Field("", max_length=120)


class LinkOut(Schema):
    id: int
    label: str
    prefix: str
    expires_on: dt.date
    revoked: bool
    valid: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class NewLinkOut(LinkOut):
    url: str = Field(..., description="Shown this once: only a hash of the token is kept.")


class ListFilters(Schema):
    scope: Literal["mine", "shared"] = "mine"


def _person(user) -> dict:
    return {"username": user.username, "name": user.display_name}


def _item_out(view: ItemView) -> dict:
    return {"id": view.item_id, "kind": view.kind, "kind_label": view.kind_label, "title": view.title,
            "when": view.when, "body_html": str(view.body or ""),
            "facts": [{"label": label, "value": value} for label, value in view.facts],
            "bullets": list(view.bullets), "link": view.link or "", "note_html": str(view.note or "")}


def _portfolio_out(request: HttpRequest, portfolio: Portfolio, *, items: bool) -> dict:
    is_owner = portfolio.owner_id == request.user.pk
    return {
        "id": portfolio.pk, "uid": str(portfolio.uid), "title": portfolio.title, "intro": portfolio.intro,
        "intro_html": str(render_markdown(portfolio.intro)), "owner": _person(portfolio.owner),
        "is_owner": is_owner,
        "sharing": {"organisation": portfolio.share_organisation,
                    "people": [_person(p) for p in portfolio.shared_with.all()]} if is_owner else None,
        "items": [_item_out(v) for v in selectors.portfolio_items(portfolio=portfolio)] if items else None,
        "created_at": portfolio.created_at, "updated_at": portfolio.updated_at,
        "url": reverse("portfolio:detail", args=[portfolio.pk]),
    }


def _link_out(link: PortfolioLink) -> dict:
    return {"id": link.pk, "label": link.label, "prefix": link.prefix, "expires_on": link.expires_on,
            "revoked": link.revoked_at is not None, "valid": selectors.link_is_valid(link),
            "created_at": link.created_at, "last_used_at": link.last_used_at}


def _item_own(portfolio: Portfolio, item_id: int) -> PortfolioItem:
    item = PortfolioItem.objects.filter(portfolio=portfolio, pk=item_id).select_related("portfolio").first()
    if item is None:
        raise NotFound("No such item in this portfolio.")
    return item


@router.get("", response=list[PortfolioOut], summary="Your portfolios, or those shared with you")
def list_portfolios(request: HttpRequest, filters: Query[ListFilters]):
    if filters.scope == "shared":
        rows = selectors.portfolio_list_shared(viewer=request.user)
    else:
        rows = selectors.portfolio_list_own(viewer=request.user).select_related("owner")
    return [_portfolio_out(request, p, items=False) for p in rows[:200]]


@router.post("", response={201: PortfolioOut}, summary="Start a portfolio (unshared until you share it)")
def create_portfolio(request: HttpRequest, payload: PortfolioIn):
    portfolio = services.portfolio_create(owner=request.user, title=payload.title, intro=payload.intro)
    return Status(201, _portfolio_out(request, selectors.portfolio_get_own(viewer=request.user, pk=portfolio.pk),
                                      items=True))


@router.get("/{portfolio_id}", response=PortfolioOut, summary="One portfolio with its items, as its page shows it")
def get_portfolio(request: HttpRequest, portfolio_id: int):
    return _portfolio_out(request, selectors.portfolio_get(viewer=request.user, pk=portfolio_id), items=True)


@router.patch("/{portfolio_id}", response=PortfolioOut, summary="Change title or introduction (owner only)")
def patch_portfolio(request: HttpRequest, portfolio_id: int, payload: PortfolioPatch):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    services.portfolio_update(portfolio=portfolio, actor=request.user, **payload.dict(exclude_unset=True))
    return _portfolio_out(request, selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id), items=True)


@router.delete("/{portfolio_id}", response={204: None}, summary="Delete a portfolio (the items stay where they are)")
def delete_portfolio(request: HttpRequest, portfolio_id: int):
    services.portfolio_delete(portfolio=selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id),
                              actor=request.user)
    return Status(204, None)


@router.post("/{portfolio_id}/items", response={201: ItemOut},
             summary="Add one of your entries, goals or pieces of evidence")
def add_item(request: HttpRequest, portfolio_id: int, payload: ItemIn):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    if payload.kind == "activity":
        raise ValidationError({"kind": "Add recorded activity through /items/activity with its statement_id."})
    item = services.portfolio_item_add(portfolio=portfolio, actor=request.user, kind=payload.kind,
                                       target_id=payload.target_id, note=payload.note)
    return Status(201, _item_view(portfolio, item.pk))


@router.post("/{portfolio_id}/items/activity", response={201: ItemOut}, summary="Add activity recorded about you")
def add_activity_item(request: HttpRequest, portfolio_id: int, payload: ActivityItemIn):
    import uuid

    from learnflow.lrs.models import Statement

    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    try:
        sid = uuid.UUID(payload.statement_id)
    except ValueError:
        raise ValidationError({"statement_id": "Give the id (a UUID) of a statement about you."}) from None
    # Any statement's seq, or none: the service accepts only activity recorded about the caller, with one message.
    seq = Statement.objects.filter(id=sid).values_list("seq", flat=True).first() or 0
    item = services.portfolio_item_add(portfolio=portfolio, actor=request.user, kind="activity", target_id=seq,
                                       note=payload.note)
    return Status(201, _item_view(portfolio, item.pk))


def _item_view(portfolio: Portfolio, item_id: int) -> dict:
    view = next(v for v in selectors.portfolio_items(portfolio=portfolio) if v.item_id == item_id)
    return _item_out(view)


@router.patch("/{portfolio_id}/items/{item_id}", response=ItemOut, summary="Change an item's note or move it")
def patch_item(request: HttpRequest, portfolio_id: int, item_id: int, payload: ItemPatch):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    item = _item_own(portfolio, item_id)
    if payload.note is not None:
        services.portfolio_item_update(item=item, actor=request.user, note=payload.note)
    if payload.move:
        services.portfolio_item_move(item=item, actor=request.user, offset=-1 if payload.move == "up" else 1)
    return _item_view(portfolio, item.pk)


@router.delete("/{portfolio_id}/items/{item_id}", response={204: None},
               summary="Take an item out (the item itself is unchanged)")
def remove_item(request: HttpRequest, portfolio_id: int, item_id: int):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    services.portfolio_item_remove(item=_item_own(portfolio, item_id), actor=request.user)
    return Status(204, None)


@router.put("/{portfolio_id}/sharing", response=SharingOut,
            summary="Share with named people and/or the organisation (replaces the previous choice)")
def put_sharing(request: HttpRequest, portfolio_id: int, payload: SharingIn):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    names = {n.strip() for n in payload.people if n.strip()}
    people = list(get_user_model().objects.filter(username__in=names, is_active=True))
    missing = sorted(names - {p.username for p in people})
    if missing:
        raise ValidationError({"people": f"No active person with the username: {', '.join(missing[:10])}."})
    services.portfolio_share(portfolio=portfolio, actor=request.user, people=people,
                             organisation=payload.organisation)
    return {"organisation": portfolio.share_organisation,
            "people": [_person(p) for p in portfolio.shared_with.order_by("username")]}


@router.get("/{portfolio_id}/links", response=list[LinkOut], summary="Your secret links to this portfolio")
def list_links(request: HttpRequest, portfolio_id: int):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    return [_link_out(link) for link in selectors.portfolio_links(viewer=request.user, portfolio=portfolio)]


@router.post("/{portfolio_id}/links", response={201: NewLinkOut},
             summary="Make a secret link that expires (its address is returned this once)")
def create_link(request: HttpRequest, portfolio_id: int, payload: LinkIn):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    link, token = services.portfolio_link_create(portfolio=portfolio, actor=request.user,
                                                 expires_on=payload.expires_on, label=payload.label)
    return Status(201, {**_link_out(link),
                        "url": request.build_absolute_uri(reverse("portfolio:public", args=[token]))})


@router.delete("/{portfolio_id}/links/{link_id}", response={204: None}, summary="Withdraw a secret link")
def revoke_link(request: HttpRequest, portfolio_id: int, link_id: int):
    portfolio = selectors.portfolio_get_own(viewer=request.user, pk=portfolio_id)
    link = PortfolioLink.objects.filter(portfolio=portfolio, pk=link_id).select_related("portfolio").first()
    if link is None:
        raise NotFound("No such link on this portfolio.")
    services.portfolio_link_revoke(link=link, actor=request.user)
    return Status(204, None)
