from django.urls import path

from learnflow.curation import views

app_name = "curation"
urlpatterns = [
    path("", views.topic_index, name="index"),
    path("subscriptions.opml", views.opml_export, name="opml_export_all"),
    path("<slug:slug>/", views.inbox, name="inbox"),
    path("<slug:slug>/items/<int:pk>/", views.inbox_decide, name="decide"),
    path("<slug:slug>/sources/", views.sources, name="sources"),
    path("<slug:slug>/sources/<int:pk>/remove/", views.source_remove, name="source_remove"),
    path("<slug:slug>/sources/import/", views.opml_import, name="opml_import"),
    path("<slug:slug>/sources.opml", views.opml_export, name="opml_export"),
]
