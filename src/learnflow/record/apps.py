from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "learnflow.record"
    label = "record"
    verbose_name = "Learning record"

    def ready(self) -> None:
        # Learnflow's own events (journal entry logged, shared, reflected …) become xAPI statements in the LRS,
        # in the same transaction as the change itself.
        from learnflow.core.services import event_listener_add
        from learnflow.record.emit import statement_from_event

        event_listener_add(statement_from_event)
