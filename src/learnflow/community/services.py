"""Every write to communities: membership, posts, replies, reactions, shares, discussions. Keyword-only, one
transaction each, checks (community/selectors.py decides who may do what) before writes, an Event for the audit and
xAPI trail, an Interaction for every reply, accepted answer and "useful", and notifications only to people who may
see what they are told about.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.text import slugify

from learnflow.community import selectors
from learnflow.community.models import (
    RESERVED_SLUGS, Access, Community, CommunityResource, CommunityShare, GuidedDiscussion, JoinRequest, JoinStatus,
    MemberRole, Membership, Post, PostKind, Reaction, Reply,
)
from learnflow.core.errors import NotFound
from learnflow.core.markdown import plain_text
from learnflow.core.services import event_record

MAX_PROMPTS = 20
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{1,150})")
WORKING_OUT_LOUD = (PostKind.WORKING_ON, PostKind.LEARNED, PostKind.STUCK)


# --- helpers

def _access(actor: Any, community: Community) -> selectors.CommunityAccess:
    return selectors.community_access(viewer=actor, community=community)


def _must_see(actor: Any, community: Community) -> selectors.CommunityAccess:
    access = _access(actor, community)
    if not access.visible:
        raise NotFound("No such community, or it is not visible to you.")
    return access


def _must_be_member(actor: Any, community: Community) -> selectors.CommunityAccess:
    access = _must_see(actor, community)
    if not access.member:
        raise PermissionDenied("Join the community first.")
    return access


def _must_facilitate(actor: Any, community: Community) -> None:
    if not _must_see(actor, community).facilitator:
        raise PermissionDenied("Only the community's facilitators can do this.")


def _about(post: Post) -> str:
    """What an interaction or a statement may say a post is about: its title only where the community is open, so
    a closed or hidden community's subjects do not travel outside it."""
    return post.label if post.community.is_public else ""


def _notify(*, user: Any, kind: str, text: str, url: str, actor: Any, about: Any = None) -> None:
    from learnflow.notifications.services import notify

    notify(user=user, kind=kind, text=text, url=url, actor=actor, about=about)


def mentioned_usernames(text: str) -> list[str]:
    return list(dict.fromkeys(m.rstrip(".") for m in MENTION_RE.findall(text or "")))


def _notify_mentions(*, post: Post, text: str, actor: Any, skip: set[int]) -> set[int]:
    told: set[int] = set()
    for person in selectors.people_by_username(usernames=mentioned_usernames(text)):
        # Only people who may read the post hear about it: a mention is never a way into a community.
        if person.pk in skip or person.pk == actor.pk or not selectors.post_visible_to(user=person, post=post):
            continue
        _notify(user=person, kind="mention", text=f"{actor.display_name} mentioned you in “{post.label}”"
                                                    f" ({post.community.name})",
                url=post.get_absolute_url(), actor=actor, about=post)
        told.add(person.pk)
    return told


def _interaction(**kwargs: Any) -> None:
    from learnflow.concierge.services import interaction_record

    interaction_record(**kwargs)


def _clean_slug(name: str, slug: str = "") -> str:
    base = slugify(slug or name)[:100] or "community"
    if base in RESERVED_SLUGS:
        base = f"{base}-community"
    candidate, n = base, 2
    while Community.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _check_access_choice(access: str) -> None:
    if access not in Access.values:
        raise ValidationError({"access": f"Choose one of: {', '.join(Access.values)}."})


# --- communities and membership

@transaction.atomic
def community_create(*, actor: Any, name: str, description: str = "", access: str = Access.OPEN,
                     topics: Sequence[Any] = ()) -> Community:
    _check_access_choice(access)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the community a name."})
    if Community.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A community with this name exists already."})
    community = Community(name=name, slug=_clean_slug(name), description=(description or "").strip(),
                          access=access, created_by=actor, member_count=1)
    community.full_clean()
    community.save()
    if topics:
        community.topics.set(topics)
    Membership.objects.create(community=community, user=actor, role=MemberRole.FACILITATOR)
    event_record(actor=actor, verb="created", obj=community)
    return community


