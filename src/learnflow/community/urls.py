from django.urls import path

from learnflow.community import views

app_name = "community"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("new/", views.community_new, name="new"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.community_edit, name="edit"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/resources/", views.resources, name="resources"),
    path("<slug:slug>/requests/", views.requests_page, name="requests"),
    path("<slug:slug>/requests/<int:pk>/", views.request_decide, name="request_decide"),
    path("<slug:slug>/post/", views.post_new, name="post_new"),
    path("<slug:slug>/posts/<int:pk>/", views.post_detail, name="post"),
    path("<slug:slug>/posts/<int:pk>/reply/", views.reply_new, name="reply"),
    path("<slug:slug>/posts/<int:pk>/useful/", views.useful, name="useful"),
    path("<slug:slug>/posts/<int:pk>/accept/<int:reply_pk>/", views.accept, name="accept"),
    path("<slug:slug>/posts/<int:pk>/evidence/<int:reply_pk>/", views.reply_evidence, name="reply_evidence"),
    path("<slug:slug>/posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("<slug:slug>/shares/<int:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("<slug:slug>/discussions/new/", views.discussion_new, name="discussion_new"),
    path("<slug:slug>/discussions/<int:pk>/", views.discussion, name="discussion"),
    path("<slug:slug>/discussions/<int:pk>/summary/", views.discussion_summarise, name="discussion_summary"),
]
