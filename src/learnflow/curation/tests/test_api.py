"""/api/curation: the curation pages' rule for who may do what (L&D and admins; everyone else 403, no token 401),
the same services behind it, and every bad input a 4xx naming the field with nothing written."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learnflow.curation import services
from learnflow.curation.models import FeedSource, InboxItem, InboxStatus
from learnflow.curation.opml import opml_read
from learnflow.curation.tests.conftest import rss
from learnflow.curation.tests.test_opml import OPML

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json"}

GOOD_OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="Security">
    <outline type="rss" text="OWASP" title="OWASP blog" xmlUrl="https://owasp.example/feed.xml"/>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/rss?a=1&amp;b=2"/>
  </outline>
</body></opml>"""


@pytest.fixture
def source(org, topic):
    return services.source_subscribe(actor=org.lena, topic=topic, url="https://example.org/feed.xml",
                                     title="Example")


@pytest.fixture
def item(topic, source):
    services.feed_ingest(topic=topic, data=rss(("Secure defaults", "https://example.org/secure")), source=source)
    return InboxItem.objects.get(topic=topic)


@pytest.fixture
def tasks_now(settings):
    """Tasks run as soon as they are queued (the fetch happens inside the request, as a worker would run it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _every_operation(topic, source, item):
    t, s, i = topic.slug, source.pk, item.pk
    return [
        ("get", "/api/curation/topics", None),
        ("post", "/api/curation/topics", {"name": "Data literacy"}),
        ("get", f"/api/curation/topics/{t}", None),
        ("get", f"/api/curation/topics/{t}/sources", None),
        ("post", f"/api/curation/topics/{t}/sources", {"url": "https://other.example/rss"}),
        ("get", f"/api/curation/topics/{t}/sources/{s}", None),
        ("patch", f"/api/curation/topics/{t}/sources/{s}", {"title": "Renamed"}),
        ("post", f"/api/curation/topics/{t}/sources/{s}/fetch", None),
        ("get", f"/api/curation/topics/{t}/opml", None),
        ("get", "/api/curation/opml", None),
        ("get", f"/api/curation/topics/{t}/inbox", None),
        ("get", f"/api/curation/topics/{t}/inbox/{i}", None),
        ("post", f"/api/curation/topics/{t}/inbox/{i}/publish", {"note": "Our checklist follows it."}),
        ("delete", f"/api/curation/topics/{t}/sources/{s}", None),
    ]


def _call(client, method, path, body=None, **extra):
    if body is None:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(path, body, **JSON, **extra)


# --- who may do what ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["ann", "boss", "eve"])
def test_members_and_managers_are_refused_every_operation_and_nothing_changes(client, org, token_for, topic,
                                                                             source, item, who):
    auth = token_for(org.everyone[who])
    for method, path, body in _every_operation(topic, source, item):
        response = _call(client, method, path, body, **auth)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json()["detail"] == "Only L&D and admins curate topics."
    import_ = client.post(f"/api/curation/topics/{topic.slug}/opml", GOOD_OPML, content_type="text/x-opml", **auth)
    dismiss = client.post(f"/api/curation/topics/{topic.slug}/inbox/{item.pk}/dismiss", **auth)
    assert (import_.status_code, dismiss.status_code) == (403, 403)
    assert FeedSource.objects.get().title == "Example" and InboxItem.objects.get().status == InboxStatus.NEW


@pytest.mark.parametrize("who", ["ann", "tim", "boss", "sam", "eve", "lena", "root", "superuser-member"])
def test_the_api_lets_in_exactly_whom_the_curation_pages_let_in(client, org, token_for, topic, item, who):
    from django.test import Client
    from django.urls import reverse

    person = org.everyone.get(who) or org.ann
    if who == "superuser-member":  # a Django superuser whose role is member: curating follows the role
        person.is_superuser = True
        person.save()
    browser = Client()
    browser.force_login(person)
    pages = [browser.get(reverse("curation:inbox", args=[topic.slug])).status_code,
             browser.get(reverse("curation:sources", args=[topic.slug])).status_code]
    auth = token_for(person)
    api = [client.get(f"/api/curation/topics/{topic.slug}/inbox", **auth).status_code,
           client.get(f"/api/curation/topics/{topic.slug}/sources", **auth).status_code]
    assert pages == api and set(api) == ({200} if who in ("lena", "root") else {403})


def test_a_non_curator_hears_403_before_any_input_is_read(client, org, token_for):
    # As on the pages: not "this topic does not exist", not "this field is wrong".
    auth = token_for(org.ann)
    assert client.get("/api/curation/topics/no-such-topic/inbox", **auth).status_code == 403
    assert client.post("/api/curation/topics/x/sources", {"bogus": 1}, **JSON, **auth).status_code == 403


@pytest.mark.parametrize("who", ["lena", "root"])
def test_l_and_d_and_admins_may_do_everything(client, org, token_for, topic, source, item, who):
    auth = token_for(org.everyone[who])
    for method, path, body in _every_operation(topic, source, item):
        response = _call(client, method, path, body, **auth)
        assert response.status_code in (200, 201, 202, 204), (method, path, response.content)


def test_without_a_token_every_operation_is_401(client, topic, source, item):
    for method, path, body in _every_operation(topic, source, item):
        response = _call(client, method, path, body)
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/curation/topics", HTTP_AUTHORIZATION="Bearer lf_not-a-token").status_code == 401


def test_a_curator_who_left_is_refused(client, org, token_for):
    auth = token_for(org.lena)
    org.lena.is_active = False
    org.lena.save()
    assert client.get("/api/curation/topics", **auth).status_code == 401


def test_the_browser_session_follows_the_same_rule(client, org, topic):
    client.force_login(org.ann)
    assert client.get("/api/curation/topics").status_code == 403
    client.force_login(org.lena)
    assert [t["slug"] for t in client.get("/api/curation/topics").json()] == [topic.slug]


def test_what_does_not_exist_is_404_for_a_curator(client, org, token_for, topic, source, item):
    from learnflow.curation.services import topic_create

    other = topic_create(actor=org.lena, name="Data literacy")
    auth = token_for(org.lena)
    for path in ("/api/curation/topics/nope", "/api/curation/topics/nope/inbox",
                 f"/api/curation/topics/{topic.slug}/sources/999999",
                 f"/api/curation/topics/{other.slug}/sources/{source.pk}",  # it belongs to another topic
                 f"/api/curation/topics/{other.slug}/inbox/{item.pk}"):
        response = client.get(path, **auth)
        assert response.status_code == 404, path
        assert response.json()["detail"]


# --- topics and subscriptions -------------------------------------------------------------------------------------

def test_topics_are_listed_with_their_counts_and_created(client, org, token_for, topic, source, item):
    auth = token_for(org.lena)
    [listed] = client.get("/api/curation/topics", **auth).json()
    assert (listed["slug"], listed["new_items"], listed["source_count"]) == (topic.slug, 1, 1)
    created = client.post("/api/curation/topics", {"name": "Threat modelling", "parent": topic.slug,
                                                   "description": "STRIDE and friends"}, **JSON, **auth)
    assert created.status_code == 201, created.content
    assert (created.json()["slug"], created.json()["parent"]) == ("threat-modelling", topic.slug)


@pytest.mark.parametrize("payload, field, status", [
    ({"name": "secure coding"}, "name", 400),  # exists already, ignoring case
    ({"name": "X", "parent": "nope"}, "parent", 400),
    ({"name": ""}, "name", 422),
    ({"name": "X", "colour": "red"}, "colour", 422),
    ({"name": "X\x00"}, "name", 422),
])
def test_bad_topics_are_refused_naming_the_field(client, org, token_for, topic, payload, field, status):
    response = client.post("/api/curation/topics", payload, **JSON, **token_for(org.lena))
    assert response.status_code == status, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert [t.slug for t in type(topic).objects.all()] == [topic.slug]


def test_subscribe_list_change_and_unsubscribe(client, org, token_for, topic):
    auth = token_for(org.lena)
    base = f"/api/curation/topics/{topic.slug}/sources"
    created = client.post(base, {"url": "https://example.org/feed.xml", "title": "Example"}, **JSON, **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["url"], body["title"], body["enabled"], body["created_by"]) == (
        "https://example.org/feed.xml", "Example", True, "lena")
    pk = body["id"]
    assert [s["id"] for s in client.get(base, **auth).json()] == [pk]

    paused = client.patch(f"{base}/{pk}", {"enabled": False, "title": "Renamed"}, **JSON, **auth)
    assert paused.status_code == 200 and (paused.json()["enabled"], paused.json()["title"]) == (False, "Renamed")
    assert client.get(base, {"enabled": "true"}, **auth).json() == []
    assert [s["id"] for s in client.get(base, {"enabled": "false"}, **auth).json()] == [pk]

    FeedSource.objects.filter(pk=pk).update(failures=3, last_error="The server answered 500.", etag='"x"')
    moved = client.patch(f"{base}/{pk}", {"url": "https://example.org/atom.xml"}, **JSON, **auth).json()
    assert (moved["url"], moved["failures"], moved["last_error"]) == ("https://example.org/atom.xml", 0, "")
    assert FeedSource.objects.get(pk=pk).etag == ""

    assert client.delete(f"{base}/{pk}", **auth).status_code == 204
    assert not FeedSource.objects.filter(pk=pk).exists()
    assert client.delete(f"{base}/{pk}", **auth).status_code == 404


def test_a_subscription_moves_to_another_topic(client, org, token_for, topic, source, item):
    other = services.topic_create(actor=org.lena, name="Data literacy")
    response = client.patch(f"/api/curation/topics/{topic.slug}/sources/{source.pk}", {"topic": other.slug},
                            **JSON, **token_for(org.lena))
    assert response.status_code == 200 and response.json()["topic"] == other.slug
    assert InboxItem.objects.get(pk=item.pk).topic == topic  # what arrived stays where it arrived


@pytest.mark.parametrize("payload, field, status", [
    ({"url": "ftp://files.example/feed"}, "url", 400),
    ({"url": "javascript:alert(1)"}, "url", 400),
    ({"url": "https://"}, "url", 400),
    ({"url": "https://exa mple.org/feed"}, "url", 400),
    ({"url": "https://example.org/feed.xml"}, "url", 400),  # subscribed already
    ({"url": "https://example.org/" + "a" * 2000}, "url", 422),
    ({"url": "https://example.org/\x00"}, "url", 422),
    ({}, "url", 422),
    ({"url": "https://example.org/2", "enabled": False}, "enabled", 422),  # not a field of a new subscription
    ({"url": "https://example.org/2", "title": ["a"]}, "title", 422),
])
def test_bad_subscriptions_are_refused_naming_the_field(client, org, token_for, topic, source, payload, field,
                                                        status):
    response = client.post(f"/api/curation/topics/{topic.slug}/sources", payload, **JSON, **token_for(org.lena))
    assert response.status_code == status, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert list(FeedSource.objects.values_list("url", flat=True)) == ["https://example.org/feed.xml"]


@pytest.mark.parametrize("payload, field, status", [
    ({"url": "file:///etc/passwd"}, "url", 400),
    ({"url": None}, "url", 400),
    ({"enabled": None}, "enabled", 400),
    ({"enabled": "sometimes"}, "enabled", 422),
    ({"topic": "nope"}, "topic", 400),
    ({"topic": ""}, "topic", 400),
    ({"title": "Fine", "colour": "red"}, "colour", 422),
])
def test_bad_changes_are_refused_and_change_nothing(client, org, token_for, topic, source, payload, field, status):
    response = client.patch(f"/api/curation/topics/{topic.slug}/sources/{source.pk}", payload, **JSON,
                            **token_for(org.lena))
    assert response.status_code == status, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    source.refresh_from_db()
    assert (source.url, source.title, source.enabled) == ("https://example.org/feed.xml", "Example", True)


def test_moving_onto_a_feed_the_topic_has_already_is_refused(client, org, token_for, topic, source):
    other = services.topic_create(actor=org.lena, name="Data literacy")
    services.source_subscribe(actor=org.lena, topic=other, url=source.url)
    response = client.patch(f"/api/curation/topics/{topic.slug}/sources/{source.pk}",
                            {"topic": other.slug, "title": "Moved"}, **JSON, **token_for(org.lena))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "topic"
    source.refresh_from_db()
    assert (source.topic, source.title) == (topic, "Example")


@pytest.mark.parametrize("path", ["/api/curation/topics/x/sources/99999999999999999999999",
                                  "/api/curation/topics/x/inbox/99999999999999999999999"])
def test_an_id_no_column_holds_is_refused_not_a_500(client, org, token_for, path):
    response = client.get(path, **token_for(org.lena))
    assert response.status_code in (404, 422), response.content


# --- fetching now -------------------------------------------------------------------------------------------------

def test_fetch_now_queues_the_task(client, org, token_for, topic, source):
    from django_tasks_db.models import DBTaskResult

    response = client.post(f"/api/curation/topics/{topic.slug}/sources/{source.pk}/fetch", **token_for(org.lena))
    assert response.status_code == 202, response.content
    queued = DBTaskResult.objects.get(pk=response.json()["task_id"])
    assert queued.task_path == "learnflow.curation.tasks.feed_source_fetch" and queued.status == "READY"
    assert queued.args_kwargs["kwargs"] == {"source_id": source.pk}


def test_fetch_now_ingests_the_feed_through_the_safe_fetcher(client, org, token_for, topic, feed_server, settings,
                                                             tasks_now):
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    body = rss(("Threat modelling", "https://example.org/tm"), title="Served feed")
    feed_server.routes["/feed"] = lambda h: (200, {"Content-Type": "application/rss+xml"}, body)
    auth = token_for(org.lena)
    created = client.post(f"/api/curation/topics/{topic.slug}/sources", {"url": feed_server.url("/feed")}, **JSON,
                          **auth).json()
    response = client.post(f"/api/curation/topics/{topic.slug}/sources/{created['id']}/fetch", **auth)
    assert response.status_code == 202
    fetched = client.get(f"/api/curation/topics/{topic.slug}/sources/{created['id']}", **auth).json()
    assert fetched["last_fetched_at"] and fetched["last_error"] == "" and fetched["title"] == "Served feed"
    inbox = client.get(f"/api/curation/topics/{topic.slug}/inbox", **auth).json()
    assert [i["title"] for i in inbox["items"]] == ["Threat modelling"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/feed", "http://169.254.169.254/latest/meta-data/",
                                 "http://10.0.0.7/feed", "http://[::1]:{port}/feed"])
def test_fetch_now_still_refuses_internal_addresses(client, org, token_for, topic, feed_server, tasks_now, url):
    feed_server.routes["/feed"] = lambda h: (200, {"Content-Type": "application/rss+xml"}, rss(("x", "https://e.x/")))
    auth = token_for(org.lena)
    created = client.post(f"/api/curation/topics/{topic.slug}/sources", {"url": url.format(port=feed_server.port)},
                          **JSON, **auth)
    assert created.status_code == 201  # an address is checked when it is fetched: DNS can change in between
    pk = created.json()["id"]
    assert client.post(f"/api/curation/topics/{topic.slug}/sources/{pk}/fetch", **auth).status_code == 202
    source = client.get(f"/api/curation/topics/{topic.slug}/sources/{pk}", **auth).json()
    assert "Refused to connect" in source["last_error"] and source["failures"] == 1
    assert feed_server.requests == [] and not InboxItem.objects.exists()


# --- OPML ---------------------------------------------------------------------------------------------------------

def test_opml_round_trip_through_the_api(client, org, token_for, topic):
    auth = token_for(org.lena)
    imported = client.post(f"/api/curation/topics/{topic.slug}/opml", GOOD_OPML, content_type="text/x-opml", **auth)
    assert imported.status_code == 201, imported.content
    assert sorted(s["url"] for s in imported.json()["added"]) == [
        "https://loose.example/rss?a=1&b=2", "https://owasp.example/feed.xml"]
    again = client.post(f"/api/curation/topics/{topic.slug}/opml", GOOD_OPML, content_type="application/xml",
                        **auth)
    assert again.status_code == 201 and (again.json()["added"], again.json()["already"]) == ([], 2)

    exported = client.get(f"/api/curation/topics/{topic.slug}/opml", **auth)
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/x-opml")
    assert exported["Content-Disposition"] == f'attachment; filename="{topic.slug}-subscriptions.opml"'
    other = services.topic_create(actor=org.lena, name="Data literacy")
    uploaded = client.post(f"/api/curation/topics/{other.slug}/opml",
                           {"file": SimpleUploadedFile("subs.opml", exported.content, "text/x-opml")}, **auth)
    assert uploaded.status_code == 201, uploaded.content
    assert {(s.url, s.title) for s in FeedSource.objects.filter(topic=other)} == {
        (s.url, s.title) for s in FeedSource.objects.filter(topic=topic)}

    everything = client.get("/api/curation/opml", **auth)
    assert everything["Content-Type"].startswith("text/x-opml")
    assert sorted({f.category for f in opml_read(everything.content)}) == ["Data literacy", "Secure coding"]


def test_an_opml_file_with_bad_outlines_subscribes_nothing_and_names_each(client, org, token_for, topic):
    data = OPML.replace(b'<outline type="rss" text="Loose"',
                        b'<outline type="rss" text="Gopher" xmlUrl="gopher://old.example/"/>\n  '
                        b'<outline type="rss" text="Loose"')
    response = client.post(f"/api/curation/topics/{topic.slug}/opml", data, content_type="text/x-opml",
                           **token_for(org.lena))
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["file", "file"]
    assert "line 5" in errors[0]["message"] and "javascript:alert(1)" in errors[0]["message"]
    assert "line 7" in errors[1]["message"] and "“Gopher”" in errors[1]["message"]
    assert not FeedSource.objects.exists()


@pytest.mark.parametrize("data, words", [
    (b"<nope", "not well-formed"),
    (b"<rss version='2.0'/>", "Not an OPML"),
    (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "DOCTYPE"),
    (b"<opml><body>" + b"<!--" + b"x" * (2 * 1024 * 1024) + b"--></body></opml>", "larger than 2 MB"),
])
def test_what_is_not_a_usable_opml_file_is_a_400_on_the_file(client, org, token_for, topic, data, words):
    response = client.post(f"/api/curation/topics/{topic.slug}/opml", data, content_type="text/x-opml",
                           **token_for(org.lena))
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "file" and words in response.json()["detail"]


def test_opml_upload_mistakes_are_named(client, org, token_for, topic):
    auth = token_for(org.lena)
    url = f"/api/curation/topics/{topic.slug}/opml"
    empty = client.post(url, b"", content_type="text/x-opml", **auth)
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "file"
    as_json = client.post(url, {"opml": "<opml/>"}, **JSON, **auth)
    assert as_json.status_code == 415 and "multipart" in as_json.json()["detail"]
    wrong_field = client.post(url, {"upload": SimpleUploadedFile("s.opml", GOOD_OPML)}, **auth)
    assert wrong_field.status_code == 422 and wrong_field.json()["errors"][0]["field"] == "upload"
    extra = client.post(url, {"file": SimpleUploadedFile("s.opml", GOOD_OPML), "dry_run": "1"}, **auth)
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "dry_run"
    assert not FeedSource.objects.exists()


# --- the inbox ----------------------------------------------------------------------------------------------------

def _ingest(topic, source, n):
    services.feed_ingest(topic=topic, source=source,
                         data=rss(*[(f"Item {k}", f"https://example.org/{k}") for k in range(n)]))


def test_the_inbox_is_paged_and_filtered_by_status(client, org, token_for, topic, source):
    _ingest(topic, source, 5)
    auth = token_for(org.lena)
    url = f"/api/curation/topics/{topic.slug}/inbox"
    first = client.get(url, {"limit": 2}, **auth).json()
    second = client.get(url, {"limit": 2, "offset": 2}, **auth).json()
    third = client.get(url, {"limit": 2, "offset": 4}, **auth).json()
    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert len(ids) == len(set(ids)) == 5 and first["count"] == 5 and len(third["items"]) == 1
    one, two = first["items"]
    client.post(f"{url}/{one['id']}/publish", {"note": "Worth reading."}, **JSON, **auth)
    client.post(f"{url}/{two['id']}/dismiss", **auth)
    published = client.get(url, {"status": "published"}, **auth).json()
    assert [i["id"] for i in published["items"]] == [one["id"]]
    assert published["items"][0]["note"] == "Worth reading." and published["items"][0]["decided_by"] == "lena"
    assert published["counts"] == {"new": 3, "published": 1, "dismissed": 1}
    dismissed = client.get(url, {"status": "dismissed"}, **auth).json()
    assert [i["id"] for i in dismissed["items"]] == [two["id"]] and dismissed["items"][0]["status"] == "dismissed"


def test_lists_read_without_a_query_per_row(client, org, token_for, topic, source):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    auth = token_for(org.lena)
    client.get("/api/curation/topics", **auth)  # the token's first use is written down once: not part of the lists
    counts = []
    for n in (2, 8):
        _ingest(topic, source, n)
        services.source_subscribe(actor=org.lena, topic=topic, url=f"https://example.org/more-{n}.xml")
        for item in InboxItem.objects.filter(status=InboxStatus.NEW)[:1]:
            services.inbox_item_dismiss(item=item, curator=org.lena)
        with CaptureQueriesContext(connection) as captured:
            for path, params in (("inbox", {}), ("inbox", {"status": "dismissed"}), ("sources", {})):
                assert client.get(f"/api/curation/topics/{topic.slug}/{path}", params, **auth).status_code == 200
            assert client.get("/api/curation/topics", **auth).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("params, field", [
    ({"status": "archived"}, "status"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
    ({"offset": -1}, "offset"), ({"limit": "many"}, "limit"), ({"sort": "title"}, "sort"),
    ({"offset": 10 ** 30}, "offset"),
])
def test_bad_inbox_queries_are_refused_naming_the_parameter(client, org, token_for, topic, params, field):
    response = client.get(f"/api/curation/topics/{topic.slug}/inbox", params, **token_for(org.lena))
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]


def test_publishing_puts_the_resource_in_the_library_and_in_a_followers_flow(client, org, token_for, topic, item):
    from learnflow.flow.services import follow_add

    follow_add(user=org.ann, topic=topic)
    response = client.post(f"/api/curation/topics/{topic.slug}/inbox/{item.pk}/publish",
                           {"note": "Our checklist follows it."}, **JSON, **token_for(org.lena))
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["note"]) == ("published", "Our checklist follows it.")

    library = client.get("/api/library", {"topic": topic.slug}, **token_for(org.eve)).json()
    [resource] = library["items"]
    assert (resource["kind"], resource["title"], resource["url"], resource["status"], resource["curator_note"]) == (
        "link", "Secure defaults", "https://example.org/secure", "published", "Our checklist follows it.")
    flow = client.get("/api/flow", **token_for(org.ann)).json()
    assert [(i["title"], i["note"]) for i in flow] == [("Secure defaults", "Our checklist follows it.")]
    assert client.get("/api/flow", **token_for(org.eve)).json() == []  # eve follows nothing


def test_a_link_already_in_the_library_gains_the_topic_instead_of_a_copy(client, org, token_for, topic, item):
    from learnflow.library.models import Resource
    from learnflow.library.services import resource_create

    resource_create(author=org.ann, kind="link", title="Secure defaults", url="https://example.org/secure")
    client.post(f"/api/curation/topics/{topic.slug}/inbox/{item.pk}/publish", {"note": "Yes."}, **JSON,
                **token_for(org.lena))
    [resource] = Resource.objects.all()
    assert list(resource.topics.all()) == [topic]


def test_publishing_in_a_reviewed_topic_gives_what_the_page_gives(client, org, token_for, topic, source):
    from django.test import Client
    from django.urls import reverse

    from learnflow.library.models import Resource
    from learnflow.library.services import topic_review_set

    topic_review_set(topic=topic, actor=org.lena, review_required=True)
    _ingest(topic, source, 2)
    by_page, by_api = InboxItem.objects.order_by("pk")
    browser = Client()
    browser.force_login(org.lena)
    browser.post(reverse("curation:decide", args=[topic.slug, by_page.pk]), {"action": "publish", "note": "Page."})
    client.post(f"/api/curation/topics/{topic.slug}/inbox/{by_api.pk}/publish", {"note": "API."}, **JSON,
                **token_for(org.lena))
    made = {r.url: (r.kind, r.status, list(r.topics.all()), r.author) for r in Resource.objects.all()}
    assert made[by_page.link][:3] == made[by_api.link][:3] and made[by_api.link][3] == org.lena


def test_the_same_article_arriving_twice_is_one_item(client, org, token_for, topic, source, item):
    services.feed_ingest(topic=topic, source=source,
                         data=rss(("Secure defaults again", "https://EXAMPLE.org/secure/?utm_source=x")))
    inbox = client.get(f"/api/curation/topics/{topic.slug}/inbox", **token_for(org.lena)).json()
    assert [i["id"] for i in inbox["items"]] == [item.pk] and inbox["items"][0]["canonical_link"] == (
        "https://example.org/secure")


@pytest.mark.parametrize("payload, field, status", [
    ({"note": "   "}, "note", 400), ({}, "note", 422), ({"note": "x" * 2001}, "note", 422),
    ({"note": "Fine.", "pin": True}, "pin", 422), ({"note": "a\x00b"}, "note", 422),
])
def test_publishing_needs_a_note_and_nothing_else(client, org, token_for, topic, item, payload, field, status):
    response = client.post(f"/api/curation/topics/{topic.slug}/inbox/{item.pk}/publish", payload, **JSON,
                           **token_for(org.lena))
    assert response.status_code == status, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.NEW


def test_an_item_is_decided_once(client, org, token_for, topic, item):
    from learnflow.library.models import Resource

    url = f"/api/curation/topics/{topic.slug}/inbox/{item.pk}"
    assert client.post(f"{url}/publish", {"note": "Yes."}, **JSON, **token_for(org.lena)).status_code == 200
    for action, body in (("publish", {"note": "Again."}), ("dismiss", None)):
        response = _call(client, "post", f"{url}/{action}", body, **token_for(org.root))
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
    assert InboxItem.objects.get(pk=item.pk).note == "Yes." and Resource.objects.count() == 1


def test_a_dismissed_item_makes_no_resource(client, org, token_for, topic, item):
    from learnflow.library.models import Resource

    response = client.post(f"/api/curation/topics/{topic.slug}/inbox/{item.pk}/dismiss", **token_for(org.lena))
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert not Resource.objects.exists()


# --- the documentation --------------------------------------------------------------------------------------------

def test_every_operation_is_documented_in_openapi(client):
    schema = client.get("/api/openapi.json").json()
    operations = [(path, method, op) for path, ops in schema["paths"].items() if path.startswith("/api/curation")
                  for method, op in ops.items()]
    assert len(operations) == 16
    for path, method, op in operations:
        assert op.get("summary") and op["tags"] == ["curation"], (path, method)
    assert "text/x-opml" in schema["paths"]["/api/curation/opml"]["get"]["responses"]["200"]["content"]
    assert set(schema["paths"]["/api/curation/topics/{slug}/opml"]["post"]["requestBody"]["content"]) >= {
        "text/x-opml", "multipart/form-data"}
    source_in = schema["components"]["schemas"]["SourceIn"]
    assert source_in["additionalProperties"] is False and source_in["properties"]["url"]["description"]
