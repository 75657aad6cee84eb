"""One search across the library, my journal and what is shared with me: visibility inside the query for every role,
filters, ranking, highlights, and an index that follows the resources."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from learnflow.core.visibility import Visibility
from learnflow.library import services as library
from learnflow.search.selectors import SearchFilters, search_everything

pytestmark = pytest.mark.django_db

EVERYONE = ["ann", "tim", "boss", "eve", "sam", "lena", "root"]


@pytest.fixture
def make_resource(db):
    def make(author, title, body="Steps to follow.", **kw):
        return library.resource_create(author=author, kind=kw.pop("kind", "page"), title=title, body=body, **kw)

    return make


@pytest.fixture
def reviewed(org):
    from learnflow.curation.services import topic_create

    topic = topic_create(actor=org.lena, name="Safety")
    library.topic_review_set(topic=topic, actor=org.lena, review_required=True)
    return topic


def _titles(viewer, query, **kw) -> list[str]:
    scope = kw.pop("scope", "all")
    return [h.title for h in search_everything(viewer=viewer, query=query, scope=scope,
                                               filters=SearchFilters(**kw))]


@pytest.mark.parametrize("viewer", EVERYONE)
def test_a_published_resource_is_found_by_everyone(org, make_resource, viewer):
    make_resource(org.ann, "Forklift checklist")
    assert _titles(org.everyone[viewer], "forklift") == ["Forklift checklist"]


@pytest.mark.parametrize("viewer", ["tim", "boss", "eve", "sam"])
def test_a_resource_in_review_is_hidden_from_everyone_but_author_and_reviewers(org, make_resource, reviewed, viewer):
    make_resource(org.ann, "Forklift checklist", topics=[reviewed])
    assert _titles(org.everyone[viewer], "forklift") == []


@pytest.mark.parametrize("viewer", ["ann", "lena", "root"])
def test_author_and_reviewers_find_a_resource_in_review(org, make_resource, reviewed, viewer):
    make_resource(org.ann, "Forklift checklist", topics=[reviewed])
    [hit] = search_everything(viewer=org.everyone[viewer], query="forklift")
    assert hit.status == "in_review"


@pytest.mark.parametrize("viewer", ["tim", "boss", "eve", "sam", "lena", "root"])
def test_a_draft_is_found_by_its_author_only(org, make_resource, viewer):
    make_resource(org.ann, "Forklift checklist", submit=False)
    assert _titles(org.everyone[viewer], "forklift") == []
    assert _titles(org.ann, "forklift") == ["Forklift checklist"]


@pytest.mark.parametrize("viewer", ["tim", "boss", "eve", "sam", "lena", "root"])
def test_private_entries_are_never_found_by_others_next_to_resources(org, make_resource, entry_factory, viewer):
    entry_factory(org.ann, title="Forklift near miss", body="forklift forklift")
    make_resource(org.lena, "Forklift checklist")
    assert _titles(org.everyone[viewer], "forklift") == ["Forklift checklist"]


def test_one_search_answers_from_journal_shared_entries_and_library(org, make_resource, entry_factory):
    entry_factory(org.tim, title="Forklift training notes")
    entry_factory(org.ann, title="Forklift tips", visibility=Visibility.TEAM)
    make_resource(org.lena, "Forklift checklist")
    hits = search_everything(viewer=org.tim, query="forklift")
    assert {(h.kind, h.title) for h in hits} == {("entry", "Forklift training notes"), ("entry", "Forklift tips"),
                                                 ("resource", "Forklift checklist")}
    assert {h.type_label for h in hits} == {"Journal entry", "Shared entry", "Page"}


def test_approval_and_archiving_change_the_results_at_once(org, make_resource, reviewed):
    resource = make_resource(org.ann, "Forklift checklist", topics=[reviewed])
    assert _titles(org.eve, "forklift") == []
    library.resource_review(resource=resource, reviewer=org.lena, approve=True)
    assert _titles(org.eve, "forklift") == ["Forklift checklist"]
    library.resource_archive(resource=resource, actor=org.ann)
    assert _titles(org.eve, "forklift") == [] and _titles(org.ann, "forklift") == []


def test_an_edited_resource_is_found_by_its_new_words_only(org, make_resource):
    resource = make_resource(org.ann, "Forklift checklist", body="Check the brakes")
    library.resource_update(resource=resource, actor=org.ann, title="Pallet jack checklist", body="Check the wheels")
    assert _titles(org.eve, "forklift") == [] and _titles(org.eve, "brakes") == []
    assert _titles(org.eve, "pallet wheels") == ["Pallet jack checklist"]


def test_filters_by_type_topic_and_date(org, make_resource, entry_factory):
    from learnflow.curation.services import topic_create

    safety = topic_create(actor=org.lena, name="Warehouse safety")
    lifting = topic_create(actor=org.lena, name="Lifting", parent=safety)
    entry_factory(org.ann, title="Forklift lesson", tags=["warehouse-safety"])
    make_resource(org.lena, "Forklift video", kind="link", body="", url="https://video.example/f", topics=[lifting])
    make_resource(org.lena, "Forklift page")
    assert _titles(org.ann, "forklift", type="entry") == ["Forklift lesson"]
    assert sorted(_titles(org.ann, "forklift", type="resource")) == ["Forklift page", "Forklift video"]
    assert _titles(org.ann, "forklift", type="link") == ["Forklift video"]
    # A topic includes its subtopics, and entries tagged with its name.
    assert sorted(_titles(org.ann, "forklift", topic=safety.slug)) == ["Forklift lesson", "Forklift video"]
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    assert _titles(org.ann, "forklift", date_from=tomorrow) == []


def test_a_topic_filter_finds_entries_tagged_with_a_subtopic_once_each(org, make_resource, entry_factory):
    from learnflow.curation.services import topic_create

    safety = topic_create(actor=org.lena, name="Warehouse safety")
    lifting = topic_create(actor=org.lena, name="Lifting", parent=safety)
    straps = topic_create(actor=org.lena, name="Straps", parent=lifting)
    entry_factory(org.ann, title="Forklift straps", tags=["straps", "lifting", "warehouse-safety"])
    entry_factory(org.ann, title="Forklift lifting", tags=["Lifting"])
    entry_factory(org.ann, title="Forklift parking", tags=["parking"])
    entry_factory(org.tim, title="Forklift private straps", tags=["straps"])
    assert sorted(_titles(org.ann, "forklift", topic=safety.slug)) == ["Forklift lifting", "Forklift straps"]
    assert sorted(_titles(org.ann, "forklift", topic=lifting.slug)) == ["Forklift lifting", "Forklift straps"]
    assert _titles(org.ann, "forklift", topic=straps.slug) == ["Forklift straps"]
    assert _titles(org.ann, "forklift", topic=straps.slug, scope="shared") == []


@pytest.mark.parametrize("kw, field", [({"type": "podcast"}, "type"), ({"topic": "no-such"}, "topic"),
                                       ({"date_from": dt.date(2026, 5, 2), "date_to": dt.date(2026, 5, 1)}, "date_to")])
def test_nonsense_filters_are_errors_naming_the_field(org, kw, field):
    with pytest.raises(ValidationError) as err:
        search_everything(viewer=org.ann, query="forklift", filters=SearchFilters(**kw))
    assert field in err.value.message_dict


def test_the_api_answers_400_for_an_unknown_topic(client, org, token_for):
    response = client.get("/api/search", {"q": "forklift", "topic": "no-such"}, **token_for(org.ann))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "topic"


def test_a_title_match_ranks_above_a_body_match_across_types(org, make_resource, entry_factory):
    entry_factory(org.ann, title="Warehouse day", body="Drove the forklift for an hour.")
    make_resource(org.lena, "Forklift checklist")
    assert _titles(org.ann, "forklift") == ["Forklift checklist", "Warehouse day"]


def test_highlights_mark_words_and_escape_html_in_resources(org, make_resource):
    make_resource(org.lena, "Forklift <b>checklist</b>", body="<script>x()</script> check the forklift brakes")
    [hit] = search_everything(viewer=org.eve, query="forklift")
    assert "<mark>" in hit.snippet_html and "<script" not in hit.snippet_html and "<b>" not in hit.snippet_html


def test_search_page_shows_resources_with_filters(client, org, make_resource):
    make_resource(org.lena, "Forklift checklist")
    client.force_login(org.eve)
    html = client.get("/search", {"q": "forklift", "type": "resource"}).content.decode()
    assert "Forklift checklist" in html and "Page" in html
    bad = client.get("/search", {"q": "forklift", "type": "podcast"})
    assert bad.status_code == 400 and 'value="forklift"' in bad.content.decode()


def test_api_search_returns_resources_with_their_type(client, org, make_resource, token_for):
    make_resource(org.lena, "Forklift checklist")
    result = client.get("/api/search", {"q": "forklift"}, **token_for(org.eve)).json()
    assert result["results"][0]["kind"] == "resource" and result["results"][0]["resource_kind"] == "page"
