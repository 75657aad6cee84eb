from django.urls import path
from django.views.generic import RedirectView

from learnflow.notifications import views

app_name = "notifications"

urlpatterns: list = [
    path("", RedirectView.as_view(pattern_name="notifications:settings"), name="index"),
    path("settings/", views.settings_page, name="settings"),
]
