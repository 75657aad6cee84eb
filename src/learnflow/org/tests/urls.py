"""The project's URLs with the people-administration pages included (a no-op once learnflow/urls.py includes them)."""
from django.urls import include, path

from learnflow.urls import urlpatterns as project_urlpatterns

_included = any(getattr(p, "namespace", None) == "org_admin" for p in project_urlpatterns)
urlpatterns = list(project_urlpatterns) if _included else [
    path("", include("learnflow.org.urls_admin")), *project_urlpatterns]
