"""The project's URLs plus curation's, until the lead mounts them in learnflow/urls.py."""
from django.urls import include, path

from learnflow.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(p, "app_name", None) == "curation" for p in project_urlpatterns)
urlpatterns = [] if _mounted else [path("curation/", include("learnflow.curation.urls"))]
urlpatterns += project_urlpatterns
