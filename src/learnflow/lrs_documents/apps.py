from django.apps import AppConfig


class LrsDocumentsConfig(AppConfig):
    name = "learnflow.lrs_documents"
    label = "lrs_documents"
    verbose_name = "xAPI documents (state and profiles)"
