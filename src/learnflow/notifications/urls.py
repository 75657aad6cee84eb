from django.urls import path

from learnflow.notifications import views

app_name = "notifications"

urlpatterns: list = [
]
