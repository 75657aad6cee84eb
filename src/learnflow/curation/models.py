"""Topics, the feeds curators subscribe them to, and the inbox where new items wait for a curator's decision."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Topic(models.Model):
    """A subject that resources, entries and people's interests share. Nested through `parent`."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValidationError({"name": "A topic needs a name."})
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if (self.pk is not None and ancestor.pk == self.pk) or ancestor.pk in seen:
                raise ValidationError({"parent": "A topic cannot be inside itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class FeedSource(models.Model):
    """An RSS, Atom or JSON Feed a topic is subscribed to. `next_fetch_at` moves further out while it keeps failing."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)  # the server's own text, sent back as-is
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic__name", "title", "url"]
        constraints = [models.UniqueConstraint(fields=["topic", "url"], name="curation_source_topic_url_unique")]
        indexes = [models.Index(fields=["enabled", "next_fetch_at"])]

    def __str__(self) -> str:
        return self.title or self.url


class InboxStatus(models.TextChoices):
    NEW = "new", "New"
    PUBLISHED = "published", "Published"
    DISMISSED = "dismissed", "Dismissed"


class InboxItem(models.Model):
    """A feed item waiting in a topic's curation inbox; one per canonical link and topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="inbox_items")
    source = models.ForeignKey(FeedSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    title = models.CharField(max_length=500)
    link = models.URLField(max_length=2000)
    canonical_link = models.CharField(max_length=2000)
    summary = models.TextField(blank=True)  # sanitised HTML
    author = models.CharField(max_length=200, blank=True)
    guid = models.CharField(max_length=2000, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=InboxStatus.choices, default=InboxStatus.NEW)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["topic", "canonical_link"],
                                               name="curation_inbox_topic_link_unique")]
        indexes = [models.Index(fields=["topic", "status", "created_at"])]

    def __str__(self) -> str:
        return self.title
