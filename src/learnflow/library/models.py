"""Resources: short internal formats (pages, video, audio, documents) and curated external links.

Contract used by other apps (flow, community, concierge): `Resource` with `uid`, `title`, `summary`, `topics`,
`author`, `status`, `published_at`, `get_absolute_url()`; reads go through `library.selectors`.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class ResourceKind(models.TextChoices):
    PAGE = "page", "Page (how-to, checklist, job aid)"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    LINK = "link", "External link"


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "Waiting for review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Resource(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ResourceKind.choices, default=ResourceKind.PAGE)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)  # Markdown, rendered through core.markdown
    url = models.URLField(max_length=2000, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="resources")
    curator_note = models.TextField(blank=True)  # why it matters, when a curator published it
    status = models.CharField(max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"], name="library_res_status_pub")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", args=[self.uid])
