from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "learnflow.lrs"
    label = "lrs"
    verbose_name = "xAPI Learning Record Store"
    default_auto_field = "django.db.models.BigAutoField"
