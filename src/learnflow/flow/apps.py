from django.apps import AppConfig


class FlowConfig(AppConfig):
    name = "learnflow.flow"
    label = "flow"
    verbose_name = "Knowledge flow"

    def ready(self) -> None:
        from learnflow.flow.sources import register_builtin

        register_builtin()
