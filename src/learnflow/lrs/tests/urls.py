from django.urls import include, path

from learnflow.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("xapi", include("learnflow.lrs.urls")),
    *project_urlpatterns,
]
