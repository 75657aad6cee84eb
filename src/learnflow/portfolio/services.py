"""Every write to portfolios. Only the owner changes a portfolio; an item can only be something the owner owns."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learnflow.core.services import event_record
from learnflow.portfolio.kinds import KINDS
from learnflow.portfolio.models import Portfolio, PortfolioItem, PortfolioLink

MAX_LINK_DAYS = 366
MAX_ITEMS = 500


def _own(portfolio: Portfolio, actor: Any) -> None:
    if portfolio.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the person who made this portfolio can change it.")


@transaction.atomic
def portfolio_create(*, owner: Any, title: str, intro: str = "") -> Portfolio:
    portfolio = Portfolio(owner=owner, title=(title or "").strip(), intro=(intro or "").strip())
    portfolio.full_clean(exclude=["uid"])
    portfolio.save()
    event_record(actor=owner, verb="created", obj=portfolio)
    return portfolio


@transaction.atomic
def portfolio_update(*, portfolio: Portfolio, actor: Any, title: str | None = None,
                     intro: str | None = None) -> Portfolio:
    _own(portfolio, actor)
    if title is not None:
        portfolio.title = title.strip()
    if intro is not None:
        portfolio.intro = intro.strip()
    portfolio.full_clean(exclude=["uid"])
    portfolio.save()
    return portfolio


@transaction.atomic
def portfolio_delete(*, portfolio: Portfolio, actor: Any) -> None:
    _own(portfolio, actor)
    event_record(actor=actor, verb="deleted", obj=portfolio, data={"title": portfolio.title})
    portfolio.delete()


@transaction.atomic
def portfolio_item_add(*, portfolio: Portfolio, actor: Any, kind: str, target_id: int,
                       note: str = "") -> PortfolioItem:
    """Put one of the owner's things into the portfolio. Its own visibility does not change (see selectors.py)."""
    _own(portfolio, actor)
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": f"“{kind}” is not something a portfolio can hold."})
    target = spec.own(actor).filter(pk=target_id).first()
    if target is None:
        # Others' things, or things that do not exist, look the same: neither can be added.
        raise ValidationError({"target": "Choose one of your own items."})
    if portfolio.items.filter(kind=kind, **{f"{spec.field}_id": target.pk}).exists():
        raise ValidationError({"target": "This is already in the portfolio."})
    if portfolio.items.count() >= MAX_ITEMS:
        raise ValidationError({"target": f"A portfolio holds at most {MAX_ITEMS} items."})
    last = portfolio.items.aggregate(m=Max("position"))["m"]
    item = PortfolioItem(portfolio=portfolio, kind=kind, note=(note or "").strip(),
                         position=0 if last is None else last + 1, **{spec.field: target})
    item.full_clean()
    item.save()
    Portfolio.objects.filter(pk=portfolio.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def portfolio_item_update(*, item: PortfolioItem, actor: Any, note: str) -> PortfolioItem:
    _own(item.portfolio, actor)
    item.note = (note or "").strip()
    item.full_clean()
    item.save(update_fields=["note"])
    return item


@transaction.atomic
def portfolio_item_remove(*, item: PortfolioItem, actor: Any) -> None:
    _own(item.portfolio, actor)
    item.delete()


@transaction.atomic
def portfolio_item_move(*, item: PortfolioItem, actor: Any, offset: int) -> None:
    """Move an item up (offset < 0) or down; positions are renumbered 0..n-1 so they never collide."""
    _own(item.portfolio, actor)
    items = list(PortfolioItem.objects.select_for_update().filter(portfolio_id=item.portfolio_id))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, it in enumerate(items):
        if it.position != position:
            PortfolioItem.objects.filter(pk=it.pk).update(position=position)


@transaction.atomic
def portfolio_share(*, portfolio: Portfolio, actor: Any, people: Sequence[Any] = (),
                    organisation: bool = False) -> Portfolio:
    """Who may open the portfolio: these named people and/or everyone in the organisation (replaces the old
    choice). Secret links are separate (portfolio_link_create)."""
    _own(portfolio, actor)
    User = get_user_model()
    ids = {p.pk for p in people} - {actor.pk}
    found = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    if found != ids:
        raise ValidationError({"people": "Choose people who are active in the organisation."})
    portfolio.share_organisation = bool(organisation)
    portfolio.save(update_fields=["share_organisation", "updated_at"])
    portfolio.shared_with.set(found)
    event_record(actor=actor, verb="shared", obj=portfolio,
                 data={"people": len(found), "organisation": portfolio.share_organisation})
    return portfolio


@transaction.atomic
def portfolio_link_create(*, portfolio: Portfolio, actor: Any, expires_on: dt.date,
                          label: str = "") -> tuple[PortfolioLink, str]:
    """A new secret link; returns the row and the token, which is shown this once and never stored."""
    _own(portfolio, actor)
    today = timezone.localdate()
    if expires_on is None:
        raise ValidationError({"expires_on": "Choose the date the link stops working."})
    if expires_on < today:
        raise ValidationError({"expires_on": "The expiry date is in the past."})
    if expires_on > today + dt.timedelta(days=MAX_LINK_DAYS):
        raise ValidationError({"expires_on": f"A link can last at most {MAX_LINK_DAYS} days."})
    token = secrets.token_urlsafe(32)  # 256 bits
    link = PortfolioLink(portfolio=portfolio, label=(label or "").strip(), prefix=token[:6],
                         token_hash=PortfolioLink.hash_token(token), expires_on=expires_on)
    link.full_clean()
    link.save()
    event_record(actor=actor, verb="link_created", obj=portfolio, data={"link": link.pk,
                                                                        "expires_on": expires_on.isoformat()})
    return link, token


@transaction.atomic
def portfolio_link_revoke(*, link: PortfolioLink, actor: Any) -> PortfolioLink:
    _own(link.portfolio, actor)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
