from django.apps import AppConfig


class ConciergeConfig(AppConfig):
    name = "learnflow.concierge"
    label = "concierge"
    verbose_name = "Learning concierge"

    def ready(self) -> None:
        from django.conf import settings

        from learnflow.concierge import signals
        from learnflow.record import emit

        signals.connect()

        base = emit.PROFILE_BASE
        emit.VERBS.setdefault("requested-help", (f"{base}/verbs/requested-help", "asked for help with"))
        emit.VERBS.setdefault("helped", (f"{base}/verbs/helped", "helped with"))
        emit.VERBS.setdefault("resolved-help", (f"{base}/verbs/resolved-help", "had resolved"))

        def help_request_object(obj):
            # No title: a request is private to the people in it, and a statement cannot be taken back.
            site = settings.SITE_URL.rstrip("/")
            return {"objectType": "Activity", "id": f"{site}{obj.get_absolute_url()}",
                    "definition": {"type": f"{base}/activities/help-request", "name": {"en": "Help request"}}}

        emit.OBJECT_TYPES["concierge.helprequest"] = help_request_object
