from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnflow.curation import services
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus
from learnflow.curation.tests.conftest import rss


def test_ingest_adds_new_items_to_the_topic_inbox(topic):
    data = rss(("One", "https://example.org/1"), ("Two", "https://example.org/2"))
    result = services.feed_ingest(topic=topic, data=data)
    assert (result.items_taken, result.duplicates, result.error) == (2, 0, "")
    assert set(InboxItem.objects.filter(topic=topic).values_list("title", flat=True)) == {"One", "Two"}


def test_ingest_deduplicates_by_canonical_link(topic):
    services.feed_ingest(topic=topic, data=rss(("One", "https://example.org/1")))
    result = services.feed_ingest(topic=topic, data=rss(("One again", "HTTPS://EXAMPLE.org/1/?utm_source=rss#top")))
    assert (result.items_taken, result.duplicates) == (0, 1)
    assert InboxItem.objects.filter(topic=topic).count() == 1


def test_the_same_link_twice_in_one_feed_is_one_item(topic):
    data = rss(("A", "https://example.org/a"), ("A", "https://example.org/a/"))
    result = services.feed_ingest(topic=topic, data=data)
    assert (result.items_taken, result.duplicates) == (1, 1)


def test_the_same_item_may_wait_in_two_topics(org, topic):
    other = services.topic_create(actor=org.lena, name="Accessibility")
    services.feed_ingest(topic=topic, data=rss(("A", "https://example.org/a")))
    assert services.feed_ingest(topic=other, data=rss(("A", "https://example.org/a"))).items_taken == 1


def test_a_broken_document_is_an_ingest_error_not_an_exception(topic):
    result = services.feed_ingest(topic=topic, data=b"<html>nope</html>")
    assert result.items_taken == 0 and result.error


def test_only_curators_subscribe(org, topic):
    with pytest.raises(PermissionDenied):
        services.source_subscribe(actor=org.ann, topic=topic, url="https://example.org/feed")


def test_subscribing_twice_to_the_same_feed_is_refused(org, topic):
    services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/feed")
    with pytest.raises(ValidationError):
        services.source_subscribe(actor=org.root, topic=topic, url="https://example.org/feed")


def test_a_feed_address_must_be_http(org, topic):
    with pytest.raises(ValidationError):
        services.source_subscribe(actor=org.lena, topic=topic, url="file:///etc/passwd")


def test_a_new_subscription_is_due_at_once(org, topic):
    source = services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/feed")
    assert source.next_fetch_at <= timezone.now()


# --- fetching ---------------------------------------------------------------------------------------------------

@pytest.fixture
def served_source(org, topic, feed_server, settings):
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    body = rss(("Fetched", "https://example.org/fetched"), title="Served feed")

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return 200, {"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT",
                     "Content-Type": "application/rss+xml", "Content-Length": str(len(body))}, body

    feed_server.routes["/feed"] = conditional
    return services.source_subscribe(actor=org.lena, topic=topic, url=feed_server.url("/feed"))


def test_fetching_a_source_ingests_its_items_and_keeps_its_validators(served_source):
    outcome = services.source_fetch(source=served_source)
    served_source.refresh_from_db()
    assert outcome.ingest.items_taken == 1
    assert (served_source.etag, served_source.last_modified) == ('"v1"', "Mon, 02 Nov 2026 10:00:00 GMT")
    assert served_source.title == "Served feed"


def test_fetching_again_is_a_conditional_request(served_source, feed_server):
    services.source_fetch(source=served_source)
    outcome = services.source_fetch(source=served_source)
    assert outcome.not_modified
    assert feed_server.requests[1]["if-none-match"] == '"v1"'


def test_a_failing_source_backs_off_exponentially(org, topic):
    source = services.source_subscribe(actor=org.lena, topic=topic, url="http://127.0.0.1:9/feed")
    now = timezone.now()
    delays = []
    for _ in range(3):
        services.source_fetch(source=source, now=now)
        delays.append(source.next_fetch_at - now)
    assert source.failures == 3 and "loopback" in source.last_error
    assert delays[1] == 2 * delays[0] and delays[2] == 2 * delays[1]


def test_back_off_never_exceeds_a_day():
    assert services.backoff_delay(40) == dt.timedelta(hours=24)


def test_a_success_resets_the_failures(served_source):
    FeedSource.objects.filter(pk=served_source.pk).update(failures=4, last_error="x")
    served_source.refresh_from_db()
    services.source_fetch(source=served_source)
    assert (served_source.failures, served_source.last_error) == (0, "")


