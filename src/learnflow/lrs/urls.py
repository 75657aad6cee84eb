"""The xAPI resources, mounted once by the project with ``path("xapi", include("learnflow.lrs.urls"))``.

Patterns start with ``[/]+`` so that ``/xapi/statements`` and ``/xapi//statements``
(clients configured with a base URL ending in a slash) both resolve. The document,
Activities and Agents resources of ``learnflow.lrs_documents`` are served under the
same mount.
"""

from django.apps import apps
from django.urls import re_path

from learnflow.lrs import views

app_name = "lrs"

urlpatterns = [
    re_path(r"^[/]+about/?$", views.about, name="about"),
    re_path(r"^[/]+statements/?$", views.statements, name="statements"),
]

if apps.is_installed("learnflow.lrs_documents"):
    from learnflow.lrs_documents.urls import urlpatterns as document_urlpatterns

    urlpatterns += document_urlpatterns

# Anything else under /xapi answers like the rest of the LRS: a JSON body, not the site's HTML 404 page.
urlpatterns.append(re_path(r"^[/]+.*$", views.not_found, name="not-found"))
