"""The narrowing columns (an entry's author and visibility, a resource's status and author) are indexed as tokens of
their own, apart from the words people write: the index stays in step with every change, and a word that happens to
be a narrowing value ("team", "published") is only ever a word."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnflow.core.visibility import Visibility
from learnflow.journal.models import Entry
from learnflow.journal.selectors import EntryFilters, entry_list
from learnflow.journal.services import entry_delete, entry_share, entry_update
from learnflow.library import services as library
from learnflow.search import fulltext
from learnflow.search.selectors import SearchFilters, search_everything

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the FTS5 index is SQLite's")


def _titles(viewer, query: str, scope: str = "all") -> list[str]:
    return [hit.title for hit in search_everything(viewer=viewer, query=query, scope=scope)]


def _integrity_check(table: str) -> None:
    # FTS5 compares its index with the content (here the content view) and raises when they differ: what a trigger
    # that deleted other values than it indexed would leave behind.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table}_fts({table}_fts, rank) VALUES ('integrity-check', 1)")


def _tokens_match(table: str, expression: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", [expression])
        return sorted(row[0] for row in cursor.fetchall())


@sqlite_only
def test_the_journal_index_stays_in_step_through_shares_edits_and_deletes(org, entry_factory):
    kept = entry_factory(org.ann, title="Wombat burrows", body="Our team dug.")
    gone = entry_factory(org.tim, title="Wombat diet", visibility=Visibility.TEAM)
    entry_share(entry=kept, actor=org.ann, visibility=Visibility.TEAM)
    entry_update(entry=kept, actor=org.ann, title="Wombat tunnels")
    entry_share(entry=kept, actor=org.ann, visibility=Visibility.ORGANISATION)
    entry_delete(entry=gone, actor=org.tim)
    _integrity_check("journal_entry")
    assert _tokens_match("journal_entry", '{visibility} : "%s"' % fulltext.narrowing_token("visibility", "team")) == []
    assert _tokens_match("journal_entry",
                         '{visibility} : "%s"' % fulltext.narrowing_token("visibility", "organisation")) == [kept.pk]
    assert _tokens_match("journal_entry", '{author_id} : "%s"' % fulltext.narrowing_token("author_id", org.ann.pk)) \
        == [kept.pk]


@sqlite_only
def test_the_library_index_stays_in_step_through_review_and_archive(org):
    resource = library.resource_create(author=org.lena, kind="page", title="Forklift checklist", body="Check.")
    library.resource_update(resource=resource, actor=org.lena, title="Forklift daily checklist")
    library.resource_archive(resource=resource, actor=org.lena)
    _integrity_check("library_resource")
    in_review = fulltext.narrowing_token("status", "in_review")
    assert " " not in in_review and "_" not in in_review  # one token, not the words "in" and "review"
    assert _tokens_match("library_resource",
                         '{status} : "%s"' % fulltext.narrowing_token("status", "archived")) == [resource.pk]


def test_a_word_that_is_a_visibility_finds_only_entries_that_say_it(org, entry_factory):
    entry_factory(org.ann, title="Wombat burrows", visibility=Visibility.TEAM)
    said = entry_factory(org.ann, title="How our team plans", body="The organisation's managers.",
                         visibility=Visibility.TEAM)
    entry_factory(org.ann, title="A team secret", body="private notes")
    assert _titles(org.tim, "team") == [said.title]
    assert _titles(org.tim, "organisation") == [said.title]
    assert _titles(org.tim, "manager") == [said.title]


def test_a_narrowing_token_typed_as_a_query_finds_nothing(org, entry_factory):
    entry_factory(org.ann, title="Wombat burrows", visibility=Visibility.ORGANISATION)
    token = fulltext.narrowing_token("visibility", "organisation")
    assert _titles(org.tim, token) == [] and _titles(org.ann, token[:3]) == []


def test_a_word_that_is_a_status_finds_only_resources_that_say_it(org):
    library.resource_create(author=org.lena, kind="page", title="Forklift checklist", body="Check the forks.")
    said = library.resource_create(author=org.lena, kind="page", title="What we published",
                                   body="Everything published this year.")
    assert _titles(org.ann, "published") == [said.title]


# --- Date ranges narrow inside the index (month tokens), and never lose a row the range allows ----------------------

DAYS = [dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2023, 2, 28), dt.date(2024, 2, 29),
        dt.date(2024, 3, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 11, 30)]


@pytest.fixture
def dated(org, entry_factory):
    """Entries of ann's on days at month and year edges, and one dated far ahead (written past the service, as an
    import or a script could): an open range must still reach it."""
    entries = [entry_factory(org.ann, title=f"Wombat day {day}", learned_on=day) for day in DAYS]
    ahead = entry_factory(org.ann, title="Wombat ahead")
    Entry.objects.filter(pk=ahead.pk).update(learned_on=dt.date(2031, 5, 5))
    shared = entry_factory(org.tim, title="Wombat shared", learned_on=dt.date(2024, 3, 1),
                           visibility=Visibility.ORGANISATION)
    return {e.pk: e.learned_on for e in entries} | {ahead.pk: dt.date(2031, 5, 5), shared.pk: shared.learned_on}


def _expected(dated, low, high, pks=None):
    return sorted(pk for pk, day in dated.items()
                  if (low is None or day >= low) and (high is None or day <= high) and (pks is None or pk in pks))


@given(low=st.one_of(st.none(), st.dates(dt.date(2019, 6, 1), dt.date(2032, 1, 1))),
       span=st.one_of(st.none(), st.integers(0, 2500)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_date_range_finds_exactly_the_entries_inside_it(org, dated, low, span):
    high = None if span is None else (low or dt.date(2019, 6, 1)) + dt.timedelta(days=span)
    hits = search_everything(viewer=org.ann, query="wombat", limit=100,
                             filters=SearchFilters(type="entry", date_from=low, date_to=high))
    assert sorted(h.id for h in hits) == _expected(dated, low, high)
    # The journal's own search (one ranked pass, not the best-first path) narrows the same way.
    own = entry_list(viewer=org.ann, scope="mine", filters=EntryFilters(q="wombat", date_from=low, date_to=high))
    assert sorted(e.pk for e in own) == _expected(dated, low, high, pks=set(Entry.objects.filter(
        author=org.ann).values_list("pk", flat=True)))


def test_a_resource_date_range_reaches_publications_at_month_edges_in_any_time_zone(org):
    from django.utils import timezone

    resource = library.resource_create(author=org.lena, kind="page", title="Forklift checklist", body="Check.")
    library.Resource.objects.filter(pk=resource.pk).update(
        published_at=dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.timezone.utc))
    for zone, day in (("UTC", dt.date(2025, 6, 30)), ("Pacific/Auckland", dt.date(2025, 7, 1))):
        with timezone.override(zone):
            found = search_everything(viewer=org.ann, query="forklift",
                                      filters=SearchFilters(type="resource", date_from=day, date_to=day))
            assert [h.id for h in found] == [resource.pk], zone
            after = search_everything(viewer=org.ann, query="forklift",
                                      filters=SearchFilters(type="resource", date_from=day + dt.timedelta(days=1)))
            assert after == [], zone
