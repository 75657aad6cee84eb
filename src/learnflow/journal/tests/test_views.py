"""Journal pages as a person uses them: quick capture, the full form, sharing, deleting, the timeline, the week."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnflow.journal.models import Entry, EntryAttachment, WeeklyReview
from learnflow.journal.selectors import week_bounds
from learnflow.journal.services import attachment_add, today_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 at its production cost (100 MB per hash) makes every persona take seconds; these tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    # Overrides the root conftest's fixture, whose cache.clear() touches the database cache without DB access.
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def ann_client(client, org):
    client.force_login(org.ann)
    return client


def full_form(**overrides) -> dict:
    data = {"title": "Reading a flame graph", "body": "Widest bar first", "way": "experimenting",
            "learned_on": dt.date.today().isoformat(), "minutes": "20", "tags": "perf, Profiling",
            "skills": "Performance", "links": "https://example.org/flame Flame graphs", "visibility": "private",
            "share_note": "", "reflection_happened": "", "reflection_learned": "", "reflection_apply": "",
            "reflection_differently": ""}
    data.update(overrides)
    return data


def media_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def timeline_titles(response) -> list[str]:
    return [e.title for e in response.context["entries"]]


# --- Quick capture


def test_quick_capture_with_htmx_returns_the_fragment_with_the_logged_message(ann_client, org):
    response = ann_client.post(reverse("journal:quick"), {"title": "git bisect finds regressions", "way": "daily_work"},
                               **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Logged" in html and "git bisect finds regressions" in html
    assert "<html" not in html  # a fragment swapped in place, not a page to reload
    assert Entry.objects.get(author=org.ann).title == "git bisect finds regressions"


def test_quick_capture_with_htmx_clears_the_box_for_the_next_learning(ann_client):
    response = ann_client.post(reverse("journal:quick"), {"title": "One thing", "way": "reading"}, **HTMX)
    form = response.context["quick_form"]
    assert not form.is_bound and form.initial["way"] == "reading"


def test_quick_capture_without_htmx_redirects_back_to_the_page(ann_client, org):
    response = ann_client.post(reverse("journal:quick"), {"title": "No JS", "way": "daily_work",
                                                          "next": "/journal/week/"})
    assert response.status_code == 302 and response["Location"] == "/journal/week/"
    assert Entry.objects.filter(author=org.ann, title="No JS").exists()


def test_quick_capture_never_redirects_to_another_site(ann_client):
    response = ann_client.post(reverse("journal:quick"), {"title": "x", "way": "daily_work",
                                                          "next": "//evil.example/"})
    assert response["Location"] == reverse("home")


def test_quick_capture_entry_is_private(ann_client, org):
    ann_client.post(reverse("journal:quick"), {"title": "Mine alone", "way": "daily_work"}, **HTMX)
    assert Entry.objects.get(author=org.ann).visibility == "private"


def test_empty_quick_capture_shows_an_error_and_saves_nothing(ann_client):
    response = ann_client.post(reverse("journal:quick"), {"title": "  ", "way": "daily_work"}, **HTMX)
    assert response.status_code == 400
    assert response.context["quick_form"].errors["title"]
    assert 'class="errorlist"' in response.content.decode()
    assert not Entry.objects.exists()


def test_empty_quick_capture_without_htmx_says_nothing_was_logged(ann_client):
    response = ann_client.post(reverse("journal:quick"), {"title": "", "way": "daily_work"}, follow=True)
    assert any("Nothing was logged" in str(m) for m in response.context["messages"])
    assert not Entry.objects.exists()


def test_quick_capture_needs_a_signed_in_person(client, db):
    response = client.post(reverse("journal:quick"), {"title": "Anon", "way": "daily_work"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Entry.objects.exists()


def test_quick_capture_box_is_on_every_page(ann_client):
    for url in (reverse("home"), reverse("journal:timeline"), reverse("journal:week"), reverse("profile")):
        assert 'id="quick-capture"' in ann_client.get(url).content.decode(), url


# --- The full form


def test_full_form_logs_an_entry_with_everything_typed(ann_client, org):
    response = ann_client.post(reverse("journal:new"), full_form(visibility="team", share_note="Good for on-call"))
    entry = Entry.objects.get(author=org.ann)
    assert response.status_code == 302 and response["Location"] == reverse("journal:detail", args=[entry.pk])
    assert (entry.title, entry.way, entry.minutes, entry.visibility, entry.share_note) == (
        "Reading a flame graph", "experimenting", 20, "team", "Good for on-call")
    assert sorted(t.name for t in entry.tags.all()) == ["perf", "profiling"]
    assert [(l.url, l.title) for l in entry.links.all()] == [("https://example.org/flame", "Flame graphs")]


def test_full_form_proposes_today_in_my_time_zone(ann_client, org):
    response = ann_client.get(reverse("journal:new"))
    assert response.context["form"].initial["learned_on"] == today_for(org.ann)


def test_full_form_keeps_what_was_typed_and_names_the_bad_field(ann_client):
    response = ann_client.post(reverse("journal:new"), full_form(title="", minutes="lots"))
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"title", "minutes"}
    html = response.content.decode()
    assert "Widest bar first" in html and "https://example.org/flame" in html
    assert not Entry.objects.exists()


def test_full_form_shows_a_service_refusal_beside_the_field(ann_client):
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = ann_client.post(reverse("journal:new"), full_form(learned_on=future))
    assert response.status_code == 400
    assert "future" in " ".join(response.context["form"].errors["learned_on"])
    assert 'value="Reading a flame graph"' in response.content.decode()
    assert not Entry.objects.exists()


def test_full_form_refuses_a_javascript_link(ann_client):
    response = ann_client.post(reverse("journal:new"), full_form(links="javascript:alert(1)"))
    assert response.status_code == 400 and response.context["form"].errors["links"]
    assert not Entry.objects.exists()


def test_full_form_refuses_a_share_note_on_a_private_entry(ann_client):
    response = ann_client.post(reverse("journal:new"), full_form(share_note="Read this"))
    assert response.status_code == 400 and response.context["form"].errors["share_note"]


def test_full_form_attaches_evidence_files(ann_client, org):
    ann_client.post(reverse("journal:new"), {**full_form(), "files": [SimpleUploadedFile("graph.png", PNG),
                                                                       SimpleUploadedFile("notes.txt", b"hi")]})
    entry = Entry.objects.get(author=org.ann)
    assert sorted(a.original_name for a in entry.attachments.all()) == ["graph.png", "notes.txt"]


def test_full_form_with_a_refused_file_saves_neither_entry_nor_any_file(ann_client, settings):
    response = ann_client.post(reverse("journal:new"), {**full_form(), "files": [
        SimpleUploadedFile("good.png", PNG), SimpleUploadedFile("fake.png", b"this is text, not a picture")]})
    assert response.status_code == 400
    assert "does not look like a .png file" in response.content.decode()
    assert not Entry.objects.exists()
    assert not EntryAttachment.objects.exists()
    assert media_files(settings) == []


def test_full_form_with_an_oversized_file_says_so_and_saves_nothing(ann_client, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 10))
    response = ann_client.post(reverse("journal:new"), {**full_form(), "files": [big]})
    assert response.status_code == 400
    assert "larger than the 1 MB limit" in response.content.decode()
    assert not Entry.objects.exists() and media_files(settings) == []


# --- Editing, sharing, deleting


def test_entry_page_renders_the_body_as_safe_markdown(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Unsafe body", body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    html = ann_client.get(reverse("journal:detail", args=[entry.pk])).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html and 'href="javascript:' not in html


def test_entry_page_escapes_the_title(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, '<img src=x onerror="alert(1)">')
    html = ann_client.get(reverse("journal:detail", args=[entry.pk])).content.decode()
    assert '<img src=x onerror' not in html and "&lt;img" in html


def test_edit_form_is_filled_with_the_entry(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Before", tags=["one", "two"])
    form = ann_client.get(reverse("journal:edit", args=[entry.pk])).context["form"]
    assert form.initial["title"] == "Before" and form.initial["tags"] == "one, two"


def test_edit_saves_changes(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Before")
    response = ann_client.post(reverse("journal:edit", args=[entry.pk]), full_form(title="After", tags="new"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "After" and [t.name for t in entry.tags.all()] == ["new"]


def test_edit_with_bad_input_changes_nothing(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Before")
    response = ann_client.post(reverse("journal:edit", args=[entry.pk]), full_form(title="After", minutes="-3"))
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.title == "Before"


def test_nobody_else_can_open_the_edit_form(client, org, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="team")
    client.force_login(org.boss)
    assert client.get(reverse("journal:edit", args=[entry.pk])).status_code == 404
    assert client.post(reverse("journal:edit", args=[entry.pk]), full_form(title="Boss")).status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Ann's"


def test_share_panel_via_htmx_returns_the_panel_with_the_new_visibility(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Share me")
    response = ann_client.post(reverse("journal:share", args=[entry.pk]),
                               {"visibility": "team", "share_note": "Handy"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="share-panel"' in html and "<html" not in html and "Saved" in html
    entry.refresh_from_db()
    assert (entry.visibility, entry.share_note) == ("team", "Handy")


def test_share_panel_refuses_a_note_on_private_and_says_why(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Share me")
    response = ann_client.post(reverse("journal:share", args=[entry.pk]),
                               {"visibility": "private", "share_note": "Handy"}, **HTMX)
    assert response.status_code == 400
    assert "needs the entry to be shared" in response.content.decode()


def test_share_without_htmx_redirects_to_the_entry(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Share me")
    response = ann_client.post(reverse("journal:share", args=[entry.pk]), {"visibility": "organisation"})
    assert response.status_code == 302 and response["Location"] == reverse("journal:detail", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.visibility == "organisation"


def test_only_the_author_can_share(client, org, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="team")
    client.force_login(org.tim)
    response = client.post(reverse("journal:share", args=[entry.pk]), {"visibility": "organisation"}, **HTMX)
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.visibility == "team"


def test_delete_asks_for_confirmation_first(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Keep me?")
    response = ann_client.get(reverse("journal:delete", args=[entry.pk]))
    assert response.status_code == 200 and "Keep me?" in response.content.decode()
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_confirmed_delete_removes_the_entry_and_its_files(org, settings, django_capture_on_commit_callbacks, client,
                                                          entry_factory):
    client.force_login(org.ann)
    entry = entry_factory(org.ann, "Delete me")
    attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("a.png", PNG))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journal:delete", args=[entry.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("journal:timeline")
    assert not Entry.objects.exists() and media_files(settings) == []


def test_nobody_else_can_delete(client, org, entry_factory):
    entry = entry_factory(org.ann, "Ann's", visibility="organisation")
    client.force_login(org.root)
    assert client.post(reverse("journal:delete", args=[entry.pk])).status_code == 404
    assert Entry.objects.filter(pk=entry.pk).exists()


# --- Attachments served


def test_author_downloads_an_attachment_with_its_type_name_and_a_sandbox(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("notes.txt", b"hello there"))
    response = ann_client.get(reverse("journal:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello there"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment") and "notes.txt" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_images_are_shown_inline_in_the_sandbox(ann_client, org, entry_factory):
    entry = entry_factory(org.ann, "Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("graph.png", PNG))
    response = ann_client.get(reverse("journal:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]


def test_attachment_remove_deletes_the_file(ann_client, org, entry_factory, settings,
                                            django_capture_on_commit_callbacks):
    entry = entry_factory(org.ann, "Evidence")
    attachment = attachment_add(entry=entry, actor=org.ann, upload=SimpleUploadedFile("graph.png", PNG))
    with django_capture_on_commit_callbacks(execute=True):
        response = ann_client.post(reverse("journal:attachment_remove", args=[attachment.pk]))
    assert response.status_code == 302
    assert not EntryAttachment.objects.exists() and media_files(settings) == []


# --- The timeline


@pytest.fixture
def varied(org, entry_factory):
    today = today_for(org.ann)
    entry_factory(org.ann, "Old SQL", way="web_search", learned_on=today - dt.timedelta(days=40), tags=["sql"])
    entry_factory(org.ann, "Demo day", way="colleagues", learned_on=today - dt.timedelta(days=2), tags=["demo"],
                  skills=["Presenting"], visibility="team")
    entry_factory(org.ann, "Flame graphs", way="experimenting", learned_on=today, body="profiling exports")
    entry_factory(org.tim, "Tim's entry", visibility="organisation")
    return today


def test_timeline_shows_my_entries_newest_first(ann_client, varied):
    assert timeline_titles(ann_client.get(reverse("journal:timeline"))) == ["Flame graphs", "Demo day", "Old SQL"]


@pytest.mark.parametrize("query,expected", [
    ({"way": "web_search"}, ["Old SQL"]),
    ({"tag": "demo"}, ["Demo day"]),
    ({"skill": "presenting"}, ["Demo day"]),
    ({"visibility": "team"}, ["Demo day"]),
    ({"q": "profiling"}, ["Flame graphs"]),
])
def test_timeline_filter_narrows_the_results(ann_client, varied, query, expected):
    assert timeline_titles(ann_client.get(reverse("journal:timeline"), query)) == expected


def test_timeline_date_range_narrows_the_results(ann_client, varied):
    query = {"date_from": (varied - dt.timedelta(days=7)).isoformat(),
             "date_to": (varied - dt.timedelta(days=1)).isoformat()}
    assert timeline_titles(ann_client.get(reverse("journal:timeline"), query)) == ["Demo day"]


def test_timeline_with_an_unreadable_filter_shows_everything_and_the_error(ann_client, varied):
    response = ann_client.get(reverse("journal:timeline"), {"date_from": "not-a-date"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]


def test_timeline_htmx_filter_returns_only_the_results(ann_client, varied):
    response = ann_client.get(reverse("journal:timeline"), {"way": "colleagues"}, HTTP_HX_TARGET="timeline-results",
                              **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "Demo day" in html and "Old SQL" not in html


def test_timeline_pages_by_twenty(ann_client, org, entry_factory):
    for i in range(25):
        entry_factory(org.ann, f"Learning {i:02d}")
    first = ann_client.get(reverse("journal:timeline"))
    second = ann_client.get(reverse("journal:timeline"), {"page": 2})
    assert len(timeline_titles(first)) == 20 and first.context["page"].paginator.count == 25
    assert timeline_titles(second) == [f"Learning {i:02d}" for i in range(4, -1, -1)]


def test_timeline_page_link_keeps_the_filters(ann_client, org, entry_factory):
    for i in range(21):
        entry_factory(org.ann, f"Tagged {i}", tags=["x"])
    html = ann_client.get(reverse("journal:timeline"), {"tag": "x"}).content.decode()
    assert "tag=x&amp;page=2" in html


def test_timeline_shows_the_streak(ann_client, org, entry_factory):
    today = today_for(org.ann)
    for back in (0, 1, 2, 4):
        entry_factory(org.ann, f"Day {back}", learned_on=today - dt.timedelta(days=back))
    response = ann_client.get(reverse("journal:timeline"))
    assert response.context["streak"] == 3 and response.context["year_total"] == 4


def test_home_shows_recent_learnings_and_the_streak(ann_client, org, entry_factory):
    entry_factory(org.ann, "Yesterday's lesson", learned_on=today_for(org.ann) - dt.timedelta(days=1))
    response = ann_client.get(reverse("home"))
    assert response.context["streak"] == 1
    assert [e.title for e in response.context["recent"]] == ["Yesterday's lesson"]
    assert response.context["prompt"]


# --- The week


def test_weekly_review_shows_this_weeks_entries(ann_client, org, entry_factory):
    monday, _ = week_bounds(today_for(org.ann))
    entry_factory(org.ann, "This week", learned_on=monday, minutes=30)
    entry_factory(org.ann, "Last week", learned_on=monday - dt.timedelta(days=1))
    response = ann_client.get(reverse("journal:week"))
    assert [e.title for e in response.context["entries"]] == ["This week"]
    assert response.context["minutes"] == 30


def test_weekly_review_of_an_earlier_week(ann_client, org, entry_factory):
    monday, _ = week_bounds(today_for(org.ann))
    earlier = monday - dt.timedelta(days=7)
    entry_factory(org.ann, "Last week", learned_on=earlier + dt.timedelta(days=2))
    response = ann_client.get(reverse("journal:week"), {"week": (earlier + dt.timedelta(days=3)).isoformat()})
    assert response.context["week_start"] == earlier
    assert [e.title for e in response.context["entries"]] == ["Last week"]


def test_weekly_review_saves_the_reflection(ann_client, org):
    response = ann_client.post(reverse("journal:week"), {"went_well": "Shipped", "key_learning": "Bisect",
                                                         "next_week": "Flame graphs"})
    assert response.status_code == 302
    review = WeeklyReview.objects.get(author=org.ann)
    assert review.week_start == week_bounds(today_for(org.ann))[0]
    assert (review.went_well, review.key_learning, review.next_week) == ("Shipped", "Bisect", "Flame graphs")


def test_weekly_review_saved_twice_keeps_one_review_with_the_latest_text(ann_client, org):
    ann_client.post(reverse("journal:week"), {"went_well": "First", "key_learning": "", "next_week": ""})
    ann_client.post(reverse("journal:week"), {"went_well": "Second", "key_learning": "", "next_week": ""})
    assert list(WeeklyReview.objects.filter(author=org.ann).values_list("went_well", flat=True)) == ["Second"]


def test_weekly_review_form_shows_the_saved_reflection(ann_client, org):
    ann_client.post(reverse("journal:week"), {"went_well": "Kept", "key_learning": "", "next_week": ""})
    form = ann_client.get(reverse("journal:week")).context["form"]
    assert form.initial["went_well"] == "Kept"
