from django.urls import path

from learnflow.concierge import views

app_name = "concierge"

urlpatterns: list = [
    path("", views.home, name="home"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/ask/", views.request_ask, name="ask"),
    path("<int:pk>/reply/", views.request_reply, name="reply"),
    path("<int:pk>/respond/", views.request_respond, name="respond"),
    path("<int:pk>/pass/", views.request_pass, name="pass"),
    path("<int:pk>/resolve/", views.request_resolve, name="resolve"),
    path("<int:pk>/close/", views.request_close, name="close"),
    path("<int:pk>/thank/", views.request_thank, name="thank"),
    path("<int:pk>/publish/", views.request_publish, name="publish"),
    path("<int:pk>/queue/", views.request_queue, name="queue_request"),
    path("<int:pk>/take/", views.request_take, name="take"),
    path("messages/<int:pk>/evidence/", views.message_evidence, name="message_evidence"),
    path("queue/", views.queue, name="queue"),
    path("who-knows/", views.directory, name="directory"),
    path("settings/", views.profile, name="settings"),
]
