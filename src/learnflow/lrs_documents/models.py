"""Storage for the xAPI document resources and the canonical Activity definitions.

All three document resources (Activity State, Activity Profile, Agent Profile)
share one table: they differ only in which parts of the address they use.
Lookups go through two fixed-size hashes rather than the raw address, because
activity IRIs and agent identifiers have no length limit and a composite
B-tree index on them would fail on PostgreSQL for long values:

* ``key``   identifies one document (kind + every part of its address), unique;
* ``scope`` identifies the set a multiple-document GET or DELETE works on
  (State: activity + agent; Activity Profile: activity; Agent Profile: agent),
  indexed with ``updated`` so that ``since`` is part of the same index range.

Documents are global to the LRS, as the spec has them: they are not filtered by
the key that wrote them.
"""

from __future__ import annotations

import hashlib

from django.db import models


def address_hash(*parts: str) -> str:
    # A separator that cannot appear inside an IRI, an IFI key or a UUID keeps ("a", "bc") apart from ("ab", "c").
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class DocumentKind(models.TextChoices):
    STATE = "state", "Activity State"
    ACTIVITY_PROFILE = "activity_profile", "Activity Profile"
    AGENT_PROFILE = "agent_profile", "Agent Profile"


class Document(models.Model):
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    key = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=64)
    activity_iri = models.TextField(blank=True)
    agent_ifi = models.TextField(blank=True)  # as learnflow.lrs.indexing.agent_ifi: "mbox:mailto:ann@example.com"
    registration = models.UUIDField(null=True, blank=True)
    document_id = models.TextField()  # the stateId or profileId
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    etag = models.CharField(max_length=64)  # quoted SHA-1 of content, as sent in the ETag header
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "updated"], name="lrs_doc_scope_updated")]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.media_type == "application/json"


class Activity(models.Model):
    """The LRS's canonical definition of an Activity, merged from the statements that carried one."""

    iri_hash = models.CharField(max_length=64, unique=True)
    iri = models.TextField()
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField()

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.iri

    @staticmethod
    def hash_iri(iri: str) -> str:
        return address_hash("activity", iri)

    def as_xapi(self) -> dict:
        activity: dict = {"objectType": "Activity", "id": self.iri}
        if self.definition:
            activity["definition"] = self.definition
        return activity
