from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "learnflow.community"
    label = "community"
    verbose_name = "Communities"
