"""Every write of the library: resources and their review, uploads, votes, comments, flags, collections, what a
person opened and completed. Keyword-only, one transaction each, checks before writes, an audit event in the same
transaction (and an xAPI statement in the person's own record for "experienced" and "completed")."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
import urllib.parse
from pathlib import PurePath
from typing import Any, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from learnflow.core.services import event_record
from learnflow.curation.models import InboxItem, Topic
from learnflow.library import images
from learnflow.library import metadata as page_metadata
from learnflow.library.models import (
    Collection, CollectionItem, Comment, Completion, Flag, FlagKind, ImageStatus, Resource, ResourceImage,
    ResourceKind, ResourceStatus, ResourceView, TopicReviewPolicy, Vote,
)
from learnflow.library.selectors import can_edit_collection, can_edit_resource, can_see_resource, is_reviewer

log = logging.getLogger(__name__)

MAX_TOPICS = 10
MAX_COLLECTION_ITEMS = 30
MAX_COMMENT_CHARS = 5_000
MAX_BODY_CHARS = 100_000
MAX_MEDIA_BYTES = int(getattr(settings, "LEARNFLOW_LIBRARY_MAX_MEDIA_MB", 200)) * 1024 * 1024

# Video and audio files the library takes, with how their first bytes look (a renamed file is refused).
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    ".mp4": ("video", "video/mp4"), ".m4v": ("video", "video/mp4"), ".webm": ("video", "video/webm"),
    ".mp3": ("audio", "audio/mpeg"), ".m4a": ("audio", "audio/mp4"), ".ogg": ("audio", "audio/ogg"),
    ".oga": ("audio", "audio/ogg"), ".wav": ("audio", "audio/wav"),
}


def _media_magic_ok(suffix: str, head: bytes) -> bool:
    if suffix in (".mp4", ".m4v", ".m4a"):
        return head[4:8] == b"ftyp"
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if suffix == ".mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if suffix in (".ogg", ".oga"):
        return head.startswith(b"OggS")
    if suffix == ".wav":
        return head.startswith(b"RIFF") and head[8:12] == b"WAVE"
    return False


def upload_check(*, kind: str, upload: UploadedFile) -> tuple[str, str]:
    """The stored file's original name and content type, or a ValidationError on `file` saying what is wrong."""
    name = PurePath(upload.name or "file").name[:255] or "file"
    suffix = PurePath(name).suffix.lower()
    if kind == ResourceKind.DOCUMENT:
        # Documents follow the journal's attachment rules (types, size, content sniffing) as they are.
        from learnflow.journal.services import _check_upload

        return _check_upload(upload)
    if kind not in (ResourceKind.VIDEO, ResourceKind.AUDIO):
        raise ValidationError({"file": "Only videos, audio and documents are uploaded; pages are written here."})
    wanted = [s for s, (k, _) in MEDIA_TYPES.items() if k == kind]
    if suffix not in wanted:
        raise ValidationError({"file": f"“{name}” is not a {kind} file this library takes. Allowed: "
                                       f"{', '.join(wanted)}."})
    if upload.size is None or upload.size > MAX_MEDIA_BYTES:
        raise ValidationError({"file": f"“{name}” is larger than the {MAX_MEDIA_BYTES // (1024 * 1024)} MB limit."})
    if upload.size == 0:
        raise ValidationError({"file": f"“{name}” is empty."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _media_magic_ok(suffix, head):
        raise ValidationError({"file": f"“{name}” does not look like a {suffix} file."})
    return name, MEDIA_TYPES[suffix][1]


# --- helpers

def _notify(*, user: Any, kind: str, text: str, url: str, actor: Any = None) -> None:
    if user is None or not user.is_active:
        return
    try:
        from learnflow.notifications.services import notify
    except ImportError:
        from learnflow.account.services import notice_create

        notice_create(user=user, text=text, url=url)
    else:
        notify(user=user, kind=kind, text=text, url=url, actor=actor)


def _reader(user: Any) -> None:
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied("Sign in first.")


def _may_see(user: Any, resource: Resource) -> None:
    if not can_see_resource(user, resource):
        raise PermissionDenied("You cannot see this resource.")


def _may_edit(user: Any, resource: Resource) -> None:
    if not can_edit_resource(user, resource):
        raise PermissionDenied("Only the resource's author and curators can change it.")


def _check_choice(value: str, choices: Sequence[str], field: str) -> None:
    if value not in choices:
        raise ValidationError({field: f"“{value}” is not one of: {', '.join(choices)}."})


def _clean_url(url: str, field: str = "url") -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise ValidationError({field: "Enter a web address (http:// or https://)."}) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise ValidationError({field: "Enter a web address (http:// or https://)."})
    return url


def _topics(topics: Sequence[Topic | int]) -> list[Topic]:
    ids = [t.pk if isinstance(t, Topic) else int(t) for t in topics]
    if len(set(ids)) > MAX_TOPICS:
        raise ValidationError({"topics": f"Choose at most {MAX_TOPICS} topics."})
    found = {t.pk: t for t in Topic.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"topics": f"No topic with id {missing[0]}."})
    return [found[i] for i in dict.fromkeys(ids)]


def review_required_for(*, author: Any, topics: Sequence[Topic]) -> bool:
    """A resource waits for review when any of its topics asks for it, unless its author is a reviewer."""
    if author is not None and is_reviewer(author):
        return False
    return TopicReviewPolicy.objects.filter(topic__in=list(topics), review_required=True).exists()


def _publish_now(resource: Resource) -> None:
    resource.status = ResourceStatus.PUBLISHED
    resource.published_at = resource.published_at or timezone.now()


def _reviewers_notify(resource: Resource, actor: Any) -> None:
    from learnflow.org.models import Role, User

    for reviewer in User.objects.filter(is_active=True, role=Role.LND).exclude(pk=getattr(actor, "pk", None))[:20]:
        _notify(user=reviewer, kind="library_review", actor=actor, url=resource.get_absolute_url(),
                text=f"“{resource.title[:120]}” waits for your review.")


# --- resources

@transaction.atomic
def resource_create(*, author: Any, kind: str, title: str, summary: str = "", body: str = "", url: str = "",
                    site_name: str = "", image_url: str = "", topics: Sequence[Topic | int] = (),
                    curator_note: str = "", upload: UploadedFile | None = None, submit: bool = True) -> Resource:
    """Create a resource. `submit`: publish it now, or send it for review when a topic asks for that; otherwise
    keep it as the author's draft."""
    _reader(author)
    _check_choice(kind, ResourceKind.values, "kind")
    if len(body or "") > MAX_BODY_CHARS:
        raise ValidationError({"body": f"A page is limited to {MAX_BODY_CHARS:,} characters."})
    if upload is not None and kind not in (ResourceKind.VIDEO, ResourceKind.AUDIO, ResourceKind.DOCUMENT):
        raise ValidationError({"file": "Files go with videos, audio and documents."})
    chosen = _topics(topics)
    resource = Resource(kind=kind, title=(title or "").strip(), summary=(summary or "").strip(), body=body or "",
                        url=_clean_url(url), site_name=(site_name or "").strip()[:200],
                        image_url=_clean_url(image_url, "image_url"), author=author,
                        curator_note=(curator_note or "").strip())
    if kind == ResourceKind.LINK and resource.url and not resource.site_name:
        resource.site_name = page_metadata.site_from_url(resource.url)[:200]
    if submit:
        if review_required_for(author=author, topics=chosen):
            resource.status = ResourceStatus.IN_REVIEW
        else:
            _publish_now(resource)
    stored = None
    if upload is not None:
        name, content_type = upload_check(kind=kind, upload=upload)
        resource.file_name, resource.file_type, resource.file_size = name, content_type, upload.size
    resource.full_clean(exclude=["file"] if upload is not None else None)
    try:
        if upload is not None:
            resource.file.save(resource.file_name, upload, save=False)
            stored = resource.file.name
        resource.save()
        resource.topics.set(chosen)
        if resource.image_url:
            _image_schedule(resource)
        event_record(actor=author, verb="created", obj=resource, data={"kind": kind, "status": resource.status})
        if resource.status == ResourceStatus.IN_REVIEW:
            _reviewers_notify(resource, author)
    except Exception:
        # The database rolls back; a file on disk does not.
        if stored:
            resource.file.storage.delete(stored)
        raise
    return resource


def resource_create_from_url(*, author: Any, url: str, topics: Sequence[Topic | int] = (), title: str = "",
                             summary: str = "", curator_note: str = "", kind: str = ResourceKind.LINK,
                             submit: bool = True) -> Resource:
    """An external resource: the page's own title, description, site name and image fill what the person left
    blank. The page is fetched before any transaction starts (a slow site never holds a database lock)."""
    clean = _clean_url(url)
    if not clean:
        raise ValidationError({"url": "Enter the resource's web address."})
    _topics(topics)  # a wrong topic is reported before the network is used
    try:
        meta = page_metadata.metadata_fetch(clean)
    except page_metadata.fetcher.FetchError as exc:
        if not (title or "").strip():
            raise ValidationError({"url": f"The page could not be read ({exc.message}) Give it a title yourself."}) \
                from None
        meta = page_metadata.PageMetadata(url=clean, site_name=page_metadata.site_from_url(clean))
    return resource_create(author=author, kind=kind, title=(title or "").strip() or meta.title or clean[:300],
                           summary=(summary or "").strip() or meta.description, url=clean,
                           site_name=meta.site_name, image_url=meta.image_url, topics=topics,
                           curator_note=curator_note, submit=submit)


_EDITABLE = ("title", "summary", "body", "url", "site_name", "image_url", "curator_note", "kind")


@transaction.atomic
def resource_update(*, resource: Resource, actor: Any, topics: Sequence[Topic | int] | None = None,
                    upload: UploadedFile | None = None, **changes: Any) -> Resource:
    """Change a resource (its author or a curator). Unknown fields are refused, not ignored."""
    _may_edit(actor, resource)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This cannot be changed here."})
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    image_url_before = resource.image_url
    for name, value in changes.items():
        if value is None:
            continue
        if name == "kind":
            _check_choice(value, ResourceKind.values, "kind")
        if name in ("url", "image_url"):
            value = _clean_url(value, name)
        elif name == "body":
            if len(value) > MAX_BODY_CHARS:
                raise ValidationError({"body": f"A page is limited to {MAX_BODY_CHARS:,} characters."})
        else:
            value = (value or "").strip()
        setattr(resource, name, value)
    chosen = _topics(topics) if topics is not None else None
    old_file = resource.file.name if resource.file else ""
    if upload is not None:
        name, content_type = upload_check(kind=resource.kind, upload=upload)
        resource.file_name, resource.file_type, resource.file_size = name, content_type, upload.size
        resource.file = None
    resource.full_clean(exclude=["file"] if upload is not None else None)
    stored = None
    try:
        if upload is not None:
            resource.file.save(resource.file_name, upload, save=False)
            stored = resource.file.name
        resource.save()
        if chosen is not None:
            resource.topics.set(chosen)
        if resource.image_url != image_url_before:
            _image_schedule(resource)
        event_record(actor=actor, verb="edited", obj=resource, data={"fields": ",".join(sorted(changes))})
    except Exception:
        if stored:
            resource.file.storage.delete(stored)
        raise
    if stored and old_file and old_file != stored:
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return resource


def resource_metadata_refresh(*, resource: Resource, actor: Any) -> Resource:
    """Read the page again and take its title, description, site name and image (the curator edits after)."""
    _may_edit(actor, resource)
    if not resource.url:
        raise ValidationError({"url": "This resource has no web address to read."})
    try:
        meta = page_metadata.metadata_fetch(resource.url)
    except page_metadata.fetcher.FetchError as exc:
        raise ValidationError({"url": f"The page could not be read: {exc.message}"}) from None
    resource = resource_update(resource=resource, actor=actor, title=meta.title or None,
                               summary=meta.description or None, site_name=meta.site_name or None,
                               image_url=meta.image_url or None)
    state = resource.image_state if resource.image_url else None
    if resource.image_url and (state is None or state.status == ImageStatus.FAILED):
        with transaction.atomic():  # the same address that failed before: reading the page again retries it
            _image_schedule(resource)
    return resource


# --- the resource's picture (library.images checks it; the view applies the resource's visibility)

def _image_enqueue(resource_id: int, url: str) -> None:
    from learnflow.library.tasks import resource_image_fetch

    try:
        resource_image_fetch.enqueue(resource_id=resource_id, url=url)
    except Exception:  # noqa: BLE001 - a queue that is down must not undo the save; the curator can retry
        log.exception("Could not queue the image fetch of resource %s", resource_id)


def _image_schedule(resource: Resource) -> None:
    """In the caller's transaction: forget the stored picture and, when the resource has an image address, queue
    its fetch for after the commit (the task must see the row). The old file goes once the commit is done."""
    old = ResourceImage.objects.select_for_update().filter(resource=resource).first()
    old_files = old.stored_names() if old is not None else []
    url = resource.image_url
    if not url:
        if old is not None:
            old.delete()
    else:
        ResourceImage.objects.update_or_create(resource=resource, defaults={
            "source_url": url, "status": ImageStatus.PENDING, "note": "", "file": "", "thumb": "", "version": "",
            "content_type": "", "width": None, "height": None, "size": None, "fetched_at": None,
            "queued_at": timezone.now(), "attempts": 1})
        resource_id = resource.pk
        transaction.on_commit(lambda: _image_enqueue(resource_id, url))
    if old_files:
        storage = ResourceImage._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
    resource._state.fields_cache.pop("image", None)  # the next read sees the new state


def resource_image_store(*, resource_id: int, url: str) -> str:
    """The background task's work: fetch `url` (outside any transaction: a slow site holds no lock), check it, and
    keep it, or keep a short note of why not. A run for an address the resource no longer has changes nothing.
    Returns "ready", "failed" or "stale"."""
    waiting = ResourceImage.objects.filter(resource_id=resource_id, source_url=url,
                                           status=ImageStatus.PENDING).exists()
    if not waiting:
        return "stale"
    prepared, note = None, ""
    try:
        prepared = images.image_fetch(url)
    except page_metadata.fetcher.FetchError as exc:
        note = f"The image could not be fetched: {exc.message}"
    except images.ImageRefused as exc:
        note = f"The image was not used: {exc.message}"
    with transaction.atomic():
        row = (ResourceImage.objects.select_for_update().select_related("resource")
               .filter(resource_id=resource_id, source_url=url, status=ImageStatus.PENDING).first())
        if row is None or row.resource.image_url != url:
            return "stale"
        row.fetched_at = timezone.now()
        if prepared is None:
            row.status, row.note = ImageStatus.FAILED, note[:300]
            row.save()
            return "failed"
        row.version = secrets.token_hex(6)
        row.status, row.note, row.content_type = ImageStatus.READY, "", prepared.content_type
        row.width, row.height, row.size = prepared.width, prepared.height, len(prepared.content)
        try:
            row.file.save(f"image{prepared.suffix}", ContentFile(prepared.content), save=False)
            row.thumb.save(f"thumb{prepared.suffix}", ContentFile(prepared.thumb), save=False)
            row.save()
        except Exception:
            for name in row.stored_names():  # the database rolls back; files on disk do not
                row.file.storage.delete(name)
            raise
    return "ready"


# --- pictures of resources that never had one fetched (made before pictures were stored, or whose task was lost)

IMAGE_BACKFILL_BATCH = 50  # fetches queued per run of the recurring job
IMAGE_PENDING_STALE = dt.timedelta(hours=1)  # a fetch still pending after this was lost: queue it again
IMAGE_MAX_ATTEMPTS = 3  # then it is recorded as failed, and left alone until an editor asks again


@dataclasses.dataclass
class ImageBackfill:
    queued: list[int] = dataclasses.field(default_factory=list)  # resource ids whose fetch was queued (or run here)
    outcomes: dict[int, str] = dataclasses.field(default_factory=dict)  # inline: id -> ready, failed, stale, error
    given_up: list[int] = dataclasses.field(default_factory=list)  # pending too often without an answer: now failed
    in_flight: int = 0  # fetches already queued and not yet stale, left to run


def _images_missing_q(now: dt.datetime) -> Q:
    stale = now - IMAGE_PENDING_STALE
    return Q(image__isnull=True) | Q(image__status=ImageStatus.PENDING) & (
        Q(image__queued_at__isnull=True) | Q(image__queued_at__lt=stale))


def resources_without_image(*, now: dt.datetime | None = None) -> QuerySet[Resource]:
    """For maintenance (not a reader's query): resources with an image address but no picture stored, no failure
    recorded, and no fetch waiting that is still fresh. Newest published first: those are the ones people see."""
    now = now or timezone.now()
    return (Resource.objects.exclude(image_url="").filter(_images_missing_q(now))
            .order_by(F("published_at").desc(nulls_last=True), "-pk"))


def resource_images_backfill(*, limit: int = IMAGE_BACKFILL_BATCH, inline: bool = False,
                             now: dt.datetime | None = None) -> ImageBackfill:
    """Queue the picture fetch of at most `limit` resources that have an image address but no picture and no
    recorded failure — through the same task, safe fetcher, size and pixel checks as a fetch an editor asks for. The
    fetches already waiting count against `limit`, so a slow queue is not flooded. A fetch queued
    IMAGE_MAX_ATTEMPTS times without an answer is recorded as failed (its note says so) and never retried by this.
    `inline` (the command line): fetch here, one after another, instead of queueing; `limit` fetches, whatever
    waits in the queue."""
    now = now or timezone.now()
    result = ImageBackfill()
    result.in_flight = ResourceImage.objects.filter(status=ImageStatus.PENDING,
                                                    queued_at__gte=now - IMAGE_PENDING_STALE).count()
    room = max(limit, 0) if inline else max(limit - result.in_flight, 0)
    if not room:
        return result
    for resource_id, url in resources_without_image(now=now).values_list("pk", "image_url")[:room]:
        claimed = _image_claim(resource_id=resource_id, url=url, now=now)
        if claimed == "given_up":
            result.given_up.append(resource_id)
        elif claimed == "queued":
            result.queued.append(resource_id)
            if inline:
                try:
                    result.outcomes[resource_id] = resource_image_store(resource_id=resource_id, url=url)
                except Exception:  # noqa: BLE001 - one bad resource must not stop the run; it stays pending
                    log.exception("Could not store the picture of resource %s", resource_id)
                    result.outcomes[resource_id] = "error"
            else:
                transaction.on_commit(lambda rid=resource_id, u=url: _image_enqueue(rid, u))
    return result


@transaction.atomic
def _image_claim(*, resource_id: int, url: str, now: dt.datetime) -> str:
    """Mark one resource's picture as being fetched, unless another run (or an editor) got there first: the
    conditional writes decide, so two runs at once queue each fetch once. Returns queued, given_up or taken."""
    # The resource's row first, locked: deleted or given another address since it was selected, it is not ours.
    if not Resource.objects.select_for_update().filter(pk=resource_id, image_url=url).exists():
        return "taken"
    row = ResourceImage.objects.select_for_update().filter(resource_id=resource_id).first()
    if row is None:
        try:
            with transaction.atomic():
                ResourceImage.objects.create(resource_id=resource_id, source_url=url, status=ImageStatus.PENDING,
                                             queued_at=now, attempts=1)
        except IntegrityError:  # created by a concurrent run or an edit a moment ago
            return "taken"
        return "queued"
    stale = row.queued_at is None or row.queued_at < now - IMAGE_PENDING_STALE
    if row.status != ImageStatus.PENDING or not stale:
        return "taken"
    if row.source_url != url:  # the address was changed outside the services: this is a first try of the new one
        row.source_url, row.attempts = url, 0
    if row.attempts >= IMAGE_MAX_ATTEMPTS:
        row.status, row.fetched_at = ImageStatus.FAILED, now
        row.note = f"The image could not be fetched: no answer after {row.attempts} tries."
        row.save(update_fields=["status", "fetched_at", "note"])
        return "given_up"
    row.queued_at, row.attempts = now, row.attempts + 1
    row.save(update_fields=["source_url", "queued_at", "attempts"])
    return "queued"


@transaction.atomic
def resource_image_refetch(*, resource: Resource, actor: Any) -> Resource:
    """Fetch the picture again from the resource's image address (after a failure, or when the site changed it)."""
    _may_edit(actor, resource)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not resource.image_url:
        raise ValidationError({"image_url": "This resource has no image address."})
    _image_schedule(resource)
    return resource


@transaction.atomic
def resource_image_remove(*, resource: Resource, actor: Any) -> Resource:
    """Show no picture: the image address is cleared and the stored file deleted."""
    _may_edit(actor, resource)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    resource.image_url = ""
    resource.save(update_fields=["image_url", "updated_at"])
    _image_schedule(resource)
    event_record(actor=actor, verb="edited", obj=resource, data={"fields": "image_url"})
    return resource


@transaction.atomic
def resource_submit(*, resource: Resource, actor: Any) -> Resource:
    """The author sends a draft (or a returned resource) on: for review, or published when no review is needed."""
    if resource.author_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the author submits a resource.")
    if resource.status not in (ResourceStatus.DRAFT,):
        raise ValidationError({"status": f"This resource is {resource.get_status_display().lower()} already."})
    if review_required_for(author=actor, topics=list(resource.topics.all())):
        resource.status = ResourceStatus.IN_REVIEW
    else:
        _publish_now(resource)
    resource.full_clean()
    resource.save(update_fields=["status", "published_at", "updated_at"])
    event_record(actor=actor, verb="submitted", obj=resource, data={"status": resource.status})
    if resource.status == ResourceStatus.IN_REVIEW:
        _reviewers_notify(resource, actor)
    return resource


@transaction.atomic
def resource_review(*, resource: Resource, reviewer: Any, approve: bool, note: str = "") -> Resource:
    """Approve (publish) or return to the author with a note saying what to change."""
    if not is_reviewer(reviewer):
        raise PermissionDenied("Only L&D and admins review resources.")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status != ResourceStatus.IN_REVIEW:
        raise ValidationError({"status": "This resource is not waiting for review."})
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "Tell the author what to change."})
    if approve:
        _publish_now(resource)
    else:
        resource.status = ResourceStatus.DRAFT
    resource.review_note, resource.reviewed_by, resource.reviewed_at = note, reviewer, timezone.now()
    resource.save(update_fields=["status", "published_at", "review_note", "reviewed_by", "reviewed_at",
                                 "updated_at"])
    event_record(actor=reviewer, verb="approved" if approve else "returned", obj=resource)
    if resource.author_id and resource.author_id != reviewer.pk:
        text = (f"“{resource.title[:120]}” was approved and is published." if approve
                else f"“{resource.title[:120]}” came back from review: {note[:120]}")
        _notify(user=resource.author, kind="library_review", text=text, url=resource.get_absolute_url(),
                actor=reviewer)
    return resource


