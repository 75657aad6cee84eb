from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "learnflow.curation"
    label = "curation"
    verbose_name = "Curation"
