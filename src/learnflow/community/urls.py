from django.urls import path

from learnflow.community import views

app_name = "community"

urlpatterns: list = [
]
