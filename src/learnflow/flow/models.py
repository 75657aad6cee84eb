"""The knowledge flow: what people follow, how often they want a digest, and which items each digest carried."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Follow(models.Model):
    """One thing a person follows: a topic (with its subtopics), a curator, or an item of a registered source
    (`source` names it, e.g. "community", and `ref` says which one)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    topic = models.ForeignKey("curation.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="followers")
    source = models.CharField(max_length=40, blank=True)
    ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic__isnull=False, curator__isnull=True, source="")
                           | Q(topic__isnull=True, curator__isnull=False, source="")
                           | (Q(topic__isnull=True, curator__isnull=True) & ~Q(source=""))),
                name="flow_follow_one_target"),
            models.UniqueConstraint(fields=["user", "topic"], condition=Q(topic__isnull=False),
                                    name="flow_follow_topic_once"),
            models.UniqueConstraint(fields=["user", "curator"], condition=Q(curator__isnull=False),
                                    name="flow_follow_curator_once"),
            models.UniqueConstraint(fields=["user", "source", "ref"], condition=~Q(source=""),
                                    name="flow_follow_source_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.topic_id or self.curator_id or f'{self.source}:{self.ref}'}"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    OFF = "off", "Off (no digest)"


class DigestPreference(models.Model):
    """How often a person wants their digest, when the last one was built, and their private Atom feed. No row
    means the defaults: weekly, by email, no feed yet."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField("How often", max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    by_email = models.BooleanField("Also send it by email", default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # The public half of the Atom feed's address; the secret half is an HMAC of it (see flow.services.feed_token).
    # Regenerating replaces it, which invalidates the old address; None means no feed.
    feed_id = models.CharField(max_length=32, null=True, blank=True, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Digest preference of {self.user_id}"


class Digest(models.Model):
    """One digest as built for one person: what happened in [start, end)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    item_count = models.PositiveIntegerField(default=0)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-end", "-pk"]
        indexes = [models.Index(fields=["user", "-end"], name="flow_digest_user_end")]

    def __str__(self) -> str:
        return f"Digest {self.pk} of {self.user_id}"


class DigestItem(models.Model):
    """An item a digest carried, by its stable key ("resource:<uid>", "entry:<pk>", "<source>:<key>"). The unique
    constraint is the promise that no item ever reaches the same person twice. Only the key is kept: what the item
    says is read again, with the visibility rules of the moment, whenever the digest is shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="flow_digest_item_once")]

    def __str__(self) -> str:
        return self.key
