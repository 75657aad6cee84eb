"""A portfolio: a page a person composes from chosen goals, entries, evidence and recorded activity, with an intro,
in their own order, and shares with named people, the organisation, or anyone holding a secret link that expires.

Who sees a portfolio, and why its items are shown to them, is decided in selectors.py (read its docstring).
"""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Portfolio(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolios")
    title = models.CharField(max_length=200)
    intro = models.TextField("Introduction", blank=True, max_length=20_000,
                             help_text="Markdown: who you are, what this portfolio shows.")
    share_organisation = models.BooleanField("Everyone in the organisation", default=False)
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="portfolios_shared")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="portfolio_owner_updated")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    """What an item points at. A new kind adds a choice here, one nullable reference column below, a clause in the
    check constraint, and an entry in kinds.KINDS (how to find the owner's candidates and how to show one)."""

    ENTRY = "entry", "Journal entry"
    GOAL = "goal", "Goal"
    EVIDENCE = "evidence", "Evidence"
    ACTIVITY = "activity", "Recorded activity"


class PortfolioItem(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    # Deleting the thing itself removes it from every portfolio: a portfolio never keeps a copy.
    entry = models.ForeignKey("journal.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey("goals.Goal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    evidence = models.ForeignKey("goals.Evidence", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    statement = models.ForeignKey("lrs.Statement", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    note = models.TextField("Why it is here", blank=True, max_length=5_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="portfolio_item_reference_matches_kind",
                condition=(
                    Q(kind="entry", entry__isnull=False, goal__isnull=True, evidence__isnull=True,
                      statement__isnull=True)
                    | Q(kind="goal", goal__isnull=False, entry__isnull=True, evidence__isnull=True,
                        statement__isnull=True)
                    | Q(kind="evidence", evidence__isnull=False, entry__isnull=True, goal__isnull=True,
                        statement__isnull=True)
                    | Q(kind="activity", statement__isnull=False, entry__isnull=True, goal__isnull=True,
                        evidence__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.portfolio_id}"

    @property
    def target_id(self) -> int | None:
        return {"entry": self.entry_id, "goal": self.goal_id, "evidence": self.evidence_id,
                "activity": self.statement_id}.get(self.kind)


class PortfolioLink(models.Model):
    """A secret link to one portfolio. Only a SHA-256 of the token is stored (the token is 256 random bits, so a
    slow hash buys nothing); it is shown once, when made. Every link expires; the owner can revoke it earlier."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=120, blank=True)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_on = models.DateField("Expires on")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label or 'Secret link'} ({self.prefix}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
