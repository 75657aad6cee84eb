"""The project's URLs with this app's resources mounted beside the statements resource, for tests
(and for running the conformance suite) until ``learnflow.lrs.urls`` includes them."""

from django.urls import include, path

from learnflow.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("xapi", include("learnflow.lrs_documents.urls")),
    *project_urlpatterns,
]
