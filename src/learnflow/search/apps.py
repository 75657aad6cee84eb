from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "learnflow.search"
    label = "search"
    verbose_name = "Search"
