"""People administration for role admin, plus the one-time set-password page its invitations link to.

Included from learnflow/urls.py with: path("", include("learnflow.org.urls_admin")),"""
from django.urls import path

from learnflow.org import views_admin

app_name = "org_admin"

urlpatterns = [
    path("people/manage/", views_admin.people_manage, name="people"),
    path("people/manage/new/", views_admin.person_create, name="person_create"),
    path("people/manage/<int:pk>/", views_admin.person_edit, name="person_edit"),
    path("people/manage/<int:pk>/invite/", views_admin.person_invite, name="person_invite"),
    path("people/manage/import/", views_admin.people_import, name="import"),
    # Reached by the invited person, signed out: the token in the link is the permission.
    path("welcome/<uidb64>/<token>/", views_admin.SetPasswordView.as_view(), name="set_password"),
]