def test_only_due_enabled_sources_are_fetched(org, topic, served_source):
    later = services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/later")
    FeedSource.objects.filter(pk=later.pk).update(next_fetch_at=timezone.now() + dt.timedelta(hours=1))
    paused = services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/paused")
    FeedSource.objects.filter(pk=paused.pk).update(enabled=False)
    outcomes = services.sources_fetch_due()
    assert [o.source.pk for o in outcomes] == [served_source.pk]


def test_the_fetch_task_fetches_due_sources(served_source, settings):
    from learnflow.curation.tasks import feeds_fetch_due

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = feeds_fetch_due.enqueue()
    assert result.return_value == {"fetched": 1, "failed": 0, "not_modified": 0, "items": 1}


def test_the_fetch_task_queues_its_next_run_once(served_source, settings):
    from django_tasks_db.models import DBTaskResult

    from learnflow.curation.tasks import feeds_fetch_due

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    feeds_fetch_due.call()
    feeds_fetch_due.call()
    queued = DBTaskResult.objects.get(task_path="learnflow.curation.tasks.feeds_fetch_due")
    assert timezone.now() < queued.run_after <= timezone.now() + dt.timedelta(minutes=5)


def test_subscribing_queues_a_fetch_run(org, topic, django_capture_on_commit_callbacks, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/feed")
    assert DBTaskResult.objects.filter(task_path="learnflow.curation.tasks.feeds_fetch_due").count() == 1


# --- decisions --------------------------------------------------------------------------------------------------

@pytest.fixture
def item(topic):
    services.feed_ingest(topic=topic, data=rss(("Secure defaults", "https://example.org/secure")))
    return InboxItem.objects.get(topic=topic)


def test_publishing_records_the_note_and_the_curator(org, item):
    services.inbox_item_publish(item=item, curator=org.lena, note="Our checklist follows it.")
    item.refresh_from_db()
    assert (item.status, item.note, item.decided_by) == (InboxStatus.PUBLISHED, "Our checklist follows it.", org.lena)
    assert item.decided_at is not None


def test_publishing_needs_a_note(org, item):
    with pytest.raises(ValidationError):
        services.inbox_item_publish(item=item, curator=org.lena, note="  ")


def test_publishing_tells_the_listeners(org, item, monkeypatch):
    heard = []
    monkeypatch.setattr(services, "_published_listeners", [heard.append])
    services.inbox_item_publish(item=item, curator=org.lena, note="Worth it.")
    assert heard == [item]


def test_a_member_cannot_publish(org, item):
    with pytest.raises(PermissionDenied):
        services.inbox_item_publish(item=item, curator=org.ann, note="Mine now.")


def test_dismissing_takes_the_item_out_of_the_new_ones(org, item):
    services.inbox_item_dismiss(item=item, curator=org.root)
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.DISMISSED


def test_a_decided_item_cannot_be_decided_again(org, item):
    services.inbox_item_dismiss(item=item, curator=org.lena)
    with pytest.raises(ValidationError):
        services.inbox_item_publish(item=item, curator=org.lena, note="Changed my mind.")


def test_a_dismissed_item_does_not_come_back_when_the_feed_repeats_it(org, topic, item):
    services.inbox_item_dismiss(item=item, curator=org.lena)
    result = services.feed_ingest(topic=topic, data=rss(("Secure defaults", "https://example.org/secure")))
    assert result.items_taken == 0
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.DISMISSED


# --- topics -----------------------------------------------------------------------------------------------------

def test_topics_nest(org, topic):
    child = services.topic_create(actor=org.lena, name="Secrets handling", parent=topic)
    assert list(topic.children.all()) == [child]


def test_a_topic_cannot_be_inside_itself(org, topic):
    child = services.topic_create(actor=org.lena, name="Secrets handling", parent=topic)
    topic.parent = child
    with pytest.raises(ValidationError):
        topic.full_clean()


def test_topic_names_that_slugify_alike_get_distinct_slugs(org):
    first = services.topic_create(actor=org.lena, name="C++")
    second = services.topic_create(actor=org.lena, name="C")
    assert first.slug != second.slug


def test_control_characters_and_broken_unicode_never_reach_the_database(topic):
    data = ('{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a\\u0000b", '
            '"url": "https://example.org/n",'
            ' "title": "nul\\u0000 and \\ud800 surrogate", "content_html": "<p>x\\u0000y</p>",'
            ' "authors": [{"name": "\\u0007bell"}]}]}').encode()
    result = services.feed_ingest(topic=topic, data=data)
    stored = InboxItem.objects.get(topic=topic)
    assert result.items_taken == 1
    assert "\x00" not in stored.title + stored.summary + stored.guid and stored.author == "bell"
