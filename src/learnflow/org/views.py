from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnflow.core.errors import form_apply_errors
from learnflow.core.services import split_names
from learnflow.org import selectors, services
from learnflow.org.models import Availability


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginView(auth_views.LoginView):
    """Django's sign-in, with failed attempts throttled per username and per address."""

    template_name = "org/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if services.login_is_throttled(username=username, ip=client_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many failed sign-ins. Wait a few minutes, then try again.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.login_failed(username=self.request.POST.get("username", ""), ip=client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        services.login_succeeded(username=form.get_user().username, ip=client_ip(self.request))
        return super().form_valid(form)


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.EmailField(required=False, label="Email")
    job_title = forms.CharField(max_length=120, required=False, label="Job")
    skills = forms.CharField(required=False, label="Skills", help_text="What you can help others with, comma separated.")
    interests = forms.CharField(required=False, label="Interests", help_text="What you want to learn about.")
    availability = forms.ChoiceField(choices=Availability.choices, label="Availability")
    availability_note = forms.CharField(max_length=200, required=False, label="Availability note",
                                        help_text="For example: back on Monday, or: happy to pair on Fridays.")
    timezone = forms.CharField(max_length=64, label="Time zone", initial="UTC")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, label="Token name", initial="Terminal")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email, "job_title": user.job_title,
        "skills": ", ".join(s.name for s in user.skills.all()), "interests": ", ".join(t.name for t in user.interests.all()),
        "availability": user.availability, "availability_note": user.availability_note, "timezone": user.timezone,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.profile_update(
                    user=user, first_name=d["first_name"], last_name=d["last_name"], email=d["email"],
                    job_title=d["job_title"], skills=split_names(d["skills"]), interests=split_names(d["interests"]),
                    availability=d["availability"], availability_note=d["availability_note"],
                    timezone_name=d["timezone"].strip(),
                )
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("profile")
        status = 400
    return render(request, "org/profile.html", {
        "form": form, "token_form": TokenForm(), "tokens": selectors.api_token_list(viewer=user),
        "new_token": request.session.pop("new_token", None),
    }, status=status)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        _, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        # Shown once, on the next page only.
        request.session["new_token"] = raw
    else:
        messages.error(request, "Give the token a name of up to 80 characters.")
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=pk)
    except ValidationError:
        messages.error(request, "No such token.")
    else:
        messages.success(request, f"Revoked “{token.name}”. Scripts using it stop working now.")
    return redirect("profile")


@login_required
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "org/people.html", {"people": selectors.person_list(viewer=request.user)})
