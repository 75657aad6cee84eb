"""Every read of communities and what is in them. Each takes the viewer.

Who sees a community and its posts — decided here and nowhere else (`community_access` for one community,
`communities_visible_q` / `communities_readable_q` for querysets, both from the same table):

    access   non-member sees                                   member sees
    open     name, description, posts, resources, members     everything, and may post and reply
    closed   name, description, facilitators, member count    everything, and may post and reply
             (so they can ask to join), no posts/resources/members
    hidden   nothing at all: lists, search, pages, the API     everything, and may post and reply
             and notifications answer "not found" (404)

Roles (manager, L&D, admin) give no reading rights: an admin who is not a member of a hidden community does not
see it anywhere in the product (the Django admin is where they manage it). Inactive people see nothing.
Discussion prompts are posts that are visible, and answerable, only from their `opens_at` on; facilitators see
the whole schedule of their discussions through `discussion_get` only.

The one exception to journal visibility — a journal entry shared into a community: see `shared_entries_for`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from learnflow.community.models import (
    Access, Community, CommunityResource, CommunityShare, GuidedDiscussion, JoinRequest, JoinStatus, MemberRole, Membership, Post,
    PostKind, Reaction, Reply,
)
from learnflow.core.errors import NotFound
from learnflow.core.paging import MAX_PAGE

PAGE_SIZE = 20
MEMBERS_ON_PAGE = 24


def _active(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active)


def _member_of(viewer: Any) -> QuerySet:
    return Membership.objects.filter(user_id=viewer.pk).values("community_id")


# --- the rule

@dataclass(frozen=True)
class CommunityAccess:
    visible: bool = False       # knows it exists: its name, description and facilitators
    read: bool = False          # its posts, resources and members
    member: bool = False        # may post, reply, share
    facilitator: bool = False   # may approve, schedule discussions, edit
    can_join: bool = False      # open, not yet a member
    can_ask: bool = False       # closed, not yet a member (a request may already be waiting)

    @property
    def exists(self) -> bool:
        return self.visible


def community_access(*, viewer: Any, community: Community, membership: Membership | None | type[Ellipsis] = ...
                     ) -> CommunityAccess:
    """What `viewer` may do with one community. `membership`: the viewer's row if the caller already loaded it
    (None = known not to be a member)."""
    if not _active(viewer):
        return CommunityAccess()
    if membership is ...:
        membership = Membership.objects.filter(community=community, user_id=viewer.pk).first()
    if membership is not None:
        return CommunityAccess(visible=True, read=True, member=True,
                               facilitator=membership.role == MemberRole.FACILITATOR)
    if community.access == Access.OPEN:
        return CommunityAccess(visible=True, read=True, can_join=True)
    if community.access == Access.CLOSED:
        return CommunityAccess(visible=True, can_ask=True)
    return CommunityAccess()


def communities_visible_q(viewer: Any, prefix: str = "") -> Q:
    """The communities whose existence `viewer` may know of (the `visible` column above)."""
    if not _active(viewer):
        return Q(pk__in=[])
    return Q(**{f"{prefix}access__in": [Access.OPEN, Access.CLOSED]}) | Q(**{f"{prefix}pk__in": _member_of(viewer)})


def communities_readable_q(viewer: Any, prefix: str = "") -> Q:
    """The communities whose posts, resources and members `viewer` may read (the `read` column above)."""
    if not _active(viewer):
        return Q(pk__in=[])
    return Q(**{f"{prefix}access": Access.OPEN}) | Q(**{f"{prefix}pk__in": _member_of(viewer)})


def _open_now_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}opens_at__isnull": True}) | Q(**{f"{prefix}opens_at__lte": timezone.now()})


def posts_visible_q(viewer: Any) -> Q:
    """Posts `viewer` may read: in a community they may read, and (prompts) already open."""
    if not _active(viewer):
        return Q(pk__in=[])
    readable = Community.objects.filter(communities_readable_q(viewer)).values("pk")
    return Q(community_id__in=readable) & _open_now_q()


def post_visible_to(*, user: Any, post: Post) -> bool:
    """The same rule for one loaded post (used before notifying anyone about it)."""
    if not _active(user):
        return False
    if post.opens_at is not None and post.opens_at > timezone.now():
        return False
    return community_access(viewer=user, community=post.community).read


def post_visible_by_id(user: Any, post_id: str) -> bool:
    post = Post.objects.select_related("community").filter(pk=post_id).first()
    return post is not None and post_visible_to(user=user, post=post)


# --- communities

def _prompts_count_due(community: Community | None = None) -> None:
    """Bring post_count up to date with the prompts that opened since (services.prompts_count_due): for one loaded
    community without a query unless one is due; for lists, one indexed query that finds nothing nearly always.
    A read that writes, once per prompt: no job has to run for the counts to be right."""
    from learnflow.community.services import prompts_count_due

    now = timezone.now()
    if community is not None:
        if community.next_prompt_at is not None and community.next_prompt_at <= now:
            prompts_count_due(community_id=community.pk, now=now)
            community.refresh_from_db(fields=["post_count", "next_prompt_at"])
        return
    for pk in Community.objects.filter(next_prompt_at__lte=now).values_list("pk", flat=True)[:100]:
        prompts_count_due(community_id=pk, now=now)


def community_list(*, viewer: Any, scope: str = "all", q: str = "", popular: bool = False) -> QuerySet[Community]:
    """scope: mine (member of), discover (visible, not a member), all (both). popular: largest first."""
    _prompts_count_due()
    qs = Community.objects.filter(communities_visible_q(viewer))
    if scope == "mine":
        qs = qs.filter(pk__in=_member_of(viewer)) if _active(viewer) else qs.none()
    elif scope == "discover" and _active(viewer):
        qs = qs.exclude(pk__in=_member_of(viewer))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs.prefetch_related("topics").order_by(*(("-member_count", "name") if popular else ("name",)))


def my_memberships(*, viewer: Any) -> dict[int, Membership]:
    if not _active(viewer):
        return {}
    return {m.community_id: m for m in Membership.objects.filter(user_id=viewer.pk)}


def community_get(*, viewer: Any, slug: str) -> tuple[Community, CommunityAccess]:
    # No communities_visible_q filter here: community_access below applies the same rule to the one row (and saves
    # the subquery on every community page).
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound("No such community, or it is not visible to you.")
    access = community_access(viewer=viewer, community=community)
    if not access.visible:
        raise NotFound("No such community, or it is not visible to you.")
    _prompts_count_due(community)
    return community, access


@dataclass(frozen=True, slots=True)
class PostItem:
    """One post as the community page lists it: the columns the list shows, read as plain values. Twenty model
    instances per page (each with its author and resource) cost more CPU than the query that reads them."""
    pk: int
    kind: str
    kind_label: str
    title: str
    excerpt: str
    author_name: str
    created_at: Any
    reply_count: int
    useful_count: int
    answered: bool
    share_id: int | None
    resource_uid: Any = None    # set when the post links a library resource that still exists
    resource_title: str = ""
    shared_entry: Any = None    # the journal entry a share post shows, when this viewer may read it

    @property
    def label(self) -> str:
        return self.title or self.kind_label


@dataclass
class CommunityPage:
    community: Community
    access: CommunityAccess
    posts: list[PostItem] = field(default_factory=list)
    has_more: bool = False
    facilitator_names: list[str] = field(default_factory=list)
    member_names: list[str] = field(default_factory=list)
    resources: list[CommunityResource] = field(default_factory=list)
    discussions: list[GuidedDiscussion] = field(default_factory=list)
    open_requests: int = 0
    my_request: JoinRequest | None = None


def _post_qs() -> QuerySet[Post]:
    return Post.objects.select_related("author", "resource", "share", "community")


_KIND_LABELS = {value: str(label) for value, label in PostKind.choices}
_LIST_COLUMNS = ("pk", "kind", "title", "excerpt", "author__first_name", "author__last_name", "author__username",
                 "created_at", "reply_count", "useful_count", "accepted_reply_id", "share_id", "resource__uid",
                 "resource__title")


def _display_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username  # User.display_name, without loading the user


def _post_items(community: Community, start: int, stop: int) -> list[PostItem]:
    rows = (Post.objects.filter(community=community).filter(_open_now_q()).order_by("-created_at", "-id")
            .values_list(*_LIST_COLUMNS)[start:stop])
    return [PostItem(pk=pk, kind=kind, kind_label=_KIND_LABELS.get(kind, kind), title=title, excerpt=excerpt,
                     author_name=_display_name(first, last, username), created_at=created_at,
                     reply_count=replies, useful_count=useful, answered=accepted is not None, share_id=share_id,
                     resource_uid=resource_uid, resource_title=resource_title or "")
            for (pk, kind, title, excerpt, first, last, username, created_at, replies, useful, accepted, share_id,
                 resource_uid, resource_title) in rows]


def _names(community: Community, role: str) -> list[str]:
    # One role at a time, newest first: the (community, role, joined_at) index serves it and stops after
    # MEMBERS_ON_PAGE rows. Both roles in one query sorted by role, -joined_at made the database sort every
    # membership of the community (7 ms for a community of 3,000).
    rows = (Membership.objects.filter(community=community, role=role).order_by("-joined_at", "-id")
            .values_list("user__first_name", "user__last_name", "user__username")[:MEMBERS_ON_PAGE])
    return [_display_name(*row) for row in rows]


def community_page(*, viewer: Any, slug: str, page: int = 1) -> CommunityPage:
    community, access = community_get(viewer=viewer, slug=slug)
    result = CommunityPage(community=community, access=access)
    result.facilitator_names = _names(community, MemberRole.FACILITATOR)
    if access.can_ask:
        result.my_request = JoinRequest.objects.filter(community=community, user_id=viewer.pk,
                                                       status=JoinStatus.OPEN).first()
    if not access.read:
        return result
    page = min(max(1, page), MAX_PAGE)
    start = (page - 1) * PAGE_SIZE
    posts = _post_items(community, start, start + PAGE_SIZE + 1)
    result.has_more = len(posts) > PAGE_SIZE
    result.posts = posts[:PAGE_SIZE]
    result.member_names = _names(community, MemberRole.MEMBER)
    result.resources = list(_resources_qs(community).select_related(None).select_related("resource")
                            .only("note", "resource__uid", "resource__title")[:10])
    result.discussions = list(GuidedDiscussion.objects.filter(community=community)[:5])
    if any(p.share_id for p in result.posts):
        entries = shared_entries_for(viewer=viewer, posts=result.posts, access=access)
        result.posts = [dataclasses.replace(p, shared_entry=entries.get(p.share_id)) if p.share_id else p
                        for p in result.posts]
    if access.facilitator:
        result.open_requests = JoinRequest.objects.filter(community=community, status=JoinStatus.OPEN).count()
    return result


def members_of(*, viewer: Any, community: Community) -> QuerySet[Membership]:
    if not community_access(viewer=viewer, community=community).read:
        return Membership.objects.none()
    return (Membership.objects.filter(community=community).select_related("user", "user__team")
            .order_by("-role", "user__first_name", "user__username"))


def resources_of(*, viewer: Any, community: Community) -> QuerySet[CommunityResource]:
    """The community's resource list: published library resources only, for those who may read the community."""
    if not community_access(viewer=viewer, community=community).read:
        return CommunityResource.objects.none()
    return _resources_qs(community)


