from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "learnflow.library"
    label = "library"
    verbose_name = "Library"
