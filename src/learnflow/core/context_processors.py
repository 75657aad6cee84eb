from django.conf import settings
from django.http import HttpRequest

from learnflow import __version__


def learnflow(request: HttpRequest) -> dict:
    context = {"LEARNFLOW_VERSION": __version__, "SITE_URL": settings.SITE_URL}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # The quick capture box is on every page: capturing a learning should never need a detour.
        from learnflow.journal.forms import QuickCaptureForm

        context["quick_form"] = QuickCaptureForm()
    return context
