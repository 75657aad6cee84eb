"""Mounted by the project at both ``/xapi`` and ``/xapi/``; patterns tolerate a doubled slash."""

from django.urls import re_path

from learnflow.lrs import views

app_name = "lrs"

urlpatterns = [
    re_path(r"^/?about/?$", views.about, name="about"),
    re_path(r"^/?statements/?$", views.statements, name="statements"),
]
