"""The project's URLs plus this app's, until the lead mounts them in learnflow/urls.py and learnflow/api.py.
Once mounted there, this module is just the project's urlconf."""
from django.urls import include, path

from learnflow.api import api as project_api
from learnflow.goals.api import router as goals_router
from learnflow.urls import urlpatterns as project_urlpatterns

_pages_mounted = any(getattr(p, "app_name", None) == "goals" for p in project_urlpatterns)
_api_mounted = any(r is goals_router for _, r in project_api._routers)

urlpatterns = []
if not _pages_mounted:
    urlpatterns.append(path("goals/", include("learnflow.goals.urls")))
if not _api_mounted:
    from ninja import NinjaAPI

    # A stand-in API with the project's authentication and error handlers (the project's own API cannot take a
    # router once its URLs exist).
    test_api = NinjaAPI(auth=project_api.auth, urls_namespace="goals-test-api", docs_url=None, openapi_url=None)
    test_api._exception_handlers.update(project_api._exception_handlers)
    test_api.add_router("/goals", goals_router)
    urlpatterns.append(path("api/", test_api.urls))
urlpatterns += project_urlpatterns
