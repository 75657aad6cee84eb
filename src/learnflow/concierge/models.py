"""Interactions: who helped whom, when, about what. Written by the concierge and by community answers; read by the
expertise ranking and (later) the organisation's network analysis.

Contract used by other apps: `concierge.services.interaction_record(...)`.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class InteractionKind(models.TextChoices):
    HELP = "help", "Helped with a request"
    ANSWER = "answer", "Answered a question"
    ACCEPTED = "accepted", "Answer accepted"
    REPLY = "reply", "Replied"
    USEFUL = "useful", "Found useful"
    THANKS = "thanks", "Thanked"


class Interaction(models.Model):
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_given")
    helped = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="help_received")
    kind = models.CharField(max_length=16, choices=InteractionKind.choices)
    about = models.CharField(max_length=300, blank=True)  # the topic or question title, as the people saw it
    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="+")
    source_type = models.CharField(max_length=64, blank=True)  # e.g. "community.reply", "concierge.helprequest"
    source_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["helper", "at"], name="concierge_int_helper_at")]
