from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from learnflow.curation import services
from learnflow.curation.models import FeedSource
from learnflow.curation.opml import OpmlError, opml_read

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="Security">
    <outline type="rss" text="OWASP" title="OWASP blog" xmlUrl="https://owasp.example/feed.xml"/>
    <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="https://loose.example/rss"/>
</body></opml>"""


def test_opml_lists_feeds_with_their_category():
    feeds = opml_read(OPML)
    assert [(f.url, f.title, f.category) for f in feeds] == [
        ("https://owasp.example/feed.xml", "OWASP blog", "Security"), ("javascript:alert(1)", "Bad", "Security"),
        ("https://loose.example/rss", "Loose", "")]


def test_opml_with_entity_declarations_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml><body/></opml>'
    with pytest.raises(OpmlError):
        opml_read(bomb)


def test_opml_with_an_external_entity_is_refused():
    xxe = b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml>&x;</opml>'
    with pytest.raises(OpmlError):
        opml_read(xxe)


@pytest.mark.parametrize("data", [b"", b"<opml", b"<rss version='2.0'/>", b"\xff\xfe"])
def test_what_is_not_opml_is_refused(data):
    with pytest.raises(OpmlError):
        opml_read(data)


def test_import_subscribes_the_topic_and_skips_what_it_cannot_use(org, topic):
    services.source_subscribe(actor=org.lena, topic=topic, url="https://loose.example/rss")
    result = services.sources_import_opml(actor=org.lena, topic=topic, data=OPML)
    assert ([s.url for s in result.added], result.already, result.invalid) == (
        ["https://owasp.example/feed.xml"], 1, ["javascript:alert(1)"])
    assert FeedSource.objects.get(url="https://owasp.example/feed.xml").title == "OWASP blog"


def test_import_of_a_broken_file_is_a_validation_error(org, topic):
    with pytest.raises(ValidationError):
        services.sources_import_opml(actor=org.lena, topic=topic, data=b"<nope")


def test_export_then_import_gives_the_same_subscriptions(org, topic):
    services.source_subscribe(actor=org.lena, topic=topic, url="https://a.example/feed?x=1&y=2",
                              title='Quotes "&" <more>')
    services.source_subscribe(actor=org.lena, topic=topic, url="https://b.example/rss")
    exported = services.sources_export_opml(viewer=org.lena, topic=topic)
    assert sorted((f.url, f.title, f.category) for f in opml_read(exported)) == [
        ("https://a.example/feed?x=1&y=2", 'Quotes "&" <more>', "Secure coding"),
        ("https://b.example/rss", "https://b.example/rss", "Secure coding")]
