"""A portfolio as one self-contained HTML file, or as a PDF (WeasyPrint).

Both are downloads, not pages of ours: the HTML carries its CSS inline and refers to nothing outside itself (images
in Markdown are dropped, since fetching them would leak that the file was opened); WeasyPrint gets a URL fetcher
that refuses every fetch for the same reason.
"""
from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from learnflow.core.markdown import _ALLOWED_ATTRIBUTES, _ALLOWED_TAGS, render_markdown
from learnflow.portfolio.models import Portfolio
from learnflow.portfolio.selectors import portfolio_items


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs (Pango) are not installed here."""


def _offline(html: str) -> str:
    return nh3.clean(html, tags=_ALLOWED_TAGS - {"img"},
                     attributes={k: v for k, v in _ALLOWED_ATTRIBUTES.items() if k != "img"},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def _context(portfolio: Portfolio) -> dict:
    items = portfolio_items(portfolio=portfolio)
    for item in items:
        item.body = mark_safe(_offline(str(item.body)))  # sanitised again by nh3 just above
        item.note = mark_safe(_offline(str(item.note))) if item.note else ""
    return {"portfolio": portfolio, "items": items, "owner": portfolio.owner,
            "intro": mark_safe(_offline(render_markdown(portfolio.intro))), "generated_at": timezone.now()}


def portfolio_html(*, portfolio: Portfolio) -> str:
    return render_to_string("portfolio/export.html", _context(portfolio))


def export_filename(portfolio: Portfolio, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", portfolio.title).strip("-.")[:60] or "portfolio"
    return f"portfolio-{safe}.{extension}"


@lru_cache(maxsize=1)
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the module is there but libpango is not
        raise PdfUnavailable(str(exc)) from None
    return weasyprint


def pdf_available() -> tuple[bool, str]:
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return False, str(exc)
    return True, ""


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"A portfolio PDF loads nothing from outside ({url[:60]}).")


def portfolio_pdf(*, portfolio: Portfolio) -> bytes:
    weasyprint = _weasyprint()
    html = render_to_string("portfolio/export.html", {**_context(portfolio), "for_pdf": True})
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
