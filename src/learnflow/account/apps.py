from django.apps import AppConfig


class AccountConfig(AppConfig):
    name = "learnflow.account"
    label = "account"
    verbose_name = "My account and data"
