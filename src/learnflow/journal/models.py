"""The personal learning journal: what a person learned, how, when, and what they make of it."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from learnflow.core.models import Skill, Tag
from learnflow.core.visibility import VisibleQuerySet, Visibility


class Formality(models.TextChoices):
    FORMAL = "formal", "Formal"
    NON_FORMAL = "non_formal", "Non-formal"
    INFORMAL = "informal", "Informal"


class Way(models.TextChoices):
    """How a learning happened, from the 70:20:10 spread of workplace learning."""

    DAILY_WORK = "daily_work", "Daily work experience"
    COLLEAGUES = "colleagues", "Colleagues and team"
    MANAGER = "manager_coaching", "Manager or coaching"
    NETWORKS = "professional_networks", "Professional networks"
    WEB_SEARCH = "web_search", "Web search"
    READING = "reading", "Articles and books"
    MEDIA = "video_podcast", "Video and podcasts"
    ONLINE_COURSE = "online_course", "Online course"
    CLASSROOM = "classroom", "Classroom training"
    EVENTS = "events", "Conferences and events"
    COMMUNITIES = "communities", "Communities"
    EXPERIMENTING = "experimenting", "Experimenting"


FORMALITY_OF_WAY: dict[str, str] = {
    Way.DAILY_WORK: Formality.INFORMAL,
    Way.COLLEAGUES: Formality.INFORMAL,
    Way.MANAGER: Formality.NON_FORMAL,
    Way.NETWORKS: Formality.INFORMAL,
    Way.WEB_SEARCH: Formality.INFORMAL,
    Way.READING: Formality.INFORMAL,
    Way.MEDIA: Formality.INFORMAL,
    Way.ONLINE_COURSE: Formality.FORMAL,
    Way.CLASSROOM: Formality.FORMAL,
    Way.EVENTS: Formality.NON_FORMAL,
    Way.COMMUNITIES: Formality.NON_FORMAL,
    Way.EXPERIMENTING: Formality.INFORMAL,
}


def ways_of(formality: str) -> list[str]:
    return [way for way, f in FORMALITY_OF_WAY.items() if f == formality]


class EntryQuerySet(VisibleQuerySet):
    owner_field = "author"


class Entry(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField("What I learned", max_length=200)
    body = models.TextField("Details", blank=True, max_length=50_000)
    way = models.CharField("How I learned it", max_length=32, choices=Way.choices, default=Way.DAILY_WORK)
    learned_on = models.DateField("When")
    minutes = models.PositiveIntegerField("Minutes spent", null=True, blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    share_note = models.CharField("Why it is worth sharing", max_length=500, blank=True)
    reflection_happened = models.TextField("What happened", blank=True, max_length=10_000)
    reflection_learned = models.TextField("What I learned from it", blank=True, max_length=10_000)
    reflection_apply = models.TextField("How I will apply it", blank=True, max_length=10_000)
    reflection_differently = models.TextField("What I will do differently", blank=True, max_length=10_000)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    skills = models.ManyToManyField(Skill, blank=True, related_name="entries")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["author", "-learned_on", "-id"], name="entry_author_day"),
            models.Index(fields=["visibility", "-learned_on", "-id"], name="entry_visibility_day"),
            # The oldest and newest day stored, for a search limited to "since" or "until" a day (fulltext MONTHS).
            models.Index(fields=["learned_on"], name="entry_learned_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__lte=24 * 60 * 7), name="entry_minutes_sane"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def formality(self) -> str:
        return FORMALITY_OF_WAY.get(self.way, Formality.INFORMAL)

    def get_formality_display(self) -> str:
        return Formality(self.formality).label

    @property
    def has_reflection(self) -> bool:
        return any((self.reflection_happened, self.reflection_learned, self.reflection_apply,
                    self.reflection_differently))


class EntryLink(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title or self.url


def _attachment_path(instance: "EntryAttachment", filename: str) -> str:
    # A random name on disk: the person's file name is kept in the row and only sent back to those who may see it.
    return f"journal/{instance.entry.author_id}/{uuid.uuid4().hex}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class WeeklyReview(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_reviews")
    week_start = models.DateField()
    went_well = models.TextField("What went well", blank=True, max_length=10_000)
    key_learning = models.TextField("The most useful thing I learned", blank=True, max_length=10_000)
    next_week = models.TextField("What I want to learn or try next week", blank=True, max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["author", "week_start"], name="one_review_per_week")]
        ordering = ["-week_start"]