@transaction.atomic
def resource_archive(*, resource: Resource, actor: Any, archived: bool = True) -> Resource:
    """Archive (take out of the library, links keep working for author and curators) or bring back."""
    _may_edit(actor, resource)
    if archived:
        resource.status = ResourceStatus.ARCHIVED
    elif resource.status == ResourceStatus.ARCHIVED:
        _publish_now(resource)
    resource.save(update_fields=["status", "published_at", "updated_at"])
    event_record(actor=actor, verb="archived" if archived else "restored", obj=resource)
    return resource


def _html_to_text(fragment: str) -> str:
    """A feed item's (already sanitised) HTML summary as plain text."""
    import html

    import nh3

    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def resource_from_inbox_item(item: InboxItem) -> Resource | None:
    """Listener of curation.services.inbox_item_publish: the published item becomes a published link resource
    with the curator's note (or, when the link is in the library already, that resource gains the topic)."""
    existing = Resource.objects.filter(url=item.link).exclude(status=ResourceStatus.ARCHIVED).order_by("pk").first()
    if existing is not None:
        existing.topics.add(item.topic)
        if not existing.curator_note:
            existing.curator_note = item.note
            existing.save(update_fields=["curator_note", "updated_at"])
        return existing
    resource = Resource(kind=ResourceKind.LINK, title=(item.title or item.link)[:300],
                        summary=_html_to_text(item.summary)[:1000],
                        url=item.link[:2000], site_name=page_metadata.site_from_url(item.link)[:200],
                        author=item.decided_by, curator_note=item.note, status=ResourceStatus.PUBLISHED,
                        published_at=item.decided_at or timezone.now())
    resource.full_clean()
    resource.save()
    resource.topics.add(item.topic)
    if item.decided_by is not None:
        event_record(actor=item.decided_by, verb="curated", obj=resource, data={"inbox_item": str(item.pk)})
    return resource


