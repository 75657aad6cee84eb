"""Development goals, their steps and evidence, a skills framework, and endorsements of evidence or skill levels.

Goals are owned content: private by default and shared by core.visibility's rules (owner_field="owner"). Evidence
and steps have no visibility of their own: they are seen with their goal, and evidence that points at another owned
thing (a journal entry, a recorded activity) is shown to others only if that thing is visible to them as well
(see goals/selectors.py). The one exception is an endorsement request, documented in selectors.py.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from learnflow.core.models import Skill
from learnflow.core.visibility import VisibleQuerySet, Visibility


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class GoalQuerySet(VisibleQuerySet):
    owner_field = "owner"


class Goal(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField("What I want to achieve", max_length=200)
    why = models.TextField("Why it matters for my work", blank=True, max_length=5_000)
    success = models.TextField("How success will show in my job performance", blank=True, max_length=5_000)
    target_date = models.DateField("Target date")
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE)
    team_objective = models.ForeignKey("development.TeamObjective", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="aligned_goals", verbose_name="Aligned to team objective")
    skills = models.ManyToManyField(Skill, through="GoalSkill", blank=True, related_name="goals")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achieved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status", "target_date"], name="goal_owner_status"),
            models.Index(fields=["visibility", "owner"], name="goal_visibility_owner"),
        ]

    def __str__(self) -> str:
        return self.title


class GoalSkill(models.Model):
    """A skill the goal develops, with the framework level aimed for (optional)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="goal_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "skill"], name="goal_skill_once")]


class Step(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["goal", "position"], name="step_goal_position")]

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    """What a piece of evidence points at. A new kind (a resource, a community answer) adds a choice here, one
    nullable reference column on Evidence, a clause in its check constraint and a checker in services.EVIDENCE_KINDS."""

    ENTRY = "entry", "Journal entry"
    ACTIVITY = "activity", "Recorded activity"
    FILE = "file", "File"
    LINK = "link", "Link"
    RESOURCE = "resource", "Library resource"


def _evidence_path(instance: "Evidence", filename: str) -> str:
    return f"goals/{instance.owner_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="evidence")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    # The goal's owner, kept on the row so that "evidence a person owns" is one indexed filter.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    entry = models.ForeignKey("journal.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey("lrs.Statement", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    file = models.FileField(upload_to=_evidence_path, max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    # A library resource (an article, a course, a talk) the owner learned from; shown to others only if they may see
    # the resource too (see selectors.py).
    resource = models.ForeignKey("library.Resource", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    title = models.CharField(max_length=200, blank=True)
    note = models.TextField("What it shows", blank=True, max_length=5_000)
    skills = models.ManyToManyField(Skill, through="EvidenceSkill", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "kind"], name="evidence_owner_kind")]
        constraints = [
            models.CheckConstraint(
                name="evidence_reference_matches_kind",
                condition=(
                    Q(kind="entry", entry__isnull=False, statement__isnull=True, resource__isnull=True, url="")
                    | Q(kind="activity", statement__isnull=False, entry__isnull=True, resource__isnull=True, url="")
                    | Q(kind="file", entry__isnull=True, statement__isnull=True, resource__isnull=True, url="")
                    & ~Q(file="")
                    | Q(kind="link", entry__isnull=True, statement__isnull=True, resource__isnull=True, file="")
                    & ~Q(url="")
                    | Q(kind="resource", resource__isnull=False, entry__isnull=True, statement__isnull=True, url="",
                        file="")
                ),
            ),
            models.UniqueConstraint(fields=["goal", "entry"], condition=Q(entry__isnull=False),
                                    name="evidence_entry_once_per_goal"),
            models.UniqueConstraint(fields=["goal", "statement"], condition=Q(statement__isnull=False),
                                    name="evidence_activity_once_per_goal"),
            models.UniqueConstraint(fields=["goal", "resource"], condition=Q(resource__isnull=False),
                                    name="evidence_resource_once_per_goal"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == EvidenceKind.ENTRY and self.entry_id:
            return self.entry.title
        if self.kind == EvidenceKind.FILE:
            return self.title or self.original_name
        if self.kind == EvidenceKind.RESOURCE and self.resource_id:
            return self.title or self.resource.title
        return self.title or self.url or self.get_kind_display()


class EvidenceSkill(models.Model):
    """A skill a piece of evidence shows, and at which framework level (optional)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="evidence_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "skill"], name="evidence_skill_once")]


# --- The skills framework L&D imports.

class Framework(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=5_000)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrameworkLevel(models.Model):
    """One rung of the framework's ordered scale, e.g. 1 Aware … 4 Expert."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True, max_length=2_000)

    class Meta:
        ordering = ["framework", "rank"]
        constraints = [models.UniqueConstraint(fields=["framework", "rank"], name="framework_level_rank_once")]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"


class FrameworkSkill(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="framework_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="framework_entries")
    category = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True, max_length=5_000)
    # What each level means for this skill: {"1": "Knows the basics", "3": "…"} (optional, per rank).
    level_descriptions = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "skill"], name="framework_skill_once")]


# --- Endorsement.

class EndorsementStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EndorsementRequest(models.Model):
    """A person asks a colleague or their manager to confirm one piece of evidence, or a skill at a level."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endorser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="endorsement_requests")
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="endorsements")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, max_length=2_000)
    status = models.CharField(max_length=16, choices=EndorsementStatus.choices, default=EndorsementStatus.OPEN)
    comment = models.TextField(blank=True, max_length=2_000)
    remind_after_days = models.PositiveSmallIntegerField(default=7)
    reminded_on = models.DateField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endorser", "status"], name="endorsement_endorser_status"),
            models.Index(fields=["status", "created_at"], name="endorsement_status_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("endorser")), name="endorsement_not_self"),
            models.CheckConstraint(condition=Q(evidence__isnull=False) | Q(skill__isnull=False),
                                   name="endorsement_has_subject"),
            models.CheckConstraint(condition=Q(remind_after_days__gte=1, remind_after_days__lte=90),
                                   name="endorsement_remind_days_sane"),
        ]

    def __str__(self) -> str:
        return f"Endorsement request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == EndorsementStatus.OPEN
