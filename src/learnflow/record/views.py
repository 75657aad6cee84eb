from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learnflow.core.errors import NotFound, form_apply_errors
from learnflow.core.visibility import Visibility
from learnflow.lrs.models import LrsKey
from learnflow.record import selectors, services
from learnflow.record.models import ForwardItem, ForwardTarget


def _xapi_endpoint(request: HttpRequest) -> str:
    return request.build_absolute_uri("/xapi/")


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    include = request.GET.get("all") == "1"
    return render(request, "record/activity_list.html", {
        "activities": selectors.recorded_activity(viewer=request.user, limit=100, include_learnflow=include),
        "include_learnflow": include, "visibility_choices": Visibility.choices,
    })


@login_required
def activity_shared(request: HttpRequest) -> HttpResponse:
    return render(request, "record/activity_shared.html",
                  {"activities": selectors.shared_activity(viewer=request.user)})


@login_required
def activity_detail(request: HttpRequest, statement_id: str) -> HttpResponse:
    try:
        activity = selectors.activity_get(viewer=request.user, statement_id=statement_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "record/activity_detail.html", {
        "a": activity, "is_owner": activity.statement.person_id == request.user.pk,
        "visibility_choices": Visibility.choices,
    })


@login_required
@require_POST
def activity_share(request: HttpRequest, statement_id: str) -> HttpResponse:
    try:
        services.statement_share(owner=request.user, statement_id=statement_id,
                                 visibility=request.POST.get("visibility", ""), note=request.POST.get("note", ""))
    except PermissionDenied:
        raise Http404("No such activity.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sharing updated.")
    return redirect("record:detail", statement_id)


@login_required
@require_POST
def activity_reflect(request: HttpRequest, statement_id: str) -> HttpResponse:
    try:
        entry = services.statement_reflect(owner=request.user, statement_id=statement_id)
    except PermissionDenied:
        raise Http404("No such activity.") from None
    messages.success(request, "A private journal entry was made from this activity: add your reflection.")
    return redirect(reverse("journal:edit", args=[entry.pk]) + "#id_reflection_happened")


class KeyForm(forms.Form):
    label = forms.CharField(max_length=120, label="What tool is this key for?", initial="My learning app")


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    form = KeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.person_lrs_key_create(owner=request.user, label=form.cleaned_data["label"])
        form = KeyForm()
    return render(request, "record/keys.html", {
        "form": form, "issued": issued, "endpoint": _xapi_endpoint(request),
        "keys": LrsKey.objects.filter(owner=request.user).order_by("-created_at"),
    })


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    from learnflow.lrs.services import lrs_key_revoke

    key = LrsKey.objects.filter(pk=pk).select_related("owner").first()
    if key is None or (key.owner_id != request.user.pk and not request.user.is_admin):
        raise Http404("No such key.")
    lrs_key_revoke(key=key, by=request.user)
    messages.success(request, f"Revoked key {key.key}. Tools using it can no longer send statements.")
    return redirect("record:manage" if key.org_tool else "record:keys")


class OrgKeyForm(forms.Form):
    tool = forms.CharField(max_length=120, label="Tool", help_text="e.g. Company LMS, Video platform")


class TargetForm(forms.ModelForm):
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True), max_length=200)

    class Meta:
        model = ForwardTarget
        fields = ["name", "endpoint", "username", "password", "xapi_version", "enabled", "forward_shared",
                  "verb_iris", "activity_prefix"]
        widgets = {"verb_iris": forms.Textarea(attrs={"rows": 3})}


def _admin(request: HttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied("Only admins manage organisation-level LRS keys and forwarding.")


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _admin(request)
    key_form, target_form, issued = OrgKeyForm(prefix="key"), TargetForm(prefix="target"), None
    status = 200
    if request.method == "POST" and "key-tool" in request.POST:
        key_form = OrgKeyForm(request.POST, prefix="key")
        if key_form.is_valid():
            try:
                issued = services.org_lrs_key_create(actor=request.user, tool=key_form.cleaned_data["tool"])
                key_form = OrgKeyForm(prefix="key")
            except ValidationError as exc:
                form_apply_errors(key_form, exc)
                status = 400
        else:
            status = 400
    elif request.method == "POST":
        target_form = TargetForm(request.POST, prefix="target")
        if target_form.is_valid():
            try:
                services.forward_target_save(actor=request.user, target=target_form.save(commit=False))
            except ValidationError as exc:
                form_apply_errors(target_form, exc)
                status = 400
            else:
                messages.success(request, "Forwarding target saved.")
                return redirect("record:manage")
        else:
            status = 400
    targets = list(ForwardTarget.objects.order_by("name"))
    for t in targets:
        t.pending = ForwardItem.objects.filter(target=t, delivered_at__isnull=True, refused_at__isnull=True).count()
        t.delivered = ForwardItem.objects.filter(target=t, delivered_at__isnull=False).count()
        t.last_error = (ForwardItem.objects.filter(target=t, delivered_at__isnull=True).exclude(last_error="")
                        .order_by("-refused_at", "-next_attempt_at").values_list("last_error", flat=True).first())
        t.refused = ForwardItem.objects.filter(target=t, refused_at__isnull=False).count()
    return render(request, "record/manage.html", {
        "key_form": key_form, "target_form": target_form, "issued": issued, "endpoint": _xapi_endpoint(request),
        "org_keys": LrsKey.objects.filter(owner__isnull=True).exclude(org_tool="Learnflow").order_by("-created_at"),
        "person_keys": LrsKey.objects.filter(owner__isnull=False).select_related("owner").order_by("-created_at")[:200],
        "targets": targets,
    }, status=status)


@login_required
@require_POST
def key_trust(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    key = LrsKey.objects.filter(pk=pk, owner__isnull=False).first()
    if key is None:
        raise Http404("No such key.")
    services.lrs_key_set_trusted(actor=request.user, key=key, trusted=request.POST.get("trusted") == "1")
    messages.success(request, f"Key {key.key} is now {'trusted' if key.trusted else 'limited to its owner'}.")
    return redirect("record:manage")