# --- what a person did with a resource (private to them)

def resource_open(*, resource: Resource, viewer: Any) -> bool:
    """Opening a resource page: an "experienced" statement in the viewer's record, once per resource and day.
    Returns whether this was the first opening today."""
    from learnflow.journal.services import today_for

    if not can_see_resource(viewer, resource):
        return False
    day = today_for(viewer)
    if ResourceView.objects.filter(user=viewer, resource=resource, day=day).exists():
        return False
    try:
        with transaction.atomic():
            ResourceView.objects.create(user=viewer, resource=resource, day=day)
            event_record(actor=viewer, verb="experienced", obj=resource)
    except IntegrityError:  # opened twice at the same moment (two tabs): one is enough
        return False
    return True


@transaction.atomic
def resource_complete(*, resource: Resource, viewer: Any) -> Completion:
    _may_see(viewer, resource)
    done = Completion.objects.filter(user=viewer, resource=resource).first()
    if done is not None:
        return done
    done = Completion.objects.create(user=viewer, resource=resource)
    event_record(actor=viewer, verb="completed", obj=resource)
    return done


# --- votes, comments, flags

def _recount(resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(useful_count=Vote.objects.filter(resource=resource).count())


@transaction.atomic
def vote_set(*, resource: Resource, user: Any, useful: bool = True) -> bool:
    """Say (or unsay) that a resource was useful. One vote per person: repeating changes nothing."""
    _may_see(user, resource)
    if resource.status != ResourceStatus.PUBLISHED:
        raise ValidationError({"resource": "Only published resources take votes."})
    if useful:
        _, created = Vote.objects.get_or_create(resource=resource, user=user)
        changed = created
    else:
        changed = Vote.objects.filter(resource=resource, user=user).delete()[0] > 0
    if changed:
        _recount(resource)
        event_record(actor=user, verb="voted" if useful else "unvoted", obj=resource)
    resource.useful_count = Vote.objects.filter(resource=resource).count()
    return changed


@transaction.atomic
def comment_add(*, resource: Resource, author: Any, body: str) -> Comment:
    _may_see(author, resource)
    if len(body or "") > MAX_COMMENT_CHARS:
        raise ValidationError({"body": f"A comment is limited to {MAX_COMMENT_CHARS:,} characters."})
    comment = Comment(resource=resource, author=author, body=body or "")
    comment.full_clean()
    comment.save()
    event_record(actor=author, verb="commented", obj=resource, data={"comment": str(comment.pk)})
    if resource.author_id and resource.author_id != author.pk:
        _notify(user=resource.author, kind="library_comment", actor=author,
                url=resource.get_absolute_url() + f"#comment-{comment.pk}",
                text=f"{author.display_name} commented on “{resource.title[:120]}”.")
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: Any) -> None:
    if comment.author_id != getattr(actor, "pk", None) and not is_reviewer(actor):
        raise PermissionDenied("Only the comment's author and curators remove comments.")
    comment.delete()


