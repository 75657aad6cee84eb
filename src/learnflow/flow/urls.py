from django.urls import path

from learnflow.flow import views

app_name = "flow"

urlpatterns: list = [
]
