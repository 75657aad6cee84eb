"""Shared vocabulary (tags, skills) and the audit trail of what people did, which later feeds the LRS."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import slugify


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def normalise(name: str) -> str:
        return slugify(name.strip().lstrip("#"))[:64]


class Skill(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def normalise(name: str) -> str:
        return " ".join(name.split())[:100]


class Event(models.Model):
    """One thing a person did in Learnflow (logged, shared, reflected …), written in the same transaction as the
    change itself. The LRS turns these into xAPI statements; nothing here is shown to anyone but its actor."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=32)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["actor", "created_at"])]
