"""How each person wants to hear about things that concern them, and the emails waiting for their daily digest.

The in-app part of a notification is account.Notice (the badge in the top bar reads it); this app only decides about
email and keeps the daily batch.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    MENTION = "mention", "Someone mentions me"
    REPLY = "reply", "Someone replies to my post or reply"
    ANSWER = "answer", "My question gets an answer, or my answer is accepted"
    JOIN_REQUEST = "join_request", "Someone asks to join a community I facilitate, or my request is decided"
    HELP_REQUEST = "help_request", "Someone asks me for help, or my help request moves"
    LIBRARY_REVIEW = "library_review", "A library resource waits for my review, or mine was reviewed"
    LIBRARY_COMMENT = "library_comment", "Someone comments on a resource of mine"
    LIBRARY_FLAG = "library_flag", "Someone flags a resource I wrote or review"


class Channel(models.TextChoices):
    IMMEDIATELY = "immediately", "Email at once"
    DAILY = "daily", "In a daily email"
    NEVER = "never", "No email (in-app only)"


# Without a setting of their own, people get these. Replies can be many, so they wait for the daily email.
DEFAULT_CHANNEL: dict[str, str] = {
    Kind.MENTION: Channel.IMMEDIATELY,
    Kind.REPLY: Channel.DAILY,
    Kind.ANSWER: Channel.IMMEDIATELY,
    Kind.JOIN_REQUEST: Channel.DAILY,
    Kind.HELP_REQUEST: Channel.IMMEDIATELY,
    Kind.LIBRARY_REVIEW: Channel.DAILY,
    Kind.LIBRARY_COMMENT: Channel.DAILY,
    Kind.LIBRARY_FLAG: Channel.DAILY,
}


class NotificationSetting(models.Model):
    """A person's email choice for one kind, or for every kind when `kind` is blank (a kind's own row wins)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    kind = models.CharField(max_length=32, blank=True, choices=Kind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind or '*'} → {self.channel}"


class PendingEmail(models.Model):
    """A notification waiting for the person's daily email. `about_type`/`about_id` name what it is about, so the
    batch can check again, when it sends, that the person may still see it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)  # a Kind, or a kind another app added later
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    about_type = models.CharField(max_length=64, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "user"], name="pending_email_unsent",
                                condition=Q(sent_at__isnull=True))]
