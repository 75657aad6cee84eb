from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "learnflow.community"
    label = "community"
    verbose_name = "Communities"

    def ready(self) -> None:
        from learnflow.community import flow, xapi
        from learnflow.community.selectors import post_visible_by_id
        from learnflow.notifications.services import about_checker_register

        xapi.register()
        flow.register()
        # The daily email checks again, when it sends, that the person may still read the post.
        about_checker_register("community.post", post_visible_by_id)
