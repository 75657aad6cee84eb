from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "learnflow.notifications"
    label = "notifications"
    verbose_name = "Notifications"