@transaction.atomic
def community_update(*, community: Community, actor: Any, name: str | None = None, description: str | None = None,
                     access: str | None = None) -> Community:
    _must_facilitate(actor, community)
    if name is not None:
        name = name.strip()
        if Community.objects.filter(name__iexact=name).exclude(pk=community.pk).exists():
            raise ValidationError({"name": "A community with this name exists already."})
        community.name = name
    if description is not None:
        community.description = description.strip()
    if access is not None:
        _check_access_choice(access)
        community.access = access
    community.full_clean()
    community.save()
    event_record(actor=actor, verb="updated", obj=community)
    return community


def _add_member(community: Community, user: Any, role: str = MemberRole.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(community=community, user=user,
                                                           defaults={"role": role})
    if created:
        Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + 1)
    return membership


@transaction.atomic
def community_join(*, community: Community, actor: Any, message: str = "") -> Membership | JoinRequest:
    """Open: a member at once. Closed: a request the facilitators decide. Hidden: not found (members add people)."""
    access = _must_see(actor, community)
    if access.member:
        return Membership.objects.get(community=community, user=actor)
    if access.can_join:
        membership = _add_member(community, actor)
        event_record(actor=actor, verb="joined", obj=community)
        return membership
    existing = JoinRequest.objects.filter(community=community, user=actor, status=JoinStatus.OPEN).first()
    if existing is not None:
        return existing
    req = JoinRequest(community=community, user=actor, message=(message or "").strip())
    req.full_clean()
    req.save()
    url = f"{community.get_absolute_url()}requests/"
    for m in Membership.objects.filter(community=community, role=MemberRole.FACILITATOR).select_related("user"):
        _notify(user=m.user, kind="join_request", text=f"{actor.display_name} asks to join {community.name}",
                url=url, actor=actor)
    return req


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, actor: Any, approve: bool) -> JoinRequest:
    community = join_request.community
    _must_facilitate(actor, community)
    if join_request.status != JoinStatus.OPEN:
        raise ValidationError({"status": "This request was decided already."})
    join_request.status = JoinStatus.APPROVED if approve else JoinStatus.DECLINED
    join_request.decided_by, join_request.decided_at = actor, timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        _add_member(community, join_request.user)
        text, url = f"Welcome to {community.name}: your request to join was approved", community.get_absolute_url()
    else:
        from django.urls import reverse

        text, url = f"Your request to join {community.name} was declined", reverse("community:index")
    _notify(user=join_request.user, kind="join_request", text=text, url=url, actor=actor)
    event_record(actor=actor, verb="approved" if approve else "declined", obj=join_request)
    return join_request


@transaction.atomic
def member_add(*, community: Community, actor: Any, user: Any, role: str = MemberRole.MEMBER) -> Membership:
    """A facilitator adds someone (the only way into a hidden community)."""
    _must_facilitate(actor, community)
    if role not in MemberRole.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(MemberRole.values)}."})
    if user is None or not user.is_active:
        raise ValidationError({"user": "Choose an active person."})
    membership = _add_member(community, user, role)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    JoinRequest.objects.filter(community=community, user=user, status=JoinStatus.OPEN).update(
        status=JoinStatus.APPROVED, decided_by=actor, decided_at=timezone.now())
    _notify(user=user, kind="join_request", text=f"{actor.display_name} added you to {community.name}",
            url=community.get_absolute_url(), actor=actor)
    return membership


@transaction.atomic
def community_leave(*, community: Community, actor: Any) -> None:
    membership = Membership.objects.filter(community=community, user=actor).first()
    if membership is None:
        return
    if membership.is_facilitator and not Membership.objects.filter(
            community=community, role=MemberRole.FACILITATOR).exclude(pk=membership.pk).exists():
        if Membership.objects.filter(community=community).exclude(pk=membership.pk).exists():
            raise ValidationError({"community": "You are its only facilitator: make someone else a facilitator "
                                                "first."})
    membership.delete()
    Community.objects.filter(pk=community.pk).update(member_count=F("member_count") - 1)
    event_record(actor=actor, verb="left", obj=community)


