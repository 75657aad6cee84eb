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
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="+")   # free skills, as topics
    source_type = models.CharField(max_length=64, blank=True)  # e.g. "community.reply", "concierge.helprequest"
    source_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["helper", "at"], name="concierge_int_helper_at")]


class ExpertiseChange(models.Model):
    """A note that something the expertise index reads from another app changed (a journal entry, a resource, goal
    evidence, a shared statement, an endorsement): written by signals (concierge/signals.py), read by every app
    server's index before use (expertise.py), so an un-shared or deleted item stops counting at once everywhere."""

    source_type = models.CharField(max_length=16)
    source_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)


class ConciergeProfile(models.Model):
    """A person's concierge settings. Opting out keeps them out of suggestions, the directory and direct asks."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concierge_profile")
    opt_out = models.BooleanField("Do not suggest me as someone who can help", default=False)
    updated_at = models.DateTimeField(auto_now=True)


class Urgency(models.TextChoices):
    LOW = "low", "Whenever someone has time"
    NORMAL = "normal", "This week"
    HIGH = "high", "Today: I am blocked"


class Mode(models.TextChoices):
    CHAT = "chat", "A chat"
    CALL = "call", "A call"
    WRITTEN = "written", "A written answer"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed without an answer"


class QueueReason(models.TextChoices):
    NO_MATCH = "no_match", "Nobody matched"
    NO_ANSWER = "no_answer", "No answer in time"
    ASKED = "asked", "The asker asked L&D"


class HelpRequestQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> "HelpRequestQuerySet":
        """The asker, everyone who was asked, and L&D once the request is in the concierge queue. No other role
        reads a request (a manager sees nothing of their report's requests)."""
        if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
            return self.none()
        asked = HelpAsk.objects.filter(request=models.OuterRef("pk"), person=viewer.pk)
        q = models.Q(asker=viewer.pk) | models.Q(models.Exists(asked))
        if viewer.is_lnd:
            q |= models.Q(queued_at__isnull=False)
        return self.filter(q)


class HelpRequest(models.Model):
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests")
    title = models.CharField("What do you need help with?", max_length=200)
    description = models.TextField("Describe the problem", blank=True, max_length=20_000)  # Markdown
    tried = models.TextField("What have you tried?", blank=True, max_length=10_000)
    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="+")
    skills = models.ManyToManyField("core.Skill", blank=True, related_name="+")
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    mode = models.CharField("You would prefer", max_length=8, choices=Mode.choices, default=Mode.WRITTEN)
    status = models.CharField(max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    queued_at = models.DateTimeField(null=True, blank=True)     # once set, L&D may read the request
    queue_reason = models.CharField(max_length=16, choices=QueueReason.choices, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    publish_by_asker = models.BooleanField(default=False)
    publish_by_helper = models.BooleanField(default=False)
    resource = models.ForeignKey("library.Resource", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"], name="concierge_req_queue"),
                   models.Index(fields=["asker", "-created_at"], name="concierge_req_asker")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("concierge:request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    @property
    def in_queue(self) -> bool:
        return self.queued_at is not None and self.status == RequestStatus.OPEN


class AskStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    PASSED = "passed", "Passed on"


class HelpAsk(models.Model):
    """One person asked to help with one request (by the asker, by L&D, or passed on by a colleague)."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="asks")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_asks")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=AskStatus.choices, default=AskStatus.PENDING)
    reply_note = models.CharField(max_length=500, blank=True)
    passed_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="concierge_ask_once")]
        indexes = [models.Index(fields=["person", "status"], name="concierge_ask_person")]

    @property
    def is_live(self) -> bool:
        return self.status in (AskStatus.PENDING, AskStatus.ACCEPTED)


class HelpMessage(models.Model):
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=20_000)  # Markdown
    evidence_entry = models.ForeignKey("journal.Entry", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
