"""The project's URLs plus portfolio's and account's, until the lead mounts them in learnflow/urls.py."""
from django.urls import include, path

from learnflow.urls import urlpatterns as project_urlpatterns

_mounted = {getattr(p, "app_name", None) for p in project_urlpatterns}
urlpatterns = []
for _prefix, _module, _name in (("portfolio/", "learnflow.portfolio.urls", "portfolio"),
                                ("account/", "learnflow.account.urls", "account")):
    if _name not in _mounted:
        urlpatterns.append(path(_prefix, include(_module)))
urlpatterns += project_urlpatterns
