"""Pages about one's own account. Every view acts on request.user only: nobody can act on another person here."""
from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from learnflow.account import archive, services
from learnflow.account.forms import DeleteForm, ImportForm, NotificationForm
from learnflow.account.models import Notice
from learnflow.core.errors import form_apply_errors


@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "account/data.html", {"plan": services.account_deletion_plan(user=request.user)})


@login_required
@require_GET
def download(request: HttpRequest) -> FileResponse:
    # Spooled to a temporary file (in memory up to 32 MB): a zip's directory is written last, so it cannot stream.
    handle = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    archive.account_export(user=request.user, out=handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=archive.archive_filename(request.user),
                            content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Import a "download all my data" archive into one's own account (the same code as `learnflow import`)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.account_import_upload(user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
    return render(request, "account/import.html", {
        "form": form, "report": report, "limit_mb": services.max_archive_upload_bytes() // (1024 * 1024),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_page(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user, confirm_username=form.cleaned_data["confirm_username"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            logout(request)
            messages.success(request, "Your account is closed. Your private content is deleted.")
            return redirect("login")
    return render(request, "account/delete.html", {
        "form": form, "plan": services.account_deletion_plan(user=request.user),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    pref = services.preference_get(user=request.user)
    form = NotificationForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, weekly_goal_nudge=form.cleaned_data["weekly_goal_nudge"],
                                   nudge_by_email=form.cleaned_data["nudge_by_email"])
        messages.success(request, "Saved.")
        return redirect("account:notifications")
    return render(request, "account/notifications.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def notices_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notices_mark_read(user=request.user)
        return redirect("account:notices")
    notices = list(Notice.objects.filter(user=request.user)[:100])
    return render(request, "account/notices.html", {
        "notices": notices, "unread": any(n.read_at is None for n in notices),
    })
