from django.contrib import admin
from django.urls import include, path

from learnflow.api import api
from learnflow.core import views as core_views
from learnflow.search.views import search_page

admin.site.site_header = "Learnflow administration"
admin.site.site_title = "Learnflow admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("search", search_page, name="search"),
    path("search/", search_page),
    path("journal/", include("learnflow.journal.urls")),
    path("record/", include("learnflow.record.urls")),
    path("goals/", include("learnflow.goals.urls")),
    path("development/", include("learnflow.development.urls")),
    path("curation/", include("learnflow.curation.urls")),
    path("portfolio/", include("learnflow.portfolio.urls")),
    path("account/", include("learnflow.account.urls")),
    path("library/", include("learnflow.library.urls")),
    path("flow/", include("learnflow.flow.urls")),
    path("communities/", include("learnflow.community.urls")),
    path("notifications/", include("learnflow.notifications.urls")),
    path("help/", include("learnflow.concierge.urls")),
    path("api/", api.urls),
    # xAPI clients are given the base URL with or without a trailing slash; both must work.
    path("xapi", include("learnflow.lrs.urls")),
    path("admin/", admin.site.urls),
    path("", include("learnflow.org.urls_admin")),
    path("", include("learnflow.org.urls")),
]

handler404 = "learnflow.core.views.not_found"
handler500 = "learnflow.core.views.server_error"
