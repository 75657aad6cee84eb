from django.urls import path

from learnflow.goals import views

app_name = "goals"
urlpatterns = [
    path("", views.goal_list, name="list"),
    path("new/", views.goal_new, name="new"),
    path("map/", views.evidence_map, name="map"),
    path("framework/import/", views.framework_import, name="framework_import"),
    path("requests/", views.endorsement_requests, name="requests"),
    path("requests/skill/", views.endorsement_ask_skill, name="ask_skill"),
    path("requests/<int:pk>/", views.endorsement_answer, name="request"),
    path("requests/<int:pk>/withdraw/", views.endorsement_withdraw, name="request_withdraw"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/endorse/", views.endorsement_ask, name="evidence_ask"),
    path("<int:pk>/", views.goal_detail, name="detail"),
    path("<int:pk>/edit/", views.goal_edit, name="edit"),
    path("<int:pk>/share/", views.goal_share, name="share"),
    path("<int:pk>/delete/", views.goal_delete, name="delete"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_action, name="step"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
]
