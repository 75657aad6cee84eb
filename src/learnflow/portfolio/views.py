"""Portfolio pages. Every read goes through selectors.py (who sees a portfolio and what it shows)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.core.markdown import render_markdown
from learnflow.portfolio import export, selectors, services
from learnflow.portfolio.forms import AddItemForm, LinkForm, PortfolioForm, ShareForm
from learnflow.portfolio.models import PortfolioItem, PortfolioLink


def _get(viewer, pk: int):
    try:
        return selectors.portfolio_get(viewer=viewer, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _get_own(viewer, pk: int):
    try:
        return selectors.portfolio_get_own(viewer=viewer, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_list_page(request: HttpRequest) -> HttpResponse:
    form = PortfolioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = services.portfolio_create(owner=request.user, title=form.cleaned_data["title"],
                                                  intro=form.cleaned_data["intro"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            return redirect("portfolio:edit", pk=portfolio.pk)
    return render(request, "portfolio/list.html", {
        "form": form, "own": selectors.portfolio_list_own(viewer=request.user),
        "shared": selectors.portfolio_list_shared(viewer=request.user),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get(request.user, pk)
    return _private(render(request, "portfolio/detail.html", {
        "portfolio": portfolio, "items": selectors.portfolio_items(portfolio=portfolio),
        "intro": render_markdown(portfolio.intro), "is_owner": portfolio.owner_id == request.user.pk,
    }))


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_edit(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get_own(request.user, pk)
    action = request.POST.get("action")
    form = PortfolioForm(request.POST if action == "save" else None, instance=portfolio)
    candidates = selectors.portfolio_candidates(viewer=request.user, portfolio=portfolio)
    add_form = AddItemForm(request.POST if action == "add" else None, candidates=candidates)
    if action == "save" and form.is_valid():
        try:
            services.portfolio_update(portfolio=portfolio, actor=request.user, title=form.cleaned_data["title"],
                                      intro=form.cleaned_data["intro"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("portfolio:edit", pk=portfolio.pk)
    elif action == "add" and add_form.is_valid():
        kind, target_id = add_form.cleaned_target()
        try:
            services.portfolio_item_add(portfolio=portfolio, actor=request.user, kind=kind, target_id=target_id,
                                        note=add_form.cleaned_data["note"])
        except ValidationError as exc:
            form_apply_errors(add_form, exc, aliases={"kind": "target"})
        else:
            messages.success(request, "Added to the portfolio.")
            return redirect("portfolio:edit", pk=portfolio.pk)
    failed = bool(form.errors or add_form.errors)
    return _private(render(request, "portfolio/edit.html", {
        "portfolio": portfolio, "form": form, "add_form": add_form,
        "items": selectors.portfolio_items(portfolio=portfolio),
    }, status=400 if failed else 200))


@login_required
@require_POST
def portfolio_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    portfolio = _get_own(request.user, pk)
    item = PortfolioItem.objects.filter(portfolio=portfolio, pk=item_pk).select_related("portfolio").first()
    if item is None:
        raise Http404("No such item.")
    action = request.POST.get("action")
    if action in ("up", "down"):
        services.portfolio_item_move(item=item, actor=request.user, offset=-1 if action == "up" else 1)
    elif action == "remove":
        services.portfolio_item_remove(item=item, actor=request.user)
        messages.success(request, "Removed from the portfolio (the item itself is unchanged).")
    return redirect("portfolio:edit", pk=portfolio.pk)


@login_required
@require_POST
def portfolio_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get_own(request.user, pk)
    services.portfolio_delete(portfolio=portfolio, actor=request.user)
    messages.success(request, "Portfolio deleted.")
    return redirect("portfolio:list")


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_share_page(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get_own(request.user, pk)
    action = request.POST.get("action")
    people_qs = selectors.people_to_share_with(viewer=request.user)
    share_form = ShareForm(request.POST if action == "share" else None, people_qs=people_qs,
                           initial={"people": list(portfolio.shared_with.all()),
                                    "organisation": portfolio.share_organisation})
    link_form = LinkForm(request.POST if action == "link" else None)
    new_link = ""
    if action == "share" and share_form.is_valid():
        try:
            services.portfolio_share(portfolio=portfolio, actor=request.user,
                                     people=list(share_form.cleaned_data["people"]),
                                     organisation=share_form.cleaned_data["organisation"])
        except ValidationError as exc:
            form_apply_errors(share_form, exc)
        else:
            messages.success(request, "Sharing saved.")
            return redirect("portfolio:share", pk=portfolio.pk)
    elif action == "link" and link_form.is_valid():
        try:
            _, token = services.portfolio_link_create(portfolio=portfolio, actor=request.user,
                                                      expires_on=link_form.cleaned_data["expires_on"],
                                                      label=link_form.cleaned_data["label"])
        except ValidationError as exc:
            form_apply_errors(link_form, exc)
        else:
            # Shown once, on this response; never stored in a readable form.
            new_link = request.build_absolute_uri(reverse("portfolio:public", args=[token]))
            link_form = LinkForm()
    elif action == "revoke":
        link = PortfolioLink.objects.filter(portfolio=portfolio, pk=request.POST.get("link") or 0).first()
        if link is None:
            raise Http404("No such link.")
        services.portfolio_link_revoke(link=link, actor=request.user)
        messages.success(request, "The link no longer works.")
        return redirect("portfolio:share", pk=portfolio.pk)
    failed = bool(share_form.errors or link_form.errors)
    return _private(render(request, "portfolio/share.html", {
        "portfolio": portfolio, "share_form": share_form, "link_form": link_form, "new_link": new_link,
        "links": selectors.portfolio_links(viewer=request.user, portfolio=portfolio),
        "today": timezone.localdate(),
    }, status=400 if failed else 200))


@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """What a secret link opens: the portfolio only, no session needed, never indexed."""
    try:
        portfolio = selectors.portfolio_get_by_token(token=token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    response = render(request, "portfolio/public.html", {
        "portfolio": portfolio, "items": selectors.portfolio_items(portfolio=portfolio),
        "intro": render_markdown(portfolio.intro),
    })
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: do not hand it to linked sites
    return _private(response)


def _download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _private(response)


@login_required
@require_GET
def export_html(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get(request.user, pk)
    return _download(export.portfolio_html(portfolio=portfolio), filename=export.export_filename(portfolio, "html"),
                     content_type="text/html; charset=utf-8")


@login_required
@require_GET
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _get(request.user, pk)
    try:
        pdf = export.portfolio_pdf(portfolio=portfolio)
    except export.PdfUnavailable:
        return render(request, "portfolio/pdf_unavailable.html", {"portfolio": portfolio}, status=503)
    return _download(pdf, filename=export.export_filename(portfolio, "pdf"), content_type="application/pdf")
