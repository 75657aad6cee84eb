"""Reads of portfolios, and the rule for who sees them.

Who may open a portfolio
------------------------
- its owner;
- the people the owner named (active accounts);
- everyone active in the organisation, if the owner ticked that;
- anyone holding an unexpired, unrevoked secret link (no account needed; the page shows the portfolio only).
Roles give nothing: an admin, manager or L&D person opens a portfolio only if it was shared with them like anyone else.

What a portfolio shows: the one exception to core.visibility
------------------------------------------------------------
Putting an item into a portfolio does not change that item's own visibility: a private entry stays private in the
journal, search, feeds and the API. But the portfolio page shows the items its owner put in it to everyone the
portfolio is shown to — that is what composing a portfolio means (the owner chose, item by item, what to show to
whom they share it with). This is the only place in Learnflow where something is shown beyond its own visibility,
and it is implemented only here, in `portfolio_items`: it returns items of the portfolio's owner (an item is only
ever one of the owner's own things; services check that when it is added) to a viewer who passed `portfolio_get`
or `portfolio_get_by_token`. Items show what the portfolio renders (text, facts, names of files), never a link into
the journal or a file download, so the exception reaches no further than the portfolio itself.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from learnflow.core.errors import NotFound
from learnflow.portfolio.kinds import KINDS, ItemView
from learnflow.portfolio.models import Portfolio, PortfolioItem, PortfolioLink


def _is_reader(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active)


def portfolio_visible_q(viewer: Any) -> Q:
    if not _is_reader(viewer):
        return Q(pk__in=[])
    return Q(owner_id=viewer.pk) | Q(share_organisation=True, owner__is_active=True) | Q(shared_with=viewer.pk)


def portfolio_list_own(*, viewer: Any) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(owner_id=viewer.pk).prefetch_related("shared_with", "links")


def portfolio_list_shared(*, viewer: Any) -> QuerySet[Portfolio]:
    """Portfolios others shared with the viewer, by name or with the organisation."""
    return (Portfolio.objects.filter(portfolio_visible_q(viewer)).exclude(owner_id=getattr(viewer, "pk", None))
            .select_related("owner").distinct())


def portfolio_get(*, viewer: Any, pk: int) -> Portfolio:
    portfolio = Portfolio.objects.filter(portfolio_visible_q(viewer), pk=pk).select_related("owner").distinct()\
        .first()
    if portfolio is None:
        raise NotFound("No such portfolio, or it is not shared with you.")
    return portfolio


def portfolio_get_own(*, viewer: Any, pk: int) -> Portfolio:
    portfolio = Portfolio.objects.filter(owner_id=getattr(viewer, "pk", None), pk=pk).select_related("owner")\
        .first()
    if portfolio is None:
        raise NotFound("No such portfolio of yours.")
    return portfolio


def link_is_valid(link: PortfolioLink) -> bool:
    return link.revoked_at is None and link.expires_on >= timezone.localdate()


def portfolio_get_by_token(*, token: str) -> Portfolio:
    """The portfolio a secret link opens. Unknown, expired and revoked links all look the same."""
    if not token or len(token) > 100:
        raise NotFound("This link does not work (it may have expired or been withdrawn).")
    link = (PortfolioLink.objects.filter(token_hash=PortfolioLink.hash_token(token))
            .select_related("portfolio__owner").first())
    if link is None or not link_is_valid(link) or not link.portfolio.owner.is_active:
        raise NotFound("This link does not work (it may have expired or been withdrawn).")
    PortfolioLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return link.portfolio


def portfolio_items(*, portfolio: Portfolio) -> list[ItemView]:
    """The items as the portfolio shows them, in the owner's order — THE exception documented above. Call only with
    a portfolio obtained from portfolio_get / portfolio_get_own / portfolio_get_by_token."""
    items = list(PortfolioItem.objects.filter(portfolio=portfolio))
    by_kind: dict[str, list[int]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.target_id)
    targets: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        spec = KINDS.get(kind)
        if spec is None:
            continue
        # Restricted to the portfolio owner's own things: belt and braces over the check made when adding.
        for obj in spec.own(portfolio.owner).filter(pk__in=ids):
            targets[(kind, obj.pk)] = obj
    from learnflow.core.markdown import render_markdown

    views: list[ItemView] = []
    for item in items:
        obj = targets.get((item.kind, item.target_id))
        if obj is None:
            continue
        view = KINDS[item.kind].show(obj)
        view.item_id = item.pk
        view.note = render_markdown(item.note) if item.note else ""
        views.append(view)
    return views


def portfolio_candidates(*, viewer: Any, portfolio: Portfolio, limit: int = 100) -> dict[str, list[tuple[int, str]]]:
    """The owner's own things that could still be added, per kind: (id, label)."""
    present: dict[str, set[int]] = {}
    for item in portfolio.items.all():
        present.setdefault(item.kind, set()).add(item.target_id)
    out: dict[str, list[tuple[int, str]]] = {}
    for kind, spec in KINDS.items():
        qs = spec.own(viewer).exclude(pk__in=present.get(kind, set()))[:limit]
        out[kind] = [(obj.pk, spec.label(obj)) for obj in qs]
    return out


def portfolio_links(*, viewer: Any, portfolio: Portfolio) -> QuerySet[PortfolioLink]:
    if portfolio.owner_id != viewer.pk:
        return PortfolioLink.objects.none()
    return portfolio.links.all()


def people_to_share_with(*, viewer: Any) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True).exclude(pk=viewer.pk).order_by(
        "first_name", "last_name", "username")