# --- posts

def share_needs_confirmation(entry: Any) -> bool:
    """Sharing an entry that is not already visible to everyone shows it to people who could not see it before."""
    from learnflow.core.visibility import Visibility

    return entry.visibility != Visibility.ORGANISATION


def _own_entry(actor: Any, entry_id: int | None) -> Any:
    from learnflow.journal.models import Entry

    entry = Entry.objects.owned_by(actor).filter(pk=entry_id).first() if entry_id else None
    if entry is None:
        raise ValidationError({"entry": "Choose one of your own journal entries."})
    return entry


def _published_resource(resource_id: int | None, actor: Any) -> Any:
    """A published resource `actor` may see (the page offers only those; the API is held to the same)."""
    resource = (selectors.resources_to_share(viewer=actor, limit=None).filter(pk=resource_id).first()
                if resource_id else None)
    if resource is None:
        raise ValidationError({"resource": "Choose a published resource from the library."})
    return resource


@transaction.atomic
def post_create(*, community: Community, author: Any, kind: str, title: str = "", body: str = "",
                entry_id: int | None = None, confirm_share: bool = False, resource_id: int | None = None,
                at: dt.datetime | None = None) -> Post:
    """A working-out-loud update, a question, or a share. Sharing a journal entry that is not already visible to
    everyone needs `confirm_share=True` (the page asks first); it shares that one entry with this community only."""
    _must_be_member(author, community)
    if kind not in PostKind.values or kind == PostKind.PROMPT:
        raise ValidationError({"kind": "Choose what kind of post this is."})
    title, body = (title or "").strip(), (body or "").strip()
    if kind == PostKind.QUESTION and not title:
        raise ValidationError({"title": "Ask your question in a line; add the details below."})
    if kind in WORKING_OUT_LOUD and not (title or body):
        raise ValidationError({"body": "Write what you are working on, learned, or where you are stuck."})
    now = at or timezone.now()
    post = Post(community=community, author=author, kind=kind, title=title, body=body, created_at=now,
                last_activity_at=now)
    if kind == PostKind.ENTRY:
        entry = _own_entry(author, entry_id)
        if share_needs_confirmation(entry) and not confirm_share:
            raise ValidationError({"confirm_share": f"“{entry.title}” is not visible to everyone. Confirm that you "
                                                    f"want to share this one entry with the members of "
                                                    f"{community.name}."})
        share, created = CommunityShare.objects.get_or_create(entry=entry, community=community,
                                                              defaults={"shared_by": author})
        # The entry's title is not copied into the post: only members see the entry, through the share.
        post.share = share
        if created:
            event_record(actor=author, verb="shared_to_community", obj=entry)
    elif kind == PostKind.RESOURCE:
        resource = _published_resource(resource_id, author)
        post.resource = resource
        post.title = post.title or resource.title
        CommunityResource.objects.get_or_create(community=community, resource=resource,
                                                defaults={"added_by": author, "note": plain_text(body, 500)})
    post.title = post.title[:200]
    post.excerpt = plain_text(post.body, 300)
    post.full_clean(exclude=["uid"])
    post.save()
    Community.objects.filter(pk=community.pk).update(post_count=F("post_count") + 1)
    post.community = community
    event_record(actor=author, verb="posted", obj=post)
    _notify_mentions(post=post, text=f"{title}\n{body}", actor=author, skip=set())
    return post


@transaction.atomic
def post_delete(*, post: Post, actor: Any) -> None:
    if post.author_id != actor.pk and not _access(actor, post.community).facilitator:
        raise PermissionDenied("Only its author or a facilitator can remove a post.")
    # A prompt not yet open was never counted (and row-locking first keeps a concurrent count of it from racing).
    if Post.objects.select_for_update().filter(pk=post.pk, counted=True).exists():
        Community.objects.filter(pk=post.community_id).update(post_count=F("post_count") - 1)
    event_record(actor=actor, verb="deleted", obj=post)
    post.delete()


