"""Export and import of a person's journal (placeholder until the portability module lands)."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Export is coming.", status=501)


export_json = export_markdown = import_page = export_page
