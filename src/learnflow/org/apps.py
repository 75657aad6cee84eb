from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "learnflow.org"
    label = "org"
    verbose_name = "People and teams"
