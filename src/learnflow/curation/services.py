"""Every write of curation: topics, subscriptions, fetching and ingesting feeds, and the curator's decisions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learnflow.core.errors import NotFound
from learnflow.core.services import event_record
from learnflow.curation import fetcher
from learnflow.curation.feeds import FeedItem, ParsedFeed, feed_parse
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus, Topic

BACKOFF_MAX = dt.timedelta(hours=24)

# What happens when an item is published (the resource library registers here: `inbox_published_listener_add`).
_published_listeners: list[Callable[[InboxItem], None]] = []


def inbox_published_listener_add(listener: Callable[[InboxItem], None]) -> None:
    if listener not in _published_listeners:
        _published_listeners.append(listener)


def is_curator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_lnd)


def curator_required(user: Any) -> None:
    if not is_curator(user):
        raise PermissionDenied("Only L&D and admins curate topics.")


def fetch_interval() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "LEARNFLOW_FEED_INTERVAL_MINUTES", 60)))


def backoff_delay(failures: int) -> dt.timedelta:
    """Doubling from the normal interval with each failure in a row, never more than a day."""
    if failures <= 0:
        return fetch_interval()
    return min(fetch_interval() * (2 ** min(failures, 16)), BACKOFF_MAX)


# --- topics -----------------------------------------------------------------------------------------------------

def _free_slug(name: str) -> str:
    base = slugify(name)[:110] or "topic"
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def topic_create(*, actor: Any, name: str, parent: Topic | None = None, description: str = "") -> Topic:
    curator_required(actor)
    name = name.strip()
    if Topic.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A topic with this name exists already."})
    topic = Topic(name=name, slug=_free_slug(name), parent=parent, description=description.strip())
    topic.full_clean()
    topic.save()
    return topic


def topic_get_or_create(*, name: str) -> tuple[Topic, bool]:
    """For operator tools (the CLI): no actor, no permission check."""
    name = name.strip()
    topic = Topic.objects.filter(name__iexact=name).first() or Topic.objects.filter(slug=name).first()
    if topic is not None:
        return topic, False
    topic = Topic(name=name, slug=_free_slug(name))
    topic.full_clean()
    topic.save()
    return topic, True


# --- subscriptions ----------------------------------------------------------------------------------------------

def _clean_feed_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        raise ValidationError({"url": "Enter the feed's web address (http:// or https://)."})
    return url


@transaction.atomic
def source_subscribe(*, actor: Any, topic: Topic, url: str, title: str = "") -> FeedSource:
    """Subscribe `topic` to a feed. Nothing is fetched here: the feed is due at once for the background task."""
    curator_required(actor)
    url = _clean_feed_url(url)
    if FeedSource.objects.filter(topic=topic, url=url).exists():
        raise ValidationError({"url": "This topic is already subscribed to that feed."})
    source = FeedSource(topic=topic, url=url, title=title.strip()[:500], created_by=actor,
                        next_fetch_at=timezone.now())
    source.full_clean()
    source.save()
    transaction.on_commit(_fetch_kick)
    return source


def _fetch_kick() -> None:
    from learnflow.curation.tasks import feeds_fetch_kick

    feeds_fetch_kick()


@transaction.atomic
def source_update(*, actor: Any, source: FeedSource, topic: Topic | None = None, url: str | None = None,
                  title: str | None = None, enabled: bool | None = None) -> FeedSource:
    """Change a subscription: its feed address, title, whether it is fetched, or the topic it feeds (items already in
    the old topic's inbox stay there). A new address starts afresh: no validators, no failure count, due at once."""
    curator_required(actor)
    source = FeedSource.objects.select_for_update().filter(pk=source.pk).first()
    if source is None:
        raise NotFound("No such subscription.")
    changed: set[str] = set()
    if topic is not None and topic.pk != source.topic_id:
        source.topic, changed = topic, changed | {"topic"}
    if url is not None:
        url = _clean_feed_url(url)
        if url != source.url:
            source.url = url
            source.etag = source.last_modified = source.last_error = ""
            source.failures = 0
            source.next_fetch_at = timezone.now()
            changed |= {"url", "etag", "last_modified", "last_error", "failures", "next_fetch_at"}
    if title is not None and title.strip()[:500] != source.title:
        source.title, changed = title.strip()[:500], changed | {"title"}
    if enabled is not None and bool(enabled) != source.enabled:
        source.enabled, changed = bool(enabled), changed | {"enabled"}
        if source.enabled:
            source.next_fetch_at = timezone.now()  # paused for a while: due at once, not at its old time
            changed.add("next_fetch_at")
    if {"topic", "url"} & changed and FeedSource.objects.filter(topic=source.topic, url=source.url).exclude(
            pk=source.pk).exists():
        raise ValidationError({"url" if "url" in changed else "topic":
                               "This topic is already subscribed to that feed."})
    if not changed:
        return source
    source.full_clean()
    source.save(update_fields=sorted(changed))
    if source.enabled and "next_fetch_at" in changed:
        transaction.on_commit(_fetch_kick)
    return source


@transaction.atomic
def source_unsubscribe(*, actor: Any, source: FeedSource) -> None:
    """Items already in the inbox stay (they lose their source)."""
    curator_required(actor)
    source.delete()


@dataclass
class FetchOutcome:
    source: FeedSource
    not_modified: bool = False
    ingest: "IngestResult | None" = None
    error: str = ""


def source_fetch(*, source: FeedSource, now: dt.datetime | None = None) -> FetchOutcome:
    """Fetch one source through the safe fetcher (a conditional request), ingest what is new, and schedule the next
    fetch — further out after each failure in a row. Never raises for the source's own faults."""
    now = now or timezone.now()
    outcome = FetchOutcome(source=source)
    try:
        response = fetcher.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    except fetcher.FetchError as exc:
        outcome.error = exc.message
    else:
        if response.not_modified:
            outcome.not_modified = True
        else:
            outcome.ingest = feed_ingest(topic=source.topic, data=response.content, source=source,
                                         headers=response.headers, url=response.url)
            outcome.error = outcome.ingest.error
            if not outcome.error:
                source.etag = response.etag[:500]
                source.last_modified = response.last_modified[:100]
                if not source.title and outcome.ingest.feed_title:
                    source.title = outcome.ingest.feed_title[:500]
    source.last_fetched_at = now
    if outcome.error:
        source.failures += 1
        source.last_error = outcome.error[:500]
    else:
        source.failures = 0
        source.last_error = ""
    source.next_fetch_at = now + backoff_delay(source.failures)
    source.save(update_fields=["etag", "last_modified", "title", "last_fetched_at", "failures", "last_error",
                               "next_fetch_at"])
    return outcome


def source_fetch_queue(*, actor: Any, source: FeedSource) -> str:
    """A curator's "fetch it now": the fetch runs in the background task (a slow or hostile site never holds the
    curator's request), through the same safe fetcher and ingestion as the scheduled runs. Returns the task's id."""
    curator_required(actor)
    from learnflow.curation.tasks import feed_source_fetch

    return feed_source_fetch.enqueue(source_id=source.pk).id


def source_fetch_claimed(*, source_id: int, now: dt.datetime | None = None) -> FetchOutcome | None:
    """The queued "fetch it now": claim the source as `sources_fetch_due` does (so a scheduled run starting at the
    same moment does not fetch it a second time), then fetch it. None when it is gone or another run has it."""
    now = now or timezone.now()
    source = FeedSource.objects.select_related("topic").filter(pk=source_id).first()
    if source is None:
        return None
    claimed = FeedSource.objects.filter(pk=source.pk, next_fetch_at=source.next_fetch_at).update(
        next_fetch_at=now + fetch_interval())
    if not claimed:
        return None
    return source_fetch(source=source, now=now)


def sources_fetch_due(*, now: dt.datetime | None = None, limit: int = 100) -> list[FetchOutcome]:
    """Fetch every enabled source whose time has come (oldest first, at most `limit`). Each is claimed first (its
    next fetch moved out) so that two workers running this at once do not fetch the same feed twice."""
    now = now or timezone.now()
    outcomes = []
    due = list(FeedSource.objects.filter(enabled=True, next_fetch_at__lte=now)
               .select_related("topic").order_by("next_fetch_at")[:limit])
    for source in due:
        claimed = FeedSource.objects.filter(pk=source.pk, next_fetch_at=source.next_fetch_at).update(
            next_fetch_at=now + fetch_interval())
        if claimed:
            outcomes.append(source_fetch(source=source, now=now))
    return outcomes


# --- ingestion --------------------------------------------------------------------------------------------------

@dataclass
class IngestResult:
    items_taken: int = 0
    duplicates: int = 0
    error: str = ""
    skipped: int = 0  # entries without a web link
    feed_title: str = ""
    parsed: ParsedFeed | None = field(default=None, repr=False)


def feed_ingest(*, topic: Topic, data: bytes, source: FeedSource | None = None,
                headers: Mapping[str, str] | None = None, url: str = "") -> IngestResult:
    """The one path every feed document takes, fetched or local: parse (never raises), then add the items whose
    canonical link is new to the topic's inbox. `url` is where the document came from (relative links resolve
    against it); it defaults to the source's address."""
    parsed = feed_parse(data, url=url or (source.url if source else ""), headers=headers)
    result = IngestResult(error=parsed.error, skipped=parsed.skipped, feed_title=parsed.title, parsed=parsed)
    unique: dict[str, FeedItem] = {}
    for item in parsed.items:
        if item.canonical_link in unique:
            result.duplicates += 1
        else:
            unique[item.canonical_link] = item
    if not unique:
        return result
    with transaction.atomic():
        known = set(InboxItem.objects.filter(topic=topic, canonical_link__in=list(unique))
                    .values_list("canonical_link", flat=True))
        fresh = [InboxItem(topic=topic, source=source, title=item.title, link=item.link,
                           canonical_link=item.canonical_link, summary=item.summary, author=item.author,
                           guid=item.guid, published=item.published)
                 for link, item in unique.items() if link not in known]
        # ignore_conflicts: a concurrent ingest of the same item is a duplicate, not a failure.
        InboxItem.objects.bulk_create(fresh, ignore_conflicts=True)
    result.items_taken = len(fresh)
    result.duplicates += len(known)
    return result


# --- decisions --------------------------------------------------------------------------------------------------

def _decide(*, item: InboxItem, curator: Any, status: str, note: str = "") -> InboxItem:
    curator_required(curator)
    # The row's current status, locked: of two curators deciding the same item at once, the second is told.
    current = InboxItem.objects.select_for_update().filter(pk=item.pk).values_list("status", flat=True).first()
    if current is None:
        raise NotFound("No such item.")
    item.status = current
    if item.status != InboxStatus.NEW:
        raise ValidationError({"status": f"This item was already {item.get_status_display().lower()}."})
    item.status = status
    item.note = note.strip()
    item.decided_by = curator
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return item


@transaction.atomic
def inbox_item_publish(*, item: InboxItem, curator: Any, note: str) -> InboxItem:
    """Publish an item with the curator's note on why it matters. Listeners (the resource library, the knowledge
    flow) act on it in the same transaction."""
    if not note.strip():
        raise ValidationError({"note": "Say in a sentence why this matters."})
    item = _decide(item=item, curator=curator, status=InboxStatus.PUBLISHED, note=note)
    event_record(actor=curator, verb="published", obj=item, data={"topic": item.topic_id})
    for listener in _published_listeners:
        listener(item)
    return item


@transaction.atomic
def inbox_item_dismiss(*, item: InboxItem, curator: Any) -> InboxItem:
    return _decide(item=item, curator=curator, status=InboxStatus.DISMISSED)


# --- OPML -------------------------------------------------------------------------------------------------------

@dataclass
class OpmlImportResult:
    added: list[FeedSource] = field(default_factory=list)
    already: int = 0
    invalid: list[str] = field(default_factory=list)  # the addresses left out
    problems: list[str] = field(default_factory=list)  # one sentence per outline left out, naming it


def _outline_name(feed: Any) -> str:
    where = f"line {feed.line}" if getattr(feed, "line", 0) else "an outline"
    label = f" (“{feed.title[:80]}”)" if feed.title else ""
    return f"Outline at {where}{label}"


@transaction.atomic
def sources_import_opml(*, actor: Any, topic: Topic, data: bytes, skip_invalid: bool = True) -> OpmlImportResult:
    """Subscribe `topic` to every feed an OPML file lists; feeds already subscribed are counted, not errors. A file
    that is not OPML raises ValidationError. Outlines whose address is not a web address are left out and named
    (`skip_invalid`, the page) or refuse the whole file, each named, with nothing subscribed (the API)."""
    from learnflow.curation.opml import OpmlError, opml_read

    curator_required(actor)
    try:
        feeds = opml_read(data)
    except OpmlError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    result = OpmlImportResult()
    existing = set(FeedSource.objects.filter(topic=topic).values_list("url", flat=True))
    fresh: list[FeedSource] = []
    for feed in feeds:
        try:
            url = _clean_feed_url(feed.url)
            if url in existing:
                result.already += 1
                continue
            source = FeedSource(topic=topic, url=url, title=feed.title[:500], created_by=actor,
                                next_fetch_at=timezone.now())
            source.full_clean()
        except ValidationError:
            result.invalid.append(feed.url[:200])
            result.problems.append(f"{_outline_name(feed)}: “{feed.url[:200]}” is not a feed's web address "
                                   f"(http:// or https://).")
            continue
        existing.add(url)
        fresh.append(source)
    if result.problems and not skip_invalid:
        raise ValidationError({"file": result.problems})
    for source in fresh:
        source.save()
        result.added.append(source)
    if result.added:
        transaction.on_commit(_fetch_kick)
    return result


def sources_export_opml(*, viewer: Any, topic: Topic | None = None) -> bytes:
    from learnflow.curation.opml import opml_write

    curator_required(viewer)
    topics = [topic] if topic is not None else list(Topic.objects.all())
    sources = FeedSource.objects.filter(topic__in=topics).order_by("title", "url")
    by_topic: dict[int, list[tuple[str, str]]] = {t.pk: [] for t in topics}
    for source in sources:
        by_topic[source.topic_id].append((source.url, source.title))
    title = f"Learnflow subscriptions: {topic.name}" if topic else "Learnflow subscriptions"
    return opml_write(title=title, groups=[(t.name, by_topic[t.pk]) for t in topics if by_topic[t.pk] or topic])
