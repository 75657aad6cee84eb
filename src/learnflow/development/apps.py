from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "learnflow.development"
    label = "development"
    verbose_name = "Manager-led development"
