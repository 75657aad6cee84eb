from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.curation import services
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus
from learnflow.curation.tests.conftest import rss
from learnflow.curation.tests.test_opml import OPML


@pytest.fixture
def item(topic):
    services.feed_ingest(topic=topic, data=rss(("Secure defaults", "https://example.org/secure")))
    return InboxItem.objects.get(topic=topic)


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["ann", "boss", "eve"])
def test_people_who_do_not_curate_get_403(client, org, topic, who):
    login(client, org.everyone[who])
    for url in (reverse("curation:index"), reverse("curation:inbox", args=[topic.slug]),
                reverse("curation:sources", args=[topic.slug]), reverse("curation:opml_export_all")):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, topic):
    response = client.get(reverse("curation:inbox", args=[topic.slug]))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("who", ["lena", "root"])
def test_curators_see_the_topic_index(client, org, topic, who):
    response = login(client, org.everyone[who]).get(reverse("curation:index"))
    assert response.status_code == 200 and b"Secure coding" in response.content


def test_a_curator_creates_a_topic(client, org):
    response = login(client, org.lena).post(reverse("curation:index"), {"name": "Data literacy"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_a_topic_form_error_is_shown_beside_the_field(client, org, topic):
    response = login(client, org.lena).post(reverse("curation:index"), {"name": "secure coding"})
    assert response.status_code == 400 and b"exists already" in response.content


def test_a_curator_subscribes_and_unsubscribes(client, org, topic):
    login(client, org.lena)
    client.post(reverse("curation:sources", args=[topic.slug]), {"url": "https://example.org/feed.xml"})
    source = FeedSource.objects.get(topic=topic)
    assert b"https://example.org/feed.xml" in client.get(reverse("curation:sources", args=[topic.slug])).content
    client.post(reverse("curation:source_remove", args=[topic.slug, source.pk]))
    assert not FeedSource.objects.filter(pk=source.pk).exists()


def test_a_bad_feed_address_keeps_what_was_typed(client, org, topic):
    response = login(client, org.lena).post(reverse("curation:sources", args=[topic.slug]),
                                            {"url": "ftp://x.example/f"})
    assert response.status_code == 400 and b"ftp://x.example/f" in response.content


def test_opml_import_and_export_pages(client, org, topic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, org.lena)
    response = client.post(reverse("curation:opml_import", args=[topic.slug]),
                           {"file": SimpleUploadedFile("subs.opml", OPML, "text/x-opml")})
    assert response.status_code == 302
    exported = client.get(reverse("curation:opml_export", args=[topic.slug]))
    assert exported["Content-Type"].startswith("text/x-opml") and b"https://owasp.example/feed.xml" in exported.content


def test_the_inbox_lists_new_items(client, org, item):
    response = login(client, org.lena).get(reverse("curation:inbox", args=[item.topic.slug]))
    assert b"Secure defaults" in response.content


def test_publishing_with_htmx_swaps_the_item_in_place(client, org, item):
    response = login(client, org.lena).post(reverse("curation:decide", args=[item.topic.slug, item.pk]),
                                            {"action": "publish", "note": "Our checklist follows it."},
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Our checklist follows it." in response.content
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.PUBLISHED


def test_publishing_without_a_note_shows_the_error(client, org, item):
    response = login(client, org.lena).post(reverse("curation:decide", args=[item.topic.slug, item.pk]),
                                            {"action": "publish", "note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and b"errorlist" in response.content
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.NEW


def test_dismissing_without_htmx_returns_to_the_inbox(client, org, item):
    response = login(client, org.lena).post(reverse("curation:decide", args=[item.topic.slug, item.pk]),
                                            {"action": "dismiss"})
    assert response.status_code == 302
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.DISMISSED


def test_a_member_cannot_publish_through_the_page(client, org, item):
    response = login(client, org.ann).post(reverse("curation:decide", args=[item.topic.slug, item.pk]),
                                           {"action": "publish", "note": "x"})
    assert response.status_code == 403


def test_item_summaries_are_shown_sanitised(client, org, topic):
    body = (b"<rss version='2.0'><channel><item><title>T</title><link>https://example.org/t</link>"
            b"<description>&lt;p&gt;ok&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>"
            b"</item></channel></rss>")
    services.feed_ingest(topic=topic, data=body)
    response = login(client, org.lena).get(reverse("curation:inbox", args=[topic.slug]))
    assert b"<p>ok</p>" in response.content and b"alert(1)" not in response.content
