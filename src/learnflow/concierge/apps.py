from django.apps import AppConfig


class ConciergeConfig(AppConfig):
    name = "learnflow.concierge"
    label = "concierge"
    verbose_name = "Learning concierge"
