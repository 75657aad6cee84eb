from django.urls import path

from learnflow.library import views

app_name = "library"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("new/", views.resource_new, name="new"),
    path("r/<uuid:uid>/", views.resource_detail, name="resource"),
    path("r/<uuid:uid>/edit/", views.resource_edit, name="edit"),
    path("r/<uuid:uid>/file/", views.resource_file, name="file"),
    path("r/<uuid:uid>/image/", views.resource_image, name="image"),
    path("r/<uuid:uid>/image/thumb/", views.resource_image, {"thumb": True}, name="image_thumb"),
    path("r/<uuid:uid>/image/refetch/", views.resource_image_refetch, name="image_refetch"),
    path("r/<uuid:uid>/image/remove/", views.resource_image_remove, name="image_remove"),
    path("r/<uuid:uid>/refresh/", views.resource_refresh, name="refresh"),
    path("r/<uuid:uid>/submit/", views.resource_submit, name="submit"),
    path("r/<uuid:uid>/review/", views.resource_review, name="review"),
    path("r/<uuid:uid>/archive/", views.resource_archive, name="archive"),
    path("r/<uuid:uid>/vote/", views.resource_vote, name="vote"),
    path("r/<uuid:uid>/complete/", views.resource_complete, name="complete"),
    path("r/<uuid:uid>/comment/", views.resource_comment, name="comment"),
    path("r/<uuid:uid>/comment/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("r/<uuid:uid>/flag/", views.resource_flag, name="flag"),
    path("r/<uuid:uid>/flag/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/review/", views.topic_review, name="topic_review"),
    path("collections/", views.collections, name="collections"),
    path("collections/new/", views.collection_new, name="collection_new"),
    path("collections/<uuid:uid>/", views.collection_detail, name="collection"),
    path("collections/<uuid:uid>/items/<int:pk>/", views.collection_item, name="collection_item"),
]