@transaction.atomic
def flag_raise(*, resource: Resource, user: Any, kind: str, note: str = "") -> Flag:
    """Mark a resource obsolete or needing an update; its owner hears of it at once (once per person and kind
    while the flag is open). A resource without an author (its author left) goes to the reviewers."""
    _may_see(user, resource)
    _check_choice(kind, FlagKind.values, "kind")
    note = (note or "").strip()
    if len(note) > 2_000:
        raise ValidationError({"note": "A note is limited to 2,000 characters."})
    open_flag = Flag.objects.filter(resource=resource, raised_by=user, kind=kind, resolved_at__isnull=True).first()
    if open_flag is not None:
        return open_flag
    flag = Flag(resource=resource, raised_by=user, kind=kind, note=note)
    flag.full_clean()
    flag.save()
    event_record(actor=user, verb="flagged", obj=resource, data={"kind": kind})
    what = "is obsolete" if kind == FlagKind.OBSOLETE else "needs an update"
    text = f"{user.display_name} says “{resource.title[:120]}” {what}" + (f": {note[:100]}" if note else ".")
    owner = resource.author if resource.author_id and resource.author.is_active else None
    if owner is not None:
        if owner.pk != user.pk:
            _notify(user=owner, kind="library_flag", text=text, url=resource.get_absolute_url(), actor=user)
    else:
        from learnflow.org.models import Role, User

        for reviewer in User.objects.filter(is_active=True, role=Role.LND).exclude(pk=user.pk)[:20]:
            _notify(user=reviewer, kind="library_flag", text=text, url=resource.get_absolute_url(), actor=user)
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, actor: Any) -> Flag:
    _may_edit(actor, flag.resource)
    if flag.resolved_at is None:
        flag.resolved_at, flag.resolved_by = timezone.now(), actor
        flag.save(update_fields=["resolved_at", "resolved_by"])
    return flag


