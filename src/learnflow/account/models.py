"""A person's own account matters: notification preferences, in-app notices, and the log that keeps weekly nudges
to one per person per week."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationPreference(models.Model):
    """What a person wants to be reminded of. No row means the defaults below."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    weekly_goal_nudge = models.BooleanField("A weekly reminder to review my goals", default=True)
    nudge_by_email = models.BooleanField("Also send it by email", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class Notice(models.Model):
    """A short in-app message for one person ("Time to review your goals")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)  # a path on this site, never an outside URL
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created"], name="notice_user_unread")]

    def __str__(self) -> str:
        return self.text


class NudgeSent(models.Model):
    """One row per person per week a goal nudge went out: the unique constraint makes the task idempotent, even
    with two workers running it at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, default="weekly_goal_review")
    week_start = models.DateField()
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "week_start"], name="nudge_once_per_week")]
