"""Resources: creation, review, votes, comments, flags and what reaches the owner; nothing half-written on bad
input."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnflow.account.models import Notice
from learnflow.curation.models import InboxItem
from learnflow.curation.services import inbox_item_publish
from learnflow.library import selectors, services
from learnflow.library.models import Flag, Resource, ResourceStatus, Vote

pytestmark = pytest.mark.django_db


def _visible_titles(viewer) -> set[str]:
    return set(selectors.resources_visible_to(viewer=viewer).values_list("title", flat=True))


# --- visibility and review ------------------------------------------------------------------------------------------

def test_a_published_resource_is_visible_to_every_active_person(org, resource_factory):
    resource_factory(org.ann, title="Escalation checklist")
    for person in org.everyone.values():
        assert "Escalation checklist" in _visible_titles(person)


def test_a_draft_is_visible_to_its_author_only(org, resource_factory):
    resource_factory(org.ann, title="Half-written guide", submit=False)
    assert _visible_titles(org.ann) == {"Half-written guide"}
    for name in ("tim", "boss", "eve", "lena", "root"):
        assert _visible_titles(org.everyone[name]) == set()


def test_on_a_reviewed_topic_a_members_resource_waits_for_review(org, resource_factory, reviewed_topic):
    resource = resource_factory(org.ann, title="Lockout steps", topics=[reviewed_topic])
    assert resource.status == ResourceStatus.IN_REVIEW and resource.published_at is None
    assert "Lockout steps" in _visible_titles(org.ann)
    assert "Lockout steps" in _visible_titles(org.lena) and "Lockout steps" in _visible_titles(org.root)
    for name in ("tim", "boss", "eve", "sam"):
        assert "Lockout steps" not in _visible_titles(org.everyone[name])


def test_reviewers_are_told_when_something_waits_for_review(org, resource_factory, reviewed_topic):
    resource_factory(org.ann, title="Lockout steps", topics=[reviewed_topic])
    assert Notice.objects.filter(user=org.lena, text__contains="Lockout steps").exists()


def test_a_curators_own_resource_on_a_reviewed_topic_is_published_at_once(org, resource_factory, reviewed_topic):
    assert resource_factory(org.lena, topics=[reviewed_topic]).status == ResourceStatus.PUBLISHED


def test_approving_publishes_for_everyone_and_tells_the_author(org, resource_factory, reviewed_topic):
    resource = resource_factory(org.ann, title="Lockout steps", topics=[reviewed_topic])
    services.resource_review(resource=resource, reviewer=org.lena, approve=True)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED and resource.published_at is not None
    assert "Lockout steps" in _visible_titles(org.eve)
    assert Notice.objects.filter(user=org.ann, text__contains="approved").exists()


def test_returning_needs_a_note_and_sends_the_resource_back_to_draft(org, resource_factory, reviewed_topic):
    resource = resource_factory(org.ann, title="Lockout steps", topics=[reviewed_topic])
    with pytest.raises(ValidationError) as err:
        services.resource_review(resource=resource, reviewer=org.lena, approve=False)
    assert "note" in err.value.message_dict
    services.resource_review(resource=resource, reviewer=org.lena, approve=False, note="Add the tag-out step.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.DRAFT and resource.review_note == "Add the tag-out step."
    assert "Lockout steps" not in _visible_titles(org.lena)  # a draft again: the author's alone
    services.resource_submit(resource=resource, actor=org.ann)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW


@pytest.mark.parametrize("who", ["ann", "tim", "boss"])
def test_only_reviewers_review(org, resource_factory, reviewed_topic, who):
    resource = resource_factory(org.ann, topics=[reviewed_topic])
    with pytest.raises(PermissionDenied):
        services.resource_review(resource=resource, reviewer=org.everyone[who], approve=True)


def test_only_the_author_or_a_curator_edits(org, resource_factory):
    resource = resource_factory(org.ann)
    with pytest.raises(PermissionDenied):
        services.resource_update(resource=resource, actor=org.tim, title="Mine now")
    services.resource_update(resource=resource, actor=org.lena, title="Tidied by L&D")
    resource.refresh_from_db()
    assert resource.title == "Tidied by L&D"


# --- bad input ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    ({"title": "   "}, "title"),
    ({"kind": "podcast"}, "kind"),
    ({"kind": "link", "body": ""}, "url"),
    ({"kind": "link", "url": "javascript:alert(1)"}, "url"),
    ({"body": ""}, "body"),
    ({"kind": "video", "body": ""}, "file"),
    ({"topics": [999_999]}, "topics"),
])
def test_bad_input_names_the_field_and_writes_nothing(org, kwargs, field):
    args = {"author": org.ann, "kind": "page", "title": "Something", "body": "text", **kwargs}
    with pytest.raises(ValidationError) as err:
        services.resource_create(**args)
    assert field in err.value.message_dict
    assert Resource.objects.count() == 0


def test_a_renamed_file_is_refused_and_nothing_is_stored(org, upload, settings):
    with pytest.raises(ValidationError) as err:
        services.resource_create(author=org.ann, kind="video", title="Demo", upload=upload("demo.mp4", b"not a video"))
    assert "file" in err.value.message_dict
    assert Resource.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "library").exists() or not any((settings.MEDIA_ROOT / "library").rglob("*.*"))


def test_a_file_of_the_wrong_kind_is_refused(org, upload):
    with pytest.raises(ValidationError) as err:
        services.resource_create(author=org.ann, kind="audio", title="Demo", upload=upload("clip.webm", b"\x1a\x45\xdf\xa3xx"))
    assert "file" in err.value.message_dict


def test_a_video_upload_is_stored_with_its_type_and_size(org, upload):
    content = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    resource = services.resource_create(author=org.ann, kind="video", title="Demo", upload=upload("demo.MP4", content))
    assert resource.file_type == "video/mp4" and resource.file_size == len(content)
    assert resource.file.read() == content


def test_a_file_is_removed_again_when_the_write_fails_after_storing_it(org, upload, settings, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit trail down")

    monkeypatch.setattr(services, "event_record", boom)
    with pytest.raises(RuntimeError):
        services.resource_create(author=org.ann, kind="audio", title="Demo", upload=upload("a.mp3", b"ID3" + b"x" * 50))
    assert Resource.objects.count() == 0
    assert not any((settings.MEDIA_ROOT / "library").rglob("*.mp3")) if (settings.MEDIA_ROOT / "library").exists() else True


# --- votes ----------------------------------------------------------------------------------------------------------

def test_voting_twice_counts_once(org, resource_factory):
    resource = resource_factory(org.ann)
    assert services.vote_set(resource=resource, user=org.tim) is True
    assert services.vote_set(resource=resource, user=org.tim) is False
    services.vote_set(resource=resource, user=org.eve)
    resource.refresh_from_db()
    assert resource.useful_count == 2 and Vote.objects.filter(resource=resource).count() == 2


def test_taking_a_vote_back_lowers_the_count(org, resource_factory):
    resource = resource_factory(org.ann)
    services.vote_set(resource=resource, user=org.tim)
    services.vote_set(resource=resource, user=org.tim, useful=False)
    services.vote_set(resource=resource, user=org.tim, useful=False)
    resource.refresh_from_db()
    assert resource.useful_count == 0


def test_nobody_votes_on_what_they_cannot_see(org, resource_factory):
    resource = resource_factory(org.ann, submit=False)
    with pytest.raises(PermissionDenied):
        services.vote_set(resource=resource, user=org.tim)


# --- comments and flags ---------------------------------------------------------------------------------------------

def test_a_comment_is_kept_and_its_markdown_is_sanitised_when_shown(org, resource_factory, client):
    resource = resource_factory(org.ann)
    services.comment_add(resource=resource, author=org.tim, body="Step 2 is **wrong** <script>alert(1)</script>")
    client.force_login(org.eve)
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "<strong>wrong</strong>" in html and "<script>alert(1)" not in html


def test_an_empty_comment_is_refused(org, resource_factory):
    resource = resource_factory(org.ann)
    with pytest.raises(ValidationError) as err:
        services.comment_add(resource=resource, author=org.tim, body="   ")
    assert "body" in err.value.message_dict


def test_a_flag_reaches_the_owner_as_a_notice(org, resource_factory):
    resource = resource_factory(org.ann, title="VPN setup")
    services.flag_raise(resource=resource, user=org.eve, kind="obsolete", note="We moved to the new client.")
    notice = Notice.objects.get(user=org.ann)
    assert "VPN setup" in notice.text and "obsolete" in notice.text
    assert notice.url == resource.get_absolute_url()


def test_flagging_again_while_open_does_not_notify_twice(org, resource_factory):
    resource = resource_factory(org.ann)
    services.flag_raise(resource=resource, user=org.eve, kind="needs_update")
    services.flag_raise(resource=resource, user=org.eve, kind="needs_update")
    assert Flag.objects.count() == 1 and Notice.objects.filter(user=org.ann).count() == 1


def test_an_unknown_flag_kind_is_refused(org, resource_factory):
    resource = resource_factory(org.ann)
    with pytest.raises(ValidationError) as err:
        services.flag_raise(resource=resource, user=org.eve, kind="boring")
    assert "kind" in err.value.message_dict and Flag.objects.count() == 0


def test_a_flag_on_a_resource_without_owner_goes_to_ld(org, resource_factory):
    resource = resource_factory(org.ann)
    Resource.objects.filter(pk=resource.pk).update(author=None)
    resource.refresh_from_db()
    services.flag_raise(resource=resource, user=org.eve, kind="obsolete")
    assert Notice.objects.filter(user=org.lena).exists()


# --- curation inbox → library ---------------------------------------------------------------------------------------

def test_publishing_an_inbox_item_makes_a_published_link_with_the_curators_note(org, topic):
    item = InboxItem.objects.create(topic=topic, title="Listening on support calls", link="https://blog.example/listen",
                                    canonical_link="https://blog.example/listen", summary="<p>Listen <b>first</b></p>")
    inbox_item_publish(item=item, curator=org.lena, note="Our best call-handling advice this year.")
    resource = Resource.objects.get(url="https://blog.example/listen")
    assert resource.kind == "link" and resource.status == ResourceStatus.PUBLISHED
    assert resource.curator_note == "Our best call-handling advice this year."
    assert resource.summary == "Listen first" and resource.site_name == "blog.example"
    assert list(resource.topics.all()) == [topic] and resource.author == org.lena
    assert "Listening on support calls" in _visible_titles(org.eve)


# --- collections ----------------------------------------------------------------------------------------------------

def test_a_collection_keeps_its_order_and_shows_only_what_the_viewer_may_see(org, resource_factory):
    first, second = resource_factory(org.lena, title="First"), resource_factory(org.lena, title="Second")
    draft = resource_factory(org.lena, title="Draft", submit=False)
    collection = services.collection_create(author=org.lena, title="New starter pathway",
                                            resources=[first, second, draft])
    item = collection.items.get(resource=second)
    services.collection_item_move(item=item, actor=org.lena, direction="up")
    seen = selectors.collection_get(viewer=org.eve, uid=collection.uid)
    assert [i.resource.title for i in seen.visible_items] == ["Second", "First"]
    with pytest.raises(PermissionDenied):
        services.collection_item_remove(item=item, actor=org.eve)
