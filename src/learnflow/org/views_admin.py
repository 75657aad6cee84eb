"""People administration: a page of its own for role admin (the Django admin stays available too)."""
from __future__ import annotations

import hashlib
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from learnflow.core.errors import form_apply_errors
from learnflow.core.services import skill_get_or_create_many, split_names
from learnflow.org import csv_import, selectors, services
from learnflow.org.models import Role, Team, User

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "people_import_csv"


def admin_required(view):
    """Signed-out people go to sign in; signed-in people who are not admins get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied("Only admins manage people.")
        return view(request, *args, **kwargs)

    return wrapper


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", help_text="Name, username, email or job.")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)
    active = forms.ChoiceField(choices=[("", "Active and inactive"), ("yes", "Active"), ("no", "Inactive")],
                               required=False, label="Status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.team_list()


def _people_for_admin(filters: dict) -> QuerySet[User]:
    # Admin-only listing of every account, inactive ones included (the directory selector shows active people only).
    qs = User.objects.select_related("team", "manager").order_by("first_name", "last_name", "username")
    if filters.get("q"):
        for word in filters["q"].split():
            qs = qs.filter(Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
                           | Q(email__icontains=word) | Q(job_title__icontains=word))
    if filters.get("team"):
        qs = qs.filter(team=filters["team"])
    if filters.get("role"):
        qs = qs.filter(role=filters["role"])
    if filters.get("active") in ("yes", "no"):
        qs = qs.filter(is_active=filters["active"] == "yes")
    return qs


@admin_required
def people_manage(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(_people_for_admin(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/manage_people.html", {"form": form, "page": page, "people": page.object_list,
                                                      "total": page.paginator.count})


class PersonForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username")
    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.EmailField(required=False, label="Email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, label="Role")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="No team", label="Team")
    manager = forms.CharField(max_length=150, required=False, label="Manager",
                              help_text="The manager's username; leave empty for none.")
    job_title = forms.CharField(max_length=120, required=False, label="Job")
    skills = forms.CharField(required=False, label="Skills", help_text="Comma separated.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active (may sign in)")

    def __init__(self, *args, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["team"].queryset = selectors.team_list()
        if editing is not None:
            # A username is how people sign in and how CSV files name them: it does not change here.
            del self.fields["username"]
        else:
            del self.fields["is_active"]

    def clean_manager(self) -> User | None:
        name = self.cleaned_data["manager"].strip()
        if not name:
            return None
        boss = User.objects.filter(username__iexact=name).first()
        if boss is None:
            raise ValidationError(f"No person with username “{name}”.")
        if self.editing is not None and boss.pk == self.editing.pk:
            raise ValidationError("A person cannot be their own manager.")
        return boss


@admin_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                person = services.user_create(
                    username=d["username"], password=None, role=d["role"], team=d["team"], manager=d["manager"],
                    email=d["email"], first_name=d["first_name"], last_name=d["last_name"], job_title=d["job_title"],
                    skills=split_names(d["skills"]))
            except ValidationError as exc:
                form_apply_errors(form, exc)
            else:
                request.session["invite_link"] = _invite_link(request, person)
                messages.success(request, f"Created {person.display_name}. Send them the link below to choose a password.")
                return redirect("org_admin:person_edit", pk=person.pk)
        return render(request, "org/manage_person_form.html", {"form": form, "person": None}, status=400)
    return render(request, "org/manage_person_form.html", {"form": form, "person": None})


@admin_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("team", "manager"), pk=pk)
    initial = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email,
               "role": person.role, "team": person.team_id, "manager": person.manager.username if person.manager else "",
               "job_title": person.job_title, "skills": ", ".join(s.name for s in person.skills.all()),
               "is_active": person.is_active}
    form = PersonForm(request.POST or None, initial=initial, editing=person)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if person.pk == request.user.pk and (d["role"] != Role.ADMIN or not d["is_active"]):
                form.add_error("role" if d["role"] != Role.ADMIN else "is_active",
                               "You cannot take away your own admin access; ask another admin.")
            else:
                try:
                    services.user_update(
                        user=person, role=d["role"], team=d["team"], manager=d["manager"], is_active=d["is_active"],
                        first_name=d["first_name"], last_name=d["last_name"], email=d["email"],
                        job_title=d["job_title"])
                    person.skills.set(skill_get_or_create_many(names=split_names(d["skills"])))
                except ValidationError as exc:
                    form_apply_errors(form, exc)
                else:
                    messages.success(request, f"Saved {person.display_name}.")
                    return redirect("org_admin:people")
        status = 400
    return render(request, "org/manage_person_form.html", {
        "form": form, "person": person, "invite_link": request.session.pop("invite_link", None)}, status=status)


@admin_required
@require_POST
def person_invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    request.session["invite_link"] = _invite_link(request, person)
    messages.success(request, f"A new set-password link for {person.display_name} is below; older links still work "
                              "until one of them is used.")
    return redirect("org_admin:person_edit", pk=person.pk)


def _invite_link(request: HttpRequest, person: User) -> str:
    return csv_import.set_password_link(person, base_url=f"{request.scheme}://{request.get_host()}")


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a first line naming the columns.")


@admin_required
def people_import(request: HttpRequest) -> HttpResponse:
    context = {"columns": csv_import.COLUMNS, "form": ImportForm()}
    if request.method != "POST":
        return render(request, "org/manage_import.html", context)
    if request.POST.get("action") == "import":
        stored = request.session.get(IMPORT_SESSION_KEY) or {}
        # The digest ties the confirmation to the preview the admin saw, even with two previews open in two tabs.
        if not stored or stored.get("digest") != request.POST.get("digest"):
            messages.error(request, "Nothing imported: upload and check the file again.")
            return redirect("org_admin:import")
        del request.session[IMPORT_SESSION_KEY]
        data = stored["data"]
        result = csv_import.people_csv_import(data=data, base_url=f"{request.scheme}://{request.get_host()}")
        if not result.ok:
            # The data changed between the check and the import; nothing was written.
            return render(request, "org/manage_import.html", {**context, "errors": result.errors}, status=400)
        messages.success(request, result.summary())
        return render(request, "org/manage_import.html", {**context, "result": result})
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "org/manage_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > csv_import.MAX_BYTES:
        form.add_error("file", f"The file is larger than {csv_import.MAX_BYTES // (1024 * 1024)} MB; split it.")
        return render(request, "org/manage_import.html", context, status=400)
    raw = upload.read()
    plan = csv_import.people_csv_check(data=raw)
    if not plan.ok:
        return render(request, "org/manage_import.html", {**context, "errors": plan.errors, "filename": upload.name},
                      status=400)
    digest = hashlib.sha256(raw).hexdigest()
    request.session[IMPORT_SESSION_KEY] = {"data": raw.decode("utf-8-sig"), "digest": digest}
    return render(request, "org/manage_import.html", {**context, "plan": plan, "filename": upload.name,
                                                      "digest": digest})


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page an invitation link opens: choose a password, then sign in."""

    template_name = "org/manage_set_password.html"
    success_url = reverse_lazy("login")
    reset_url_token = "choose-password"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set; sign in with it now.")
        return response
