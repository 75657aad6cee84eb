from django.urls import path

from learnflow.account import views

app_name = "account"
urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("data/download.zip", views.download, name="download"),
    path("data/import/", views.import_page, name="import"),
    path("delete/", views.delete_page, name="delete"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notices/", views.notices_page, name="notices"),
]
