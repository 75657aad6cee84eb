"""The document, Activities and Agents resources, under the same /xapi mount as
``learnflow.lrs.urls`` (include this from there: see that module)."""

from django.urls import re_path

from learnflow.lrs_documents import views

urlpatterns = [
    re_path(r"^[/]+activities/state/?$", views.activity_state, name="activity_state"),
    re_path(r"^[/]+activities/profile/?$", views.activity_profile, name="activity_profile"),
    re_path(r"^[/]+activities/?$", views.activities, name="activities"),
    re_path(r"^[/]+agents/profile/?$", views.agent_profile, name="agent_profile"),
    re_path(r"^[/]+agents/?$", views.agents, name="agents"),
]
