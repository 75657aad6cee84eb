from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from learnflow import __version__
from learnflow.journal import selectors as journal_selectors
from learnflow.journal.services import today_for

REFLECTION_PROMPTS = [
    "What surprised you at work today, and what does it tell you?",
    "Who helped you this week, and what did you learn from how they work?",
    "What did you try that did not work? What would you try next?",
    "Which question did you look up today? Is the answer worth sharing with your team?",
    "What is one thing you do differently now than a month ago?",
    "What would you explain to a new colleague about your work that you only learned recently?",
    "Which problem are you stuck on? Who might know?",
]


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy; say so rather than raise a 500 page
        return JsonResponse({"status": "error", "database": "unreachable", "error": exc.__class__.__name__},
                            status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": __version__})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    grid, streak, total = journal_selectors.heatmap(viewer=request.user, weeks=17)
    recent = journal_selectors.entry_timeline(viewer=request.user, detail=False)[:5]
    shared = journal_selectors.team_feed(viewer=request.user, detail=False)[:5]
    today = today_for(request.user)
    return render(request, "core/home.html", {
        "recent": recent, "shared": shared, "streak": streak, "heatmap": grid, "period_total": total,
        "prompt": REFLECTION_PROMPTS[today.toordinal() % len(REFLECTION_PROMPTS)],
    })


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/csrf_failure.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Not found",
                                               "message": "There is nothing here, or it is not shared with you."},
                  status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Something went wrong",
                                               "message": "The error was logged. Please try again."}, status=500)
