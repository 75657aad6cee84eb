from django.urls import path

from learnflow.record import views

app_name = "record"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("shared/", views.activity_shared, name="shared"),
    path("keys/", views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("keys/<int:pk>/trust/", views.key_trust, name="key_trust"),
    path("manage/", views.manage, name="manage"),
    path("<str:statement_id>/", views.activity_detail, name="detail"),
    path("<str:statement_id>/share/", views.activity_share, name="share"),
    path("<str:statement_id>/reflect/", views.activity_reflect, name="reflect"),
]
