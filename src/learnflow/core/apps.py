from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "learnflow.core"
    label = "core"
    verbose_name = "Learnflow core"
