from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "learnflow.library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from learnflow.curation.services import inbox_published_listener_add
        from learnflow.library import xapi
        from learnflow.library.services import resource_from_inbox_item

        xapi.register()
        inbox_published_listener_add(resource_from_inbox_item)
