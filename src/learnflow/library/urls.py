from django.urls import path

from learnflow.library import views

app_name = "library"

urlpatterns: list = [
    path("r/<uuid:uid>/", views.resource_detail, name="resource"),
]
