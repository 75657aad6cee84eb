"""Journal reads (other than the visibility matrix): timeline filters, streak, heat map, the week's entries."""
from __future__ import annotations

import datetime as dt

import pytest

from learnflow.journal.selectors import (
    EntryFilters, day_counts, entry_get_own, entry_timeline, heatmap, streak, week_bounds, week_entries,
)
from learnflow.core.errors import NotFound
from learnflow.journal.services import today_for


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


def titles(qs) -> list[str]:
    return [e.title for e in qs]


@pytest.fixture
def journal(org, entry_factory):
    today = today_for(org.ann)
    entry_factory(org.ann, "Old SQL trick", way="web_search", learned_on=today - dt.timedelta(days=30), tags=["sql"],
                  skills=["Databases"])
    entry_factory(org.ann, "Team demo", way="colleagues", learned_on=today - dt.timedelta(days=3), tags=["demo"],
                  visibility="team")
    entry_factory(org.ann, "Flame graphs", way="experimenting", learned_on=today, body="profiling the export job",
                  skills=["Performance"], visibility="organisation")
    entry_factory(org.tim, "Tim's own SQL trick", way="web_search", learned_on=today, tags=["sql"],
                  visibility="organisation")
    return today


def test_timeline_lists_only_my_entries_newest_first(org, journal):
    assert titles(entry_timeline(viewer=org.ann)) == ["Flame graphs", "Team demo", "Old SQL trick"]


def test_timeline_orders_entries_of_the_same_day_newest_logged_first(org, entry_factory):
    entry_factory(org.ann, "First today")
    entry_factory(org.ann, "Second today")
    assert titles(entry_timeline(viewer=org.ann)) == ["Second today", "First today"]


def test_timeline_filters_by_date_range(org, journal):
    flt = EntryFilters(date_from=journal - dt.timedelta(days=5), date_to=journal - dt.timedelta(days=1))
    assert titles(entry_timeline(viewer=org.ann, filters=flt)) == ["Team demo"]


def test_timeline_filters_by_way(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(way="web_search"))) == ["Old SQL trick"]


def test_timeline_filters_by_formality(org, journal, entry_factory):
    entry_factory(org.ann, "Course module", way="online_course")
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(formality="formal"))) == ["Course module"]


def test_timeline_filters_by_tag_whatever_its_case(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(tag="SQL"))) == ["Old SQL trick"]


def test_timeline_filters_by_tag_as_it_was_typed(org, entry_factory):
    entry_factory(org.ann, "Reviewing", tags=["Code Review"])
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(tag="#Code Review"))) == ["Reviewing"]


def test_timeline_filters_by_skill_whatever_its_case(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(skill="performance"))) == ["Flame graphs"]


def test_timeline_filters_by_visibility(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(visibility="team"))) == ["Team demo"]


def test_timeline_text_search_finds_words_in_the_body(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(q="profiling"))) == ["Flame graphs"]


def test_timeline_text_search_stays_in_my_journal(org, journal):
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(q="SQL trick"))) == ["Old SQL trick"]


def test_timeline_filters_combine(org, journal):
    flt = EntryFilters(way="web_search", date_from=journal - dt.timedelta(days=7))
    assert titles(entry_timeline(viewer=org.ann, filters=flt)) == []


def test_entry_with_two_matching_tags_is_listed_once(org, entry_factory):
    entry_factory(org.ann, "Twice tagged", tags=["sql", "data"])
    assert titles(entry_timeline(viewer=org.ann, filters=EntryFilters(q="Twice"))) == ["Twice tagged"]
    assert entry_timeline(viewer=org.ann).count() == 1


def test_someone_elses_entry_is_not_found_as_my_own(org, entry_factory):
    entry = entry_factory(org.tim, "Tim's", visibility="organisation")
    with pytest.raises(NotFound):
        entry_get_own(viewer=org.ann, pk=entry.pk)


# --- Streak and heat map


def _log_days(factory, user, days_back: list[int]) -> None:
    today = today_for(user)
    for back in days_back:
        factory(user, f"Day -{back}", learned_on=today - dt.timedelta(days=back))


def test_streak_counts_consecutive_days_ending_today(org, entry_factory):
    _log_days(entry_factory, org.ann, [0, 1, 2])
    assert streak(viewer=org.ann) == 3


def test_streak_still_counts_when_today_is_not_logged_yet(org, entry_factory):
    _log_days(entry_factory, org.ann, [1, 2, 3, 4])
    assert streak(viewer=org.ann) == 4


def test_a_missed_day_breaks_the_streak(org, entry_factory):
    _log_days(entry_factory, org.ann, [0, 1, 3, 4, 5])
    assert streak(viewer=org.ann) == 2


def test_streak_is_zero_when_the_last_learning_was_two_days_ago(org, entry_factory):
    _log_days(entry_factory, org.ann, [2, 3])
    assert streak(viewer=org.ann) == 0


def test_several_entries_on_one_day_count_as_one_streak_day(org, entry_factory):
    _log_days(entry_factory, org.ann, [0, 0, 0, 1])
    assert streak(viewer=org.ann) == 2


def test_other_peoples_entries_do_not_feed_my_streak(org, entry_factory):
    _log_days(entry_factory, org.tim, [0, 1, 2])
    assert streak(viewer=org.ann) == 0


def test_heatmap_counts_entries_per_day_and_totals_them(org, entry_factory):
    _log_days(entry_factory, org.ann, [0, 0, 0, 0, 2, 9])
    grid, run, total = heatmap(viewer=org.ann)
    days = {d.day: d for week in grid for d in week if d is not None}
    today = today_for(org.ann)
    assert days[today].count == 4 and days[today].level == 3
    assert days[today - dt.timedelta(days=2)].level == 1
    assert days[today - dt.timedelta(days=1)].level == 0
    assert (run, total) == (1, 6)


def test_heatmap_has_no_cells_after_today(org):
    grid, _, _ = heatmap(viewer=org.ann, weeks=4)
    today = today_for(org.ann)
    assert max(d.day for week in grid for d in week if d is not None) == today
    assert len(grid) == 4 and all(len(week) == 7 for week in grid)


def test_day_counts_only_look_back_to_the_given_day(org, entry_factory):
    _log_days(entry_factory, org.ann, [0, 10])
    assert list(day_counts(viewer=org.ann, since=today_for(org.ann) - dt.timedelta(days=5)).values()) == [1]


# --- The week


def test_week_runs_monday_to_sunday():
    assert week_bounds(dt.date(2026, 11, 19)) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))


def test_week_entries_are_the_weeks_own_entries(org, entry_factory):
    monday = week_bounds(today_for(org.ann))[0] - dt.timedelta(days=14)
    entry_factory(org.ann, "Sunday before", learned_on=monday - dt.timedelta(days=1))
    entry_factory(org.ann, "Monday", learned_on=monday)
    entry_factory(org.ann, "Sunday", learned_on=monday + dt.timedelta(days=6))
    entry_factory(org.ann, "Next Monday", learned_on=monday + dt.timedelta(days=7))
    entry_factory(org.tim, "Tim's Monday", learned_on=monday, visibility="team")
    assert titles(week_entries(viewer=org.ann, week_start=monday)) == ["Sunday", "Monday"]