# --- topics' review policy

@transaction.atomic
def topic_review_set(*, topic: Topic, actor: Any, review_required: bool) -> TopicReviewPolicy:
    if not is_reviewer(actor):
        raise PermissionDenied("Only L&D and admins decide which topics need review.")
    policy, _ = TopicReviewPolicy.objects.get_or_create(topic=topic)
    policy.review_required, policy.changed_by = bool(review_required), actor
    policy.save()
    return policy


# --- collections

@transaction.atomic
def collection_create(*, author: Any, title: str, description: str = "", topic: Topic | None = None,
                      resources: Sequence[Resource] = ()) -> Collection:
    _reader(author)
    collection = Collection(title=(title or "").strip(), description=(description or "").strip(), topic=topic,
                            author=author)
    if not collection.title:
        raise ValidationError({"title": "A collection needs a title."})
    collection.full_clean()
    collection.save()
    for resource in resources:
        collection_item_add(collection=collection, actor=author, resource=resource)
    event_record(actor=author, verb="created", obj=collection)
    return collection


@transaction.atomic
def collection_update(*, collection: Collection, actor: Any, title: str | None = None,
                      description: str | None = None) -> Collection:
    if not can_edit_collection(actor, collection):
        raise PermissionDenied("Only the collection's author and curators change it.")
    if title is not None:
        collection.title = title.strip()
        if not collection.title:
            raise ValidationError({"title": "A collection needs a title."})
    if description is not None:
        collection.description = description.strip()
    collection.full_clean()
    collection.save()
    return collection


