"""HTML views: the notification settings page."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from learnflow.core.errors import form_apply_errors
from learnflow.notifications import selectors, services
from learnflow.notifications.forms import SettingsForm


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(viewer=request.user)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_update(user=request.user, choices=form.choices())
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Saved. In-app notices always arrive at once.")
                return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form, "current": current}, status=400)
    initial = {"default": current["default"]}
    initial.update({f"kind_{kind}": own for kind, _, own, _ in current["kinds"]})
    return render(request, "notifications/settings.html", {"form": SettingsForm(initial=initial),
                                                           "current": current})
