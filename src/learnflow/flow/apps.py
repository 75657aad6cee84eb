from django.apps import AppConfig


class FlowConfig(AppConfig):
    name = "learnflow.flow"
    label = "flow"
    verbose_name = "Knowledge flow"
