from django.urls import path

from learnflow.journal import views, views_portability

app_name = "journal"
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.entry_new, name="new"),
    path("quick/", views.quick_capture, name="quick"),
    path("team/", views.team_feed, name="team"),
    path("organisation/", views.organisation_feed, name="organisation"),
    path("week/", views.weekly_review, name="week"),
    path("export/", views_portability.export_page, name="export"),
    path("export.json", views_portability.export_json, name="export_json"),
    path("export.md", views_portability.export_markdown, name="export_markdown"),
    path("import/", views_portability.import_page, name="import"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/share/", views.entry_share, name="share"),
    path("<int:pk>/delete/", views.entry_delete, name="delete"),
]
