"""Export and import of the signed-in person's own journal (pages and downloads). The work is in portability.py."""
from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from learnflow.core.errors import form_apply_errors
from learnflow.journal import portability


class ImportForm(forms.Form):
    file = forms.FileField(label="Export file",
                           help_text="A Learnflow journal export (.json) or a jrnl export made with "
                                     "“jrnl --export json”.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}))
    private_only = forms.BooleanField(
        required=False, label="Make every imported entry private",
        help_text="Leave this unticked to share each entry as it was shared when exported "
                  "(with your manager, your team or the organisation here). jrnl entries are always private.")


def _download(chunks, *, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # A personal journal must not linger in shared caches or the browser's back-forward cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    stats = portability.journal_export_stats(owner=request.user)
    return render(request, "journal/export.html", {
        "stats": stats, "format_name": portability.FORMAT_NAME, "format_version": portability.FORMAT_VERSION,
        "max_import_bytes": portability.max_import_bytes(),
    })


@login_required
@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    include_files = request.GET.get("files", "1") != "0"
    return _download(portability.journal_export_json(owner=request.user, include_files=include_files),
                     filename=portability.export_filename(request.user, "json"),
                     content_type="application/json; charset=utf-8")


@login_required
@require_GET
def export_markdown(request: HttpRequest) -> StreamingHttpResponse:
    return _download(portability.journal_export_markdown(owner=request.user),
                     filename=portability.export_filename(request.user, "markdown"),
                     content_type="text/markdown; charset=utf-8")


def _too_large(request: HttpRequest) -> bool:
    # Checked before the body is read: an enormous upload is refused without being spooled to disk first.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > portability.max_import_bytes() + 64 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    limit = portability.max_import_bytes()
    context = {"max_import_bytes": limit}
    if request.method != "POST":
        return render(request, "journal/import.html", {**context, "form": ImportForm()})
    if _too_large(request):
        context["too_large"] = f"The file is larger than the {limit // (1024 * 1024)} MB import limit; nothing was " \
                               "imported."
        return render(request, "journal/import.html", {**context, "form": ImportForm()}, status=413)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > limit:
                raise ValidationError({"file": f"The file is larger than the {limit // (1024 * 1024)} MB "
                                               "import limit."})
            report = portability.journal_import(author=request.user, data=upload.read(),
                                                private_only=form.cleaned_data["private_only"])
        except ValidationError as exc:
            form_apply_errors(form, exc)
        else:
            return render(request, "journal/import.html", {**context, "form": ImportForm(), "report": report})
    return render(request, "journal/import.html", {**context, "form": form}, status=400)
