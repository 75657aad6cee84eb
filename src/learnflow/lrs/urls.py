"""Mount with ``path("xapi", include("learnflow.lrs.urls"))``: one include serves both
``/xapi/statements`` and ``/xapi//statements`` (clients given a base URL ending in a slash)."""

from django.urls import re_path

from learnflow.lrs import views

app_name = "lrs"

urlpatterns = [
    re_path(r"^[/]+about/?$", views.about, name="about"),
    re_path(r"^[/]+statements/?$", views.statements, name="statements"),
]
