"""A person's learning record beyond the journal: what they shared of their xAPI activity, the journal entries
that reflect on a statement, and forwarding of statements to an external LRS."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from learnflow.core.visibility import VisibleQuerySet, Visibility


class StatementShareQuerySet(VisibleQuerySet):
    owner_field = "owner"


class StatementShare(models.Model):
    """The owner chose to let others see one recorded activity (statements are private like journal entries)."""

    statement = models.OneToOneField("lrs.Statement", on_delete=models.CASCADE, related_name="share")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementShareQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["owner", "visibility"])]


class StatementReflection(models.Model):
    """A journal entry written about one statement ("reflect on this")."""

    entry = models.OneToOneField("journal.Entry", on_delete=models.CASCADE, related_name="statement_link")
    statement = models.ForeignKey("lrs.Statement", on_delete=models.CASCADE, related_name="reflections")
    created_at = models.DateTimeField(auto_now_add=True)


class ForwardTarget(models.Model):
    """An external LRS that receives a copy of selected statements."""

    name = models.CharField(max_length=120, unique=True)
    endpoint = models.URLField(max_length=500, help_text="The LRS base URL, e.g. https://lrs.example.com/xapi/")
    username = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=200, blank=True)
    xapi_version = models.CharField(max_length=8, default="1.0.3", choices=[("1.0.3", "1.0.3"), ("2.0.0", "2.0.0")])
    enabled = models.BooleanField(default=True)
    forward_shared = models.BooleanField(
        default=True, help_text="Forward every statement a person shared (with the organisation, team or manager).")
    verb_iris = models.TextField(blank=True, help_text="Admin rule: also forward tool statements with these verbs "
                                                       "(one IRI per line).")
    activity_prefix = models.CharField(max_length=500, blank=True,
                                       help_text="Admin rule: also forward tool statements about activities whose id "
                                                 "starts with this.")
    scanned_seq = models.BigIntegerField(default=0, help_text="Statements up to here were checked against the rule.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def verbs(self) -> list[str]:
        return [line.strip() for line in self.verb_iris.splitlines() if line.strip()]

    @property
    def has_rule(self) -> bool:
        return bool(self.verbs or self.activity_prefix.strip())


class ForwardItem(models.Model):
    """One statement waiting for, or done with, delivery to one target. Kept until delivered: no loss when the
    target is down."""

    target = models.ForeignKey(ForwardTarget, on_delete=models.CASCADE, related_name="items")
    statement = models.ForeignKey("lrs.Statement", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    refused_at = models.DateTimeField(
        null=True, blank=True, help_text="The target refused this statement itself (a 4xx for it alone): kept aside, "
                                         "with the reason in last_error, so it never blocks the others.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "statement"], name="forward_once_per_target")]
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"], name="forward_due")]
