"""The project's URLs plus this app's (and the goals app's, which this app's pages link to), until the lead mounts
them in learnflow/urls.py and learnflow/api.py. Once mounted there, this module is just the project's urlconf."""
from django.urls import include, path

from learnflow.api import api as project_api
from learnflow.development.api import router as development_router
from learnflow.urls import urlpatterns as project_urlpatterns


def _mounted(name: str) -> bool:
    return any(getattr(p, "app_name", None) == name or getattr(p, "namespace", None) == name
               for p in project_urlpatterns)


urlpatterns = []
if not _mounted("development"):
    urlpatterns.append(path("development/", include("learnflow.development.urls")))
if not _mounted("goals"):
    urlpatterns.append(path("goals/", include("learnflow.goals.urls")))
if not any(r is development_router for _, r in project_api._routers):
    from ninja import NinjaAPI

    # A stand-in API with the project's authentication and error handlers (the project's own API cannot take a
    # router once its URLs exist).
    test_api = NinjaAPI(auth=project_api.auth, urls_namespace="development-test-api", docs_url=None,
                        openapi_url=None)
    test_api._exception_handlers.update(project_api._exception_handlers)
    test_api.add_router("/development", development_router)
    urlpatterns.append(path("api/", test_api.urls))
urlpatterns += project_urlpatterns