def _resources_qs(community: Community) -> QuerySet[CommunityResource]:
    from learnflow.library.models import ResourceStatus

    return (CommunityResource.objects.filter(community=community, resource__status=ResourceStatus.PUBLISHED)
            .select_related("resource", "added_by").order_by("-created_at", "-id"))


def join_requests_open(*, viewer: Any, community: Community) -> QuerySet[JoinRequest]:
    if not community_access(viewer=viewer, community=community).facilitator:
        return JoinRequest.objects.none()
    return JoinRequest.objects.filter(community=community, status=JoinStatus.OPEN).select_related("user",
                                                                                                  "user__team")


def join_request_get_for_facilitator(*, viewer: Any, pk: int) -> JoinRequest:
    req = JoinRequest.objects.select_related("community", "user").filter(pk=pk).first()
    if req is None or not community_access(viewer=viewer, community=req.community).facilitator:
        raise NotFound("No such request among those you decide.")
    return req


# --- posts

def posts_of(*, viewer: Any, community: Community, limit: int = PAGE_SIZE, offset: int = 0,
             kind: str = "") -> list[Post]:
    if not community_access(viewer=viewer, community=community).read:
        return []
    qs = _post_qs().filter(community=community).filter(_open_now_q())
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-created_at", "-id")[offset:offset + limit])


