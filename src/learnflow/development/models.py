"""Manager-led development: 1:1 check-ins with agreed actions, stretch assignments, team objectives with
performance indicators.

None of this is owned content with a `visibility` like entries and goals: each row has exactly two parties (a
manager and one report) or belongs to a team, and who sees it is decided in selectors.py (documented there).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CheckIn(models.Model):
    """A manager's notes from a 1:1 with one direct report. Private to the manager unless shared with the report."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField("Date of the check-in")
    notes = models.TextField("Notes", blank=True, max_length=20_000)
    shared_with_report = models.BooleanField("Share with the person", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["manager", "report", "held_on"], name="checkin_manager_report"),
            models.Index(fields=["report", "shared_with_report", "held_on"], name="checkin_report_shared"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(manager=F("report")), name="checkin_not_self")]

    def __str__(self) -> str:
        return f"Check-in on {self.held_on.isoformat()}"


class ActionOwner(models.TextChoices):
    MANAGER = "manager", "Manager"
    REPORT = "report", "The person"


class AgreedAction(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField("Agreed action", max_length=300)
    owner = models.CharField("Who does it", max_length=16, choices=ActionOwner.choices, default=ActionOwner.REPORT)
    due_on = models.DateField("Due", null=True, blank=True)
    done = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_on", "id"]
        indexes = [models.Index(fields=["done", "due_on"], name="action_open_due")]

    def __str__(self) -> str:
        return self.text


class StretchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DONE = "done", "Done"


class StretchAssignment(models.Model):
    """An on-the-job opportunity a manager proposes to a direct report, serving one of their goals or a skill."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="stretch_assignments")
    title = models.CharField("What", max_length=200)
    description = models.TextField("Details", blank=True, max_length=5_000)
    goal = models.ForeignKey("goals.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skill = models.ForeignKey("core.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    starts_on = models.DateField("Starts")
    ends_on = models.DateField("Ends")
    status = models.CharField(max_length=16, choices=StretchStatus.choices, default=StretchStatus.PROPOSED)
    response_note = models.TextField(blank=True, max_length=2_000)
    responded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    manager_reflection = models.TextField(blank=True, max_length=10_000)
    manager_reflected_at = models.DateTimeField(null=True, blank=True)
    manager_reflection_shared = models.BooleanField(default=False)
    person_reflection = models.TextField(blank=True, max_length=10_000)
    person_reflected_at = models.DateTimeField(null=True, blank=True)
    person_reflection_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "status"], name="stretch_person_status"),
            models.Index(fields=["manager", "status"], name="stretch_manager_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(manager=F("person")), name="stretch_not_self"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="stretch_dates_in_order"),
        ]

    def __str__(self) -> str:
        return self.title


class TeamObjective(models.Model):
    """What a team sets out to achieve in a period. Set by a manager of the team; its members read it."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="objectives")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField("Objective", max_length=200)
    description = models.TextField("Description", blank=True, max_length=5_000)
    starts_on = models.DateField("Period starts")
    ends_on = models.DateField("Period ends")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ends_on", "title", "id"]
        indexes = [models.Index(fields=["team", "ends_on"], name="objective_team_period")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="objective_period_in_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class Indicator(models.Model):
    """A performance indicator of a team objective: a number the manager records over time against a target."""

    objective = models.ForeignKey(TeamObjective, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.UP)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["objective", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["objective", "name"], name="indicator_name_once")]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField("Date")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "measured_on"]
        constraints = [models.UniqueConstraint(fields=["indicator", "measured_on"], name="indicator_value_once")]
