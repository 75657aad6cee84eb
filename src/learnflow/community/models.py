"""Communities of practice: who belongs, what they post, and what they share with each other.

Visibility is not a property of a row here but of the community it lives in; community/selectors.py is the one
place that decides (`community_access` for one community, `communities_visible_q` / `posts_visible_q` for
querysets). A journal entry shared into a community is seen there through its CommunityShare only (see
selectors.shared_entry_for).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

RESERVED_SLUGS = {"new", "api", "posts", "requests", "replies", "discussions"}


class Access(models.TextChoices):
    OPEN = "open", "Open: anyone can join"
    CLOSED = "closed", "Closed: people ask to join, facilitators approve"
    HIDDEN = "hidden", "Hidden: only members know it exists"


class Community(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField("What this community is about", blank=True, max_length=10_000)  # Markdown
    access = models.CharField(max_length=16, choices=Access.choices, default=Access.OPEN)
    topics = models.ManyToManyField("curation.Topic", blank=True, related_name="communities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by the services, so the community list and page never count members row by row.
    member_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)  # posts readers can see: prompts count once they open
    # No job opens a prompt: it is readable from its opens_at on. Counting it then is done by whoever reads the
    # community first after that moment (selectors.prompts_count_due); this says when that is, so no read pays a
    # query until then. Never later than the earliest prompt not yet counted (earlier only costs one check).
    next_prompt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        indexes = [models.Index(fields=["access", "name"], name="community_access_name"),
                   models.Index(fields=["next_prompt_at"], condition=Q(next_prompt_at__isnull=False),
                                name="community_next_prompt")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:detail", args=[self.slug])

    @property
    def is_public(self) -> bool:
        """Whether its name and posts may appear outside it (statements, interactions' 'about')."""
        return self.access == Access.OPEN


class MemberRole(models.TextChoices):
    MEMBER = "member", "Member"
    FACILITATOR = "facilitator", "Facilitator"


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="membership_once")]
        indexes = [models.Index(fields=["user", "community"], name="membership_user"),
                   models.Index(fields=["community", "role", "joined_at"], name="membership_community_role")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} ({self.role})"

    @property
    def is_facilitator(self) -> bool:
        return self.role == MemberRole.FACILITATOR


class JoinStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class JoinRequest(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField("Why you would like to join", blank=True, max_length=1_000)
    status = models.CharField(max_length=16, choices=JoinStatus.choices, default=JoinStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "user"], condition=Q(status="open"),
                                               name="join_request_one_open")]
        indexes = [models.Index(fields=["community", "status"], name="join_request_community")]


class CommunityResource(models.Model):
    """A library resource linked to a community's resource list."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resource_links")
    resource = models.ForeignKey("library.Resource", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("Why it is worth it", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["community", "resource"], name="community_resource_once")]


class CommunityShare(models.Model):
    """One journal entry shared with one community, after its author confirmed. It does not change the entry's own
    visibility: the entry is seen through this row, by the community's members, on the post that shows it."""

    entry = models.ForeignKey("journal.Entry", on_delete=models.CASCADE, related_name="community_shares")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="entry_shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "community"], name="community_share_once")]


class GuidedDiscussion(models.Model):
    """A series of prompts a facilitator schedules; each prompt is a Post of kind 'prompt' that opens at its time."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, max_length=10_000)  # Markdown
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    summary_resource = models.ForeignKey("library.Resource", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PostKind(models.TextChoices):
    WORKING_ON = "working_on", "What I'm working on"
    LEARNED = "learned", "What I learned"
    STUCK = "stuck", "Where I'm stuck"
    QUESTION = "question", "Question"
    ENTRY = "entry", "A journal entry worth sharing"
    RESOURCE = "resource", "A resource worth sharing"
    PROMPT = "prompt", "Discussion prompt"


class Post(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_posts")
    kind = models.CharField(max_length=16, choices=PostKind.choices)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, max_length=20_000)  # Markdown; for shares: why it is worth it
    # Plain text of the body's start, made when the post is written: lists show it without rendering Markdown.
    excerpt = models.CharField(max_length=300, blank=True)
    share = models.ForeignKey(CommunityShare, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    resource = models.ForeignKey("library.Resource", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    discussion = models.ForeignKey(GuidedDiscussion, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="prompts")
    position = models.PositiveSmallIntegerField(default=0)  # a prompt's place in its discussion
    opens_at = models.DateTimeField(null=True, blank=True)  # prompts only: hidden and closed to replies until then
    accepted_reply = models.ForeignKey("Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    counted = models.BooleanField(default=True, db_default=True)  # in its community's post_count (prompts: once open)
    reply_count = models.PositiveIntegerField(default=0)
    useful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(db_index=False)
    last_activity_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at", "-id"], name="post_community_recent"),
                   models.Index(fields=["discussion", "position"], name="post_discussion_position"),
                   models.Index(fields=["author", "-created_at"], name="post_author_recent"),
                   models.Index(fields=["community", "opens_at"], condition=Q(counted=False),
                                name="post_not_yet_counted")]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("community:post", args=[self.community.slug, self.pk])

    @property
    def label(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_question(self) -> bool:
        return self.kind == PostKind.QUESTION


class Reply(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_replies")
    body = models.TextField(max_length=20_000)  # Markdown
    useful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    # The private journal entry its author keeps it as, as evidence in their record (services.reply_to_evidence).
    evidence_entry = models.ForeignKey("journal.Entry", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "replies"
        indexes = [models.Index(fields=["post", "created_at"], name="reply_post_time")]

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.post_id}"


class Reaction(models.Model):
    """'Useful': one per person per post or reply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="reaction_one_target",
                                   condition=Q(post__isnull=False, reply__isnull=True)
                                   | Q(post__isnull=True, reply__isnull=False)),
            models.UniqueConstraint(fields=["user", "post"], condition=Q(post__isnull=False),
                                    name="reaction_once_per_post"),
            models.UniqueConstraint(fields=["user", "reply"], condition=Q(reply__isnull=False),
                                    name="reaction_once_per_reply"),
        ]