def posts_for_member(*, viewer: Any, since: Any = None, until: Any = None, limit: int = 50) -> QuerySet[Post]:
    """Recent posts in the communities `viewer` is a member of (for digests and the flow)."""
    if not _active(viewer):
        return Post.objects.none()
    qs = _post_qs().filter(community_id__in=_member_of(viewer)).filter(_open_now_q())
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-created_at", "-id")[:limit]


@dataclass
class PostView:
    post: Post
    access: CommunityAccess
    replies: list[Reply]             # top level, each with .thread (its descendants, nested through .thread)
    reply_count: int
    shared_entry: Any = None
    reacted_post: bool = False
    reacted_replies: set[int] = field(default_factory=set)
    can_accept: bool = False
    can_reply: bool = False


def post_get(*, viewer: Any, pk: int, slug: str | None = None) -> Post:
    qs = _post_qs().filter(pk=pk).filter(posts_visible_q(viewer))
    if slug is not None:
        qs = qs.filter(community__slug=slug)
    post = qs.first()
    if post is None:
        raise NotFound("No such post, or it is not visible to you.")
    return post


def post_view(*, viewer: Any, pk: int, slug: str | None = None) -> PostView:
    post = post_get(viewer=viewer, pk=pk, slug=slug)
    access = community_access(viewer=viewer, community=post.community)
    replies = list(Reply.objects.filter(post=post).select_related("author").order_by("created_at", "id"))
    by_id = {r.pk: r for r in replies}
    top: list[Reply] = []
    for r in replies:
        r.thread = []
    for r in replies:
        parent = by_id.get(r.parent_id)
        (parent.thread if parent is not None else top).append(r)
    reacted = set(Reaction.objects.filter(user_id=viewer.pk, reply__post=post).values_list("reply_id", flat=True))
    entries = shared_entries_for(viewer=viewer, posts=[post], access=access)
    return PostView(
        post=post, access=access, replies=top, reply_count=len(replies),
        shared_entry=entries.get(post.share_id) if post.share_id else None,
        reacted_post=Reaction.objects.filter(user_id=viewer.pk, post=post).exists(),
        reacted_replies=reacted,
        can_accept=post.is_question and (post.author_id == viewer.pk or access.facilitator),
        can_reply=access.member,
    )