@transaction.atomic
def collection_item_add(*, collection: Collection, actor: Any, resource: Resource, note: str = "") -> CollectionItem:
    if not can_edit_collection(actor, collection):
        raise PermissionDenied("Only the collection's author and curators change it.")
    _may_see(actor, resource)
    if collection.items.filter(resource=resource).exists():
        raise ValidationError({"resource": "This resource is in the collection already."})
    if collection.items.count() >= MAX_COLLECTION_ITEMS:
        raise ValidationError({"resource": f"A collection holds at most {MAX_COLLECTION_ITEMS} resources: keep "
                                           f"the pathway short."})
    last = collection.items.aggregate(m=Max("position"))["m"]
    item = CollectionItem(collection=collection, resource=resource, note=(note or "").strip()[:300],
                          position=0 if last is None else last + 1)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def collection_item_remove(*, item: CollectionItem, actor: Any) -> None:
    if not can_edit_collection(actor, item.collection):
        raise PermissionDenied("Only the collection's author and curators change it.")
    item.delete()


@transaction.atomic
def collection_item_move(*, item: CollectionItem, actor: Any, direction: str) -> None:
    if not can_edit_collection(actor, item.collection):
        raise PermissionDenied("Only the collection's author and curators change it.")
    _check_choice(direction, ("up", "down"), "direction")
    items = list(item.collection.items.order_by("position", "pk"))
    i = next(n for n, it in enumerate(items) if it.pk == item.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    for position, it in enumerate(items):
        if it.position != position:
            CollectionItem.objects.filter(pk=it.pk).update(position=position)
