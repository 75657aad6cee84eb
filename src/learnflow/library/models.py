"""Resources: short internal formats (pages, video, audio, documents) and curated external links.

Contract used by other apps (flow, community, concierge): `Resource` with `uid`, `title`, `summary`, `topics`,
`author`, `status`, `published_at`, `get_absolute_url()`; reads go through `library.selectors`.

Who sees a resource (decided in `library.selectors.resource_visible_q`, the one place):
    published           every active person
    in_review/archived  the author and reviewers (L&D, admins)
    draft               the author only
"""
from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
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


def _resource_file_path(instance: "Resource", filename: str) -> str:
    # The stored name never comes from the uploader beyond its suffix: no path tricks, no clashes.
    return f"library/{instance.uid.hex[:2]}/{instance.uid.hex}{PurePath(filename).suffix.lower()[:10]}"


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
    # An uploaded video, audio or document (served through a view that checks visibility, never a public URL).
    file = models.FileField(upload_to=_resource_file_path, max_length=255, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    review_note = models.TextField(blank=True)  # the reviewer's words when a resource goes back to its author
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    useful_count = models.PositiveIntegerField(default=0)  # kept by the vote services, for sorting without a join

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"], name="library_res_status_pub"),
                   models.Index(fields=["author", "status"], name="library_res_author_status"),
                   # The first and last publication stored, for a search "since" or "until" a day (fulltext MONTHS).
                   models.Index(fields=["published_at"], name="library_res_published")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", args=[self.uid])

    def clean(self) -> None:
        self.title = (self.title or "").strip()
        if not self.title:
            raise ValidationError({"title": "A resource needs a title."})
        if self.kind == ResourceKind.LINK and not self.url:
            raise ValidationError({"url": "An external resource needs its web address."})
        if self.kind == ResourceKind.PAGE and not (self.body or "").strip():
            raise ValidationError({"body": "Write the page: the steps, the checklist or the answer."})
        if self.kind in (ResourceKind.VIDEO, ResourceKind.AUDIO, ResourceKind.DOCUMENT) and not (self.file or self.file_name or self.url):
            raise ValidationError({"file": f"Upload the {self.get_kind_display().lower()} or give a link to it."})

    @property
    def is_published(self) -> bool:
        return self.status == ResourceStatus.PUBLISHED

    @property
    def has_file(self) -> bool:
        return bool(self.file)

    @property
    def shown_image(self) -> "ResourceImage | None":
        """The stored picture, when there is one ready to show (select_related("image") avoids a query each)."""
        try:
            image = self.image
        except ResourceImage.DoesNotExist:
            return None
        return image if image.status == ImageStatus.READY and image.file else None

    @property
    def image_state(self) -> "ResourceImage | None":
        try:
            return self.image
        except ResourceImage.DoesNotExist:
            return None


class ImageStatus(models.TextChoices):
    PENDING = "pending", "Being fetched"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be used"


def _resource_image_path(instance: "ResourceImage", filename: str) -> str:
    uid = instance.resource.uid.hex
    rendition = "-thumb" if filename.startswith("thumb") else ""
    return f"library/images/{uid[:2]}/{uid}-{instance.version}{rendition}{PurePath(filename).suffix.lower()[:6]}"


class ResourceImage(models.Model):
    """The resource's picture (og:image or the address a curator gave), fetched once by the safe fetcher, checked,
    shrunk and re-encoded by library.images, and served by a view that applies the resource's visibility: never
    hot-linked, so no viewer's address reaches the other site and the Content-Security-Policy stays `img-src 'self'`.
    Its own table so the resource row (and its full-text triggers) stays as it is."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, primary_key=True, related_name="image")
    source_url = models.URLField(max_length=2000)  # what was (or is being) fetched; a later edit makes it stale
    status = models.CharField(max_length=16, choices=ImageStatus.choices, default=ImageStatus.PENDING)
    note = models.CharField(max_length=300, blank=True)  # why the last fetch failed, in a sentence for the curator
    file = models.FileField(upload_to=_resource_image_path, max_length=255, blank=True)
    thumb = models.FileField(upload_to=_resource_image_path, max_length=255, blank=True)  # the lists' small copy
    version = models.CharField(max_length=16, blank=True)  # part of the file name and the image's URL (cache busting)
    content_type = models.CharField(max_length=32, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # When the fetch now waiting was queued, and how many times it was: a pending fetch whose task was lost (the queue
    # was down, the worker died) is queued again by the backfill, a few times, then recorded as failed.
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["status", "queued_at"], name="library_img_status_queued")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.status}"

    def get_absolute_url(self) -> str:
        # The version changes with every new picture, so the browser may keep one for a long time.
        return reverse("library:image", args=[self.resource.uid]) + f"?v={self.version}"

    def get_thumb_url(self) -> str:
        if not self.thumb:
            return self.get_absolute_url()
        return reverse("library:image_thumb", args=[self.resource.uid]) + f"?v={self.version}"

    def stored_names(self) -> list[str]:
        return [f.name for f in (self.file, self.thumb) if f]

    @property
    def alt_text(self) -> str:
        site = self.resource.site_name
        return f"Picture from {site} for “{self.resource.title}”" if site else f"Picture for “{self.resource.title}”"


class TopicReviewPolicy(models.Model):
    """Whether resources on a topic need a reviewer's approval before everyone sees them (L&D decides per topic)."""

    topic = models.OneToOneField("curation.Topic", on_delete=models.CASCADE, related_name="review_policy")
    review_required = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.topic}: {'review' if self.review_required else 'no review'}"


class Collection(models.Model):
    """A short pathway: resources in a chosen order. Visible to every active person; each item only to those who
    may see the resource itself."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)  # Markdown
    topic = models.ForeignKey("curation.Topic", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="collections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="library_collections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:collection", args=[self.uid])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["collection", "resource"], name="library_item_once")]


class Vote(models.Model):
    """“Useful”: one per person and resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="library_vote_once")]


class Comment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()  # Markdown
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def clean(self) -> None:
        self.body = (self.body or "").strip()
        if not self.body:
            raise ValidationError({"body": "Write a comment first."})


class FlagKind(models.TextChoices):
    OBSOLETE = "obsolete", "Obsolete"
    NEEDS_UPDATE = "needs_update", "Needs an update"


class Flag(models.Model):
    """Someone says a resource is obsolete or needs an update; its owner is told and resolves it."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="flags")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resource", "resolved_at"], name="library_flag_open")]


class ResourceView(models.Model):
    """That a person opened a resource on a day: at most one row (and one xAPI statement) per person, resource, day.
    Private to the person; counts shown to others are aggregates."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "resource", "day"], name="library_view_once_a_day")]


class Completion(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "resource"], name="library_complete_once")]
