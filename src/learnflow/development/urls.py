from django.urls import path

from learnflow.development import views

app_name = "development"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/<str:username>/", views.report_page, name="report"),
    path("people/<str:username>/check-ins/new/", views.check_in_new, name="check_in_new"),
    path("people/<str:username>/stretch/new/", views.stretch_new, name="stretch_new"),
    path("check-ins/", views.check_ins_shared, name="check_ins"),
    path("check-ins/<int:pk>/", views.check_in_detail, name="check_in"),
    path("check-ins/<int:pk>/edit/", views.check_in_edit, name="check_in_edit"),
    path("check-ins/<int:pk>/share/", views.check_in_share, name="check_in_share"),
    path("check-ins/<int:pk>/delete/", views.check_in_delete, name="check_in_delete"),
    path("check-ins/<int:pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:pk>/", views.action_update, name="action"),
    path("stretch/<int:pk>/", views.stretch_detail, name="stretch"),
    path("stretch/<int:pk>/respond/", views.stretch_respond, name="stretch_respond"),
    path("stretch/<int:pk>/status/", views.stretch_status, name="stretch_status"),
    path("stretch/<int:pk>/reflect/", views.stretch_reflect, name="stretch_reflect"),
    path("team/", views.team, name="team"),
    path("team/objectives/<int:pk>/", views.objective_detail, name="objective"),
    path("team/objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("team/objectives/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
    path("team/objectives/<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("team/indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("team/indicators/<int:pk>/values/", views.indicator_value_add, name="indicator_value_add"),
    path("team/values/<int:pk>/delete/", views.indicator_value_delete, name="indicator_value_delete"),
]