@transaction.atomic
def share_withdraw(*, share: CommunityShare, actor: Any) -> None:
    """The entry's author takes it back: the posts that showed it keep their note, not the entry."""
    if share.entry.author_id != actor.pk:
        raise PermissionDenied("Only the entry's author can withdraw it.")
    event_record(actor=actor, verb="unshared_from_community", obj=share.entry)
    share.delete()


@transaction.atomic
def reply_create(*, post: Post, author: Any, body: str, parent: Reply | None = None,
                 at: dt.datetime | None = None) -> Reply:
    if not selectors.post_visible_to(user=author, post=post):
        raise NotFound("No such post, or it is not visible to you.")
    _must_be_member(author, post.community)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write your reply."})
    if parent is not None and parent.post_id != post.pk:
        raise ValidationError({"parent": "That reply belongs to another post."})
    now = at or timezone.now()
    reply = Reply(post=post, author=author, body=body, parent=parent, created_at=now)
    reply.full_clean()
    reply.save()
    Post.objects.filter(pk=post.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
    event_record(actor=author, verb="replied", obj=reply)
    if author.pk != post.author_id:
        _interaction(helper=author, helped=post.author,
                     kind="answer" if post.is_question else "reply", about=_about(post),
                     topics=list(post.community.topics.all()), source_type="community.reply", source_id=reply.pk,
                     at=now)
    url = f"{post.get_absolute_url()}#reply-{reply.pk}"
    told: set[int] = {author.pk}
    if post.author_id not in told:
        kind, verb = ("answer", "answered your question") if post.is_question else ("reply", "replied to")
        text = (f"{author.display_name} {verb} “{post.label}”" if kind == "answer"
                else f"{author.display_name} replied to “{post.label}”")
        if selectors.post_visible_to(user=post.author, post=post):
            _notify(user=post.author, kind=kind, text=text, url=url, actor=author, about=post)
            told.add(post.author_id)
    if parent is not None and parent.author_id not in told and selectors.post_visible_to(user=parent.author,
                                                                                           post=post):
        _notify(user=parent.author, kind="reply", text=f"{author.display_name} replied to you on “{post.label}”",
                url=url, actor=author, about=post)
        told.add(parent.author_id)
    _notify_mentions(post=post, text=body, actor=author, skip=told)
    return reply


@transaction.atomic
def answer_accept(*, post: Post, reply: Reply, actor: Any) -> Post:
    """The asker (or a facilitator) marks the answer that solved the question."""
    if not selectors.post_visible_to(user=actor, post=post):
        raise NotFound("No such post, or it is not visible to you.")
    if not post.is_question:
        raise ValidationError({"post": "Only questions have an accepted answer."})
    if post.author_id != actor.pk and not _access(actor, post.community).facilitator:
        raise PermissionDenied("Only the person who asked, or a facilitator, can accept an answer.")
    if reply.post_id != post.pk:
        raise ValidationError({"reply": "That reply belongs to another post."})
    if post.accepted_reply_id == reply.pk:
        return post
    post.accepted_reply = reply
    post.save(update_fields=["accepted_reply"])
    event_record(actor=actor, verb="accepted", obj=reply)
    if reply.author_id != post.author_id:
        _interaction(helper=reply.author, helped=post.author, kind="accepted", about=_about(post),
                     topics=list(post.community.topics.all()), source_type="community.reply", source_id=reply.pk)
    if selectors.post_visible_to(user=reply.author, post=post):
        _notify(user=reply.author, kind="answer", text=f"Your answer to “{post.label}” was accepted",
                url=f"{post.get_absolute_url()}#reply-{reply.pk}", actor=actor, about=post)
    return post


@transaction.atomic
def reply_to_evidence(*, reply: Reply, actor: Any) -> Any:
    """The author keeps one of their replies (an accepted answer, typically) as evidence in their record: a private
    journal entry linked back to the post, made by the same service as the concierge's help_message_to_evidence.
    It stays private until they share it from their journal, like all evidence."""
    from django.conf import settings as django_settings

    from learnflow.journal.models import Way
    from learnflow.journal.services import LinkIn, entry_create

    if reply.author_id != actor.pk:
        raise PermissionDenied("Only its author keeps a reply as evidence.")
    post = reply.post
    if not selectors.post_visible_to(user=actor, post=post):
        raise NotFound("No such reply, or it is not visible to you.")
    reply = Reply.objects.select_for_update().get(pk=reply.pk)  # two clicks at once make one entry
    if reply.evidence_entry_id:  # a deleted entry sets this back to None: it can be kept again
        raise ValidationError({"reply": "This reply is already in your journal."})
    accepted = post.accepted_reply_id == reply.pk
    what = "Answered a question" if accepted or post.is_question else "Replied"
    entry = entry_create(author=actor, title=f"{what} in {post.community.name}: {post.label}"[:200], body=reply.body,
                         way=Way.COLLEAGUES, learned_on=reply.created_at.date(),
                         skills=[t.name for t in post.community.topics.all()],
                         links=[LinkIn(url=django_settings.SITE_URL.rstrip("/") + post.get_absolute_url()
                                       + f"#reply-{reply.pk}", title="The post in the community")],
                         source="community")
    reply.evidence_entry = entry
    reply.save(update_fields=["evidence_entry"])
    return entry


@transaction.atomic
def useful_set(*, actor: Any, useful: bool, post: Post | None = None, reply: Reply | None = None) -> bool:
    """Mark (or unmark) a post or a reply as useful: one per person. Returns whether it is marked now.
    Unmarking keeps the interaction recorded when it was marked: it happened, and the ranking weighs recency."""
    target_post = post if post is not None else reply.post if reply is not None else None
    if target_post is None or (post is not None and reply is not None):
        raise ValidationError({"target": "Mark a post or a reply."})
    if not selectors.post_visible_to(user=actor, post=target_post):
        raise NotFound("No such post, or it is not visible to you.")
    owner_id = (reply or post).author_id
    if owner_id == actor.pk:
        raise ValidationError({"useful": "You cannot mark your own post or reply as useful."})
    model = Reply if reply is not None else Post
    target = reply if reply is not None else post
    existing = Reaction.objects.filter(user=actor, **({"reply": reply} if reply else {"post": post})).first()
    if useful and existing is None:
        try:
            with transaction.atomic():
                Reaction.objects.create(user=actor, post=post, reply=reply)
        except IntegrityError:
            return True  # the same click twice at once
        model.objects.filter(pk=target.pk).update(useful_count=F("useful_count") + 1)
        _interaction(helper=target.author, helped=actor, kind="useful", about=_about(target_post),
                     topics=list(target_post.community.topics.all()),
                     source_type="community.reply" if reply else "community.post", source_id=target.pk)
        event_record(actor=actor, verb="found_useful", obj=target)
    elif not useful and existing is not None:
        existing.delete()
        model.objects.filter(pk=target.pk, useful_count__gt=0).update(useful_count=F("useful_count") - 1)
    return useful


@transaction.atomic
def resource_link(*, community: Community, actor: Any, resource_id: int, note: str = "") -> CommunityResource:
    _must_be_member(actor, community)
    resource = _published_resource(resource_id, actor)
    link, created = CommunityResource.objects.get_or_create(community=community, resource=resource,
                                                            defaults={"added_by": actor, "note": note.strip()[:500]})
    return link


# --- guided discussions

@transaction.atomic
def prompts_count_due(*, community_id: int, now: dt.datetime | None = None) -> int:
    """Count the prompts of a community that have opened since it was last looked at, and note when the next one
    opens. Idempotent; called by the selectors when `next_prompt_at` has passed (no job opens a prompt: it is
    readable from its time on). Returns how many it counted."""
    now = now or timezone.now()
    # The community's row lock serialises two readers counting the same prompts (and discussion_create).
    if Community.objects.select_for_update().filter(pk=community_id).values_list("pk").first() is None:
        return 0
    counted = Post.objects.filter(community_id=community_id, counted=False, opens_at__lte=now).update(counted=True)
    following = (Post.objects.filter(community_id=community_id, counted=False).order_by("opens_at")
                 .values_list("opens_at", flat=True).first())
    Community.objects.filter(pk=community_id).update(post_count=F("post_count") + counted, next_prompt_at=following)
    return counted


@transaction.atomic
def discussion_create(*, community: Community, actor: Any, title: str, prompts: Sequence[str], starts_at: dt.datetime,
                      every_days: int = 7, intro: str = "") -> GuidedDiscussion:
    """A series of prompts that open one by one: the first at `starts_at`, each next one `every_days` later."""
    _must_facilitate(actor, community)
    prompts = [p.strip() for p in prompts if p and p.strip()]
    if not prompts:
        raise ValidationError({"prompts": "Write at least one prompt (one per line)."})
    if len(prompts) > MAX_PROMPTS:
        raise ValidationError({"prompts": f"At most {MAX_PROMPTS} prompts in one discussion."})
    if every_days < 0 or every_days > 90:
        raise ValidationError({"every_days": "Choose between 0 and 90 days between prompts."})
    if starts_at is None:
        raise ValidationError({"starts_at": "Choose when the first prompt opens."})
    discussion = GuidedDiscussion(community=community, title=(title or "").strip(), intro=(intro or "").strip(),
                                  created_by=actor)
    discussion.full_clean()
    discussion.save()
    now = timezone.now()
    opened, first_pending = 0, None
    for i, text in enumerate(prompts):
        opens = starts_at + dt.timedelta(days=every_days * i)
        first_line, _, rest = text.partition("\n")
        is_open = opens <= now
        Post.objects.create(community=community, author=actor, kind=PostKind.PROMPT, discussion=discussion,
                            position=i + 1, title=first_line[:200], body=rest.strip() or "",
                            excerpt=plain_text(rest, 300), opens_at=opens, counted=is_open,
                            created_at=opens, last_activity_at=max(opens, now))
        opened += is_open
        if not is_open and first_pending is None:
            first_pending = opens
    # Only open prompts are posts people can read; the others are counted when they open (prompts_count_due).
    changes: dict[str, Any] = {"post_count": F("post_count") + opened}
    if first_pending is not None:
        changes["next_prompt_at"] = Case(When(next_prompt_at__lte=first_pending, then=F("next_prompt_at")),
                                         default=Value(first_pending))
    Community.objects.filter(pk=community.pk).update(**changes)
    event_record(actor=actor, verb="scheduled", obj=discussion)
    return discussion


@transaction.atomic
def discussion_summarise(*, discussion: GuidedDiscussion, actor: Any, title: str, body: str) -> Any:
    """Publish a summary of the discussion as a library page (library.services.resource_create: published at once,
    or waiting for review when one of the community's topics asks for review), linked to the community's
    resources."""
    from learnflow.library.models import ResourceKind
    from learnflow.library.services import resource_create

    _must_facilitate(actor, discussion.community)
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationError({"title": "Give the summary a title."})
    if not body:
        raise ValidationError({"body": "Write the summary."})
    resource = resource_create(author=actor, kind=ResourceKind.PAGE, title=title[:300], body=body,
                               summary=plain_text(body, 300), topics=list(discussion.community.topics.all()),
                               submit=True)
    CommunityResource.objects.get_or_create(community=discussion.community, resource=resource,
                                            defaults={"added_by": actor, "note": f"Summary of “{discussion.title}”"})
    discussion.summary_resource = resource
    discussion.save(update_fields=["summary_resource"])
    event_record(actor=actor, verb="summarised", obj=discussion)
    return resource
