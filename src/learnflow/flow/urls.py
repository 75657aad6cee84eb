from django.urls import path

from learnflow.flow import views

app_name = "flow"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/feed/", views.feed_manage, name="feed_manage"),
    path("digests/<int:pk>/", views.digest_detail, name="digest"),
    path("atom/<str:feed_id>/<str:token>/", views.atom, name="atom"),
]
