"""People, teams, roles and profiles: the organisation every other app hangs off."""
from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify

from learnflow.core.models import Skill, Tag


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    MANAGER = "manager", "Manager"
    LND = "lnd", "L&D"
    ADMIN = "admin", "Admin"


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy"
    AWAY = "away", "Away"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        ancestor, seen = self.parent, set()
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None or ancestor.pk in seen:
                raise ValidationError({"parent": "A team cannot be inside itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


def _valid_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/Paris.")


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    job_title = models.CharField(max_length=120, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="people")
    interests = models.ManyToManyField(Tag, blank=True, related_name="interested_people")
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.AVAILABLE)
    availability_note = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[_valid_timezone])

    class Meta:
        indexes = [
            models.Index(fields=["team"]), models.Index(fields=["manager"]),
            # The LRS links every statement batch to people by actor email, whatever its case (an xAPI mbox is
            # matched case-insensitively): without this, a scan of the table per batch.
            models.Index(Lower("email"), name="org_user_email_lower"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_lnd(self) -> bool:
        return self.role in (Role.LND, Role.ADMIN)

    def clean(self) -> None:
        super().clean()
        if self.manager_id is not None and self.pk is not None:
            boss, seen = self.manager, set()
            while boss is not None and boss.pk not in seen:
                if boss.pk == self.pk:
                    raise ValidationError({"manager": "A person cannot (indirectly) manage themselves."})
                seen.add(boss.pk)
                boss = boss.manager


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of it is stored; the token itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
