"""Storage for the xAPI Learning Record Store.

A statement is one ``Statement`` row holding the indexed columns every query of
the spec filters or sorts on, plus the statement text itself. Agents and
activities a statement mentions get one row each in ``StatementAgent`` /
``StatementActivity`` so that ``agent=``, ``activity=`` and their
``related_*`` forms are index lookups, not scans of JSON.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class LrsKey(models.Model):
    """An HTTP Basic credential for a tool that talks to the LRS.

    Either a person's key (``owner`` set: it may only write statements whose
    actor is that person, unless an admin marked it ``trusted``) or an
    organisation-level tool's key (``org_tool`` set: an LMS, a content platform).
    Only a SHA-256 of the secret is kept; secrets are 256 random bits, so a
    slow password hash buys nothing and would cost every request.
    """

    class Scope(models.TextChoices):
        ALL = "all", "read and write"
        WRITE = "statements/write", "write statements"
        READ = "statements/read", "read statements"

    key = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="lrs_keys")
    org_tool = models.CharField(max_length=120, blank=True)
    label = models.CharField(max_length=120, blank=True)
    scope = models.CharField(max_length=32, choices=Scope.choices, default=Scope.ALL)
    trusted = models.BooleanField(default=False, help_text="Set by an admin: may write statements about anyone.")
    # The xAPI version this key's client last spoke: how a request that names none is answered.
    last_version = models.CharField(max_length=8, default="1.0.3")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=False, org_tool="") | models.Q(owner__isnull=True) & ~models.Q(org_tool="")
                ),
                name="lrs_key_owner_xor_org_tool",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.org_tool or self.owner})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_pair() -> tuple[str, str]:
        return secrets.token_hex(10), secrets.token_urlsafe(32)

    def check_secret(self, secret: str) -> bool:
        return secrets.compare_digest(self.secret_hash, self.hash_secret(secret))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Statement(models.Model):
    """One stored statement. ``seq`` gives a total order among equal ``stored`` values."""

    seq = models.BigAutoField(primary_key=True)
    id = models.UUIDField(unique=True)
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    verb_iri = models.CharField(max_length=512)
    actor_ifi = models.CharField(max_length=512)
    object_type = models.CharField(max_length=16)
    object_iri = models.CharField(max_length=512, blank=True)  # activity id, or agent IFI for Agent/Group objects
    object_statement = models.UUIDField(null=True, blank=True)  # StatementRef target
    registration = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)
    is_voiding = models.BooleanField(default=False)
    version = models.CharField(max_length=16)
    key = models.ForeignKey(LrsKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # No index of its own: lrs_stmt_person_seq (person, stored, seq) serves every lookup by person, and one index
    # fewer is one B-tree write fewer per stored statement.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="xapi_statements", db_index=False)
    full_json = models.TextField()  # the statement as received plus what the LRS adds (id, stored, authority …)
    has_attachments = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["stored", "seq"], name="lrs_stmt_stored"),
            models.Index(fields=["verb_iri", "stored", "seq"], name="lrs_stmt_verb_seq"),
            # Partial: most tools send no registration, and an index entry per such statement serves no query.
            models.Index(fields=["registration", "stored", "seq"], name="lrs_stmt_registration_part",
                         condition=models.Q(registration__isnull=False)),
            # Few statements point at another one: a partial index keeps "StatementRef to a match" cheap.
            models.Index(fields=["object_statement"], name="lrs_stmt_target_partial",
                         condition=models.Q(object_statement__isnull=False)),
            models.Index(fields=["person", "stored", "seq"], name="lrs_stmt_person_seq"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class IndexRowQuerySet(models.QuerySet):
    """Fills ``stored`` from the statement for callers that build index rows as model instances
    (the ingest path writes them with executemany and passes it explicitly)."""

    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[override]
        objs = list(objs)
        for obj in objs:
            if obj.stored is None:
                obj.stored = obj.statement.stored
        return super().bulk_create(objs, *args, **kwargs)


class _IndexRow(models.Model):
    # Index rows are written only by lrs.services, in the transaction that writes their statement, and removed with
    # it (Django's cascade), so their foreign key is not a database constraint: PostgreSQL checked it once per row at
    # commit, five times per statement, about a quarter of its CPU per stored statement.
    # ``stored`` repeats the statement's, so that ``agent=`` / ``activity=`` pages are read from this
    # table's index already in (stored, statement) order: a range scan stopped by LIMIT, instead of
    # fetching and sorting every statement of a busy agent or activity.
    stored = models.DateTimeField()

    objects = IndexRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[override]
        if self.stored is None:
            self.stored = self.statement.stored
        super().save(*args, **kwargs)


class StatementAgent(_IndexRow):
    """An agent (by IFI key) a statement mentions; ``related`` is False for actor and object."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="agent_rows", db_index=False,
                                  db_constraint=False)
    ifi = models.CharField(max_length=512)
    related = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["ifi", "related", "stored", "statement"], name="lrs_agent_ifi_stored")]


class StatementActivity(_IndexRow):
    """An activity id a statement mentions; ``related`` is False for the statement's object."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="activity_rows", db_index=False,
                                  db_constraint=False)
    iri = models.CharField(max_length=512)
    related = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["iri", "related", "stored", "statement"], name="lrs_activity_iri_stored")]


class AttachmentBlob(models.Model):
    """Attachment content, stored once per SHA-256 of its bytes."""

    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
