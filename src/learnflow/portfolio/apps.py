from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "learnflow.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
