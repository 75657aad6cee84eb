from django.urls import path

from learnflow.concierge import views

app_name = "concierge"

urlpatterns: list = [
]
