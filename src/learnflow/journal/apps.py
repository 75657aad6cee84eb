from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "learnflow.journal"
    label = "journal"
    verbose_name = "Learning journal"