def reply_get(*, viewer: Any, pk: int) -> Reply:
    reply = (Reply.objects.select_related("post", "post__community", "author").filter(pk=pk)
             .filter(post__in=Post.objects.filter(posts_visible_q(viewer))).first())
    if reply is None:
        raise NotFound("No such reply, or it is not visible to you.")
    return reply


def shared_entries_for(*, viewer: Any, posts: Iterable[Post], access: CommunityAccess) -> dict[int, Any]:
    """The journal entries shown on entry-share posts, keyed by CommunityShare id.

    THE ONE EXCEPTION TO JOURNAL VISIBILITY IN THIS APP. A person who shares a journal entry into a community (after
    confirming, see services.post_create) creates a CommunityShare(entry, community). The members of that community
    — and only they, whatever their role — may read that one entry through the post, even if the entry is private
    everywhere else. So this reads the entry with `Entry.objects.unrestricted()`, after checking here that the viewer
    is a member of the post's community (or the entry's own author). Non-members who may read an open community's
    posts see only that an entry was shared with its members. Nothing else of the author's becomes visible, the
    entry's own visibility is unchanged, and when the author withdraws the share (or the entry is deleted) the
    CommunityShare row goes and the content disappears from the post at once.
    """
    from learnflow.journal.models import Entry

    share_ids = [p.share_id for p in posts if p.share_id]
    if not share_ids or not _active(viewer):
        return {}
    shares = {row["pk"]: row["entry_id"] for row in
              CommunityShare.objects.filter(pk__in=share_ids).values("pk", "entry_id")}
    entry_ids = list(shares.values())
    if access.member:
        allowed = set(entry_ids)
    else:
        allowed = set(Entry.objects.filter(pk__in=entry_ids, author_id=viewer.pk).values_list("pk", flat=True))
    if not allowed:
        return {}
    # Deliberately unrestricted: membership of the community was checked just above (see the docstring).
    entries = {e.pk: e for e in Entry.objects.unrestricted().filter(pk__in=allowed)
               .select_related("author").prefetch_related("tags")}
    return {sid: entries[entry_id] for sid, entry_id in shares.items() if entry_id in entries}


