from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "learnflow.goals"
    label = "goals"
    verbose_name = "Development goals"