# --- discussions

def discussion_get(*, viewer: Any, pk: int, slug: str | None = None) -> tuple[GuidedDiscussion, list[Post], bool]:
    """A discussion and its prompts: the open ones for readers; the whole schedule for facilitators."""
    qs = GuidedDiscussion.objects.select_related("community", "summary_resource").filter(pk=pk)
    if slug is not None:
        qs = qs.filter(community__slug=slug)
    discussion = qs.filter(community__in=Community.objects.filter(communities_readable_q(viewer))).first()
    if discussion is None:
        raise NotFound("No such discussion, or it is not visible to you.")
    access = community_access(viewer=viewer, community=discussion.community)
    prompts = Post.objects.filter(discussion=discussion, kind=PostKind.PROMPT).select_related("author",
                                                                                             "community")
    if not access.facilitator:
        prompts = prompts.filter(_open_now_q())
    return discussion, list(prompts.order_by("position", "id")), access.facilitator


def discussions_of(*, viewer: Any, community: Community, limit: int = 100) -> list[tuple[GuidedDiscussion, list[Post]]]:
    """A community's discussions, newest first, each with its prompts as discussion_get shows them (open ones for
    readers, the whole schedule for facilitators). Two queries."""
    access = community_access(viewer=viewer, community=community)
    if not access.read:
        return []
    found = list(GuidedDiscussion.objects.filter(community=community).select_related("community", "summary_resource")
                 .order_by("-created_at", "-id")[:limit])
    prompts = Post.objects.filter(discussion__in=found, kind=PostKind.PROMPT).select_related("community")
    if not access.facilitator:
        prompts = prompts.filter(_open_now_q())
    by_discussion: dict[int, list[Post]] = {}
    for p in prompts.order_by("position", "id"):
        by_discussion.setdefault(p.discussion_id, []).append(p)
    return [(d, by_discussion.get(d.pk, [])) for d in found]


def discussion_transcript(*, discussion: GuidedDiscussion, prompts: list[Post]) -> str:
    """A first draft of a summary (Markdown) from the open prompts and their replies, for the facilitator to edit."""
    now = timezone.now()
    replies = Reply.objects.filter(post__in=[p.pk for p in prompts]).select_related("author").order_by(
        "created_at", "id")
    by_post: dict[int, list[Reply]] = {}
    for r in replies:
        by_post.setdefault(r.post_id, []).append(r)
    parts = [discussion.intro.strip()] if discussion.intro.strip() else []
    for p in prompts:
        if p.opens_at and p.opens_at > now:
            continue
        parts.append(f"## {p.label}\n\n{p.body.strip()}")
        for r in by_post.get(p.pk, []):
            first = " ".join(r.body.split())[:400]
            parts.append(f"- {r.author.display_name}: {first}")
    return "\n\n".join(parts)


# --- what a person can share

def entries_to_share(*, viewer: Any, limit: int = 50):
    from learnflow.journal.models import Entry

    return Entry.objects.owned_by(viewer).order_by("-learned_on", "-id")[:limit]


def own_entry(*, viewer: Any, pk: int | None):
    from learnflow.journal.models import Entry

    return Entry.objects.owned_by(viewer).filter(pk=pk).first() if pk else None


def resources_to_share(*, viewer: Any, limit: int = 100):
    try:
        from learnflow.library.selectors import resources_visible_to
    except ImportError:
        resources_visible_to = None
    from learnflow.library.models import Resource, ResourceStatus

    qs = resources_visible_to(viewer=viewer) if resources_visible_to else Resource.objects.all()
    return qs.filter(status=ResourceStatus.PUBLISHED).order_by("-published_at", "-pk")[:limit]


def people_by_username(*, usernames: Iterable[str]) -> list[Any]:
    from django.contrib.auth import get_user_model

    names = list(dict.fromkeys(usernames))
    if not names:
        return []
    return list(get_user_model().objects.filter(username__in=names, is_active=True))


def memberships_prefetch() -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.select_related("user"))
