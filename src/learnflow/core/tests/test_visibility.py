"""learnflow.core.visibility: who sees what, as a queryset filter (visible_q) and as a per-object rule (can_see).

The written rule (the module's docstring):

    private       the owner only
    manager       the owner and the owner's manager
    team          the owner, the owner's manager, and people in the owner's team
    organisation  every active person

and roles give no extra reading rights. The named tests pin each line of the rule; the property test at the end
checks on random organisations that the filter, the per-object rule and the written rule never disagree.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnflow.core.visibility import (
    MIN_AGGREGATE_GROUP, Visibility, aggregate_allowed, can_see, shared_with_q, visible_q,
)
from learnflow.journal.models import Entry, EntryAttachment
from learnflow.org.models import Role, Team, User

pytestmark = pytest.mark.django_db


def _visible(viewer) -> set[int]:
    return set(Entry.objects.visible_to(viewer).values_list("pk", flat=True))


def _sees(viewer, entry: Entry) -> bool:
    """Both forms of the rule, which must agree; the test then asserts what they agree on."""
    by_query = entry.pk in _visible(viewer)
    by_object = can_see(viewer, owner=entry.author, visibility=entry.visibility)
    assert by_query == by_object, "visible_q and can_see disagree"
    return by_query


# --- Each line of the rule ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("vis", Visibility.values)
def test_owner_sees_own_entry_at_every_visibility(org, entry_factory, vis):
    assert _sees(org.ann, entry_factory(org.ann, visibility=vis))


@pytest.mark.parametrize("viewer", ["tim", "boss", "eve", "sam", "lena", "root"])
def test_private_entry_is_seen_by_nobody_but_its_owner(org, entry_factory, viewer):
    assert not _sees(org.everyone[viewer], entry_factory(org.ann, visibility=Visibility.PRIVATE))


def test_manager_entry_is_seen_by_the_owners_manager(org, entry_factory):
    assert _sees(org.boss, entry_factory(org.ann, visibility=Visibility.MANAGER))


@pytest.mark.parametrize("viewer", ["tim", "eve", "sam", "lena", "root"])
def test_manager_entry_is_hidden_from_everyone_else(org, entry_factory, viewer):
    assert not _sees(org.everyone[viewer], entry_factory(org.ann, visibility=Visibility.MANAGER))


def test_manager_entry_is_hidden_from_the_managers_manager(org, entry_factory):
    from learnflow.org.services import user_update

    director = User.objects.create(username="director", role=Role.MANAGER)
    user_update(user=org.boss, manager=director)
    assert not _sees(director, entry_factory(org.ann, visibility=Visibility.MANAGER))


@pytest.mark.parametrize("viewer", ["tim", "boss"])
def test_team_entry_is_seen_by_teammates_and_the_manager(org, entry_factory, viewer):
    assert _sees(org.everyone[viewer], entry_factory(org.ann, visibility=Visibility.TEAM))


@pytest.mark.parametrize("viewer", ["eve", "sam", "lena", "root"])
def test_team_entry_is_hidden_outside_the_team(org, entry_factory, viewer):
    assert not _sees(org.everyone[viewer], entry_factory(org.ann, visibility=Visibility.TEAM))


def test_team_entry_reaches_a_manager_who_sits_in_another_team(org, entry_factory):
    from learnflow.org.services import user_update

    user_update(user=org.eve, manager=org.boss)  # boss is in Engineering, eve in Sales
    assert _sees(org.boss, entry_factory(org.eve, visibility=Visibility.TEAM))


def test_team_entry_does_not_reach_a_sub_team(org, entry_factory):
    platform = Team.objects.create(name="Platform", slug="platform", parent=org.engineering)
    pia = User.objects.create(username="pia", team=platform)
    assert not _sees(pia, entry_factory(org.ann, visibility=Visibility.TEAM))


def test_team_entry_of_someone_without_a_team_is_not_shared_among_people_without_a_team(org, entry_factory):
    # lena and root have no team: "no team" is not a team they share.
    assert not _sees(org.root, entry_factory(org.lena, visibility=Visibility.TEAM))


@pytest.mark.parametrize("viewer", ["tim", "boss", "eve", "sam", "lena", "root"])
def test_organisation_entry_is_seen_by_every_active_person(org, entry_factory, viewer):
    assert _sees(org.everyone[viewer], entry_factory(org.ann, visibility=Visibility.ORGANISATION))


@pytest.mark.parametrize("vis", Visibility.values)
def test_deactivated_person_sees_nothing_not_even_their_own(org, entry_factory, vis):
    entry = entry_factory(org.tim, visibility=vis)
    org.tim.is_active = False
    org.tim.save()
    assert not _sees(org.tim, entry)


@pytest.mark.parametrize("viewer", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_nobody_signed_in_sees_nothing(org, entry_factory, viewer):
    entry = entry_factory(org.ann, visibility=Visibility.ORGANISATION)
    assert _visible(viewer) == set()
    assert not can_see(viewer, owner=entry.author, visibility=entry.visibility)


def test_an_unknown_visibility_value_is_treated_as_private(org, entry_factory):
    entry = entry_factory(org.ann, visibility=Visibility.TEAM)
    Entry.objects.filter(pk=entry.pk).update(visibility="public")
    entry.refresh_from_db()
    assert not _sees(org.tim, entry) and not _sees(org.boss, entry) and _sees(org.ann, entry)


def test_can_see_refuses_an_object_without_owner(org):
    assert not can_see(org.ann, owner=None, visibility=Visibility.ORGANISATION)


# --- The queryset helpers ------------------------------------------------------------------------------------------

def test_shared_with_is_what_others_shared_never_ones_own(org, entry_factory):
    own = entry_factory(org.tim, visibility=Visibility.ORGANISATION)
    shared = entry_factory(org.ann, visibility=Visibility.TEAM)
    entry_factory(org.ann, visibility=Visibility.PRIVATE)
    assert set(Entry.objects.shared_with(org.tim)) == {shared}
    assert own in Entry.objects.visible_to(org.tim)


def test_owned_by_ignores_visibility_and_other_people(org, entry_factory):
    mine = {entry_factory(org.ann, visibility=vis) for vis in Visibility.values}
    entry_factory(org.tim, visibility=Visibility.ORGANISATION)
    assert set(Entry.objects.owned_by(org.ann)) == mine


def test_unrestricted_returns_everything_on_purpose(org, entry_factory):
    entry_factory(org.ann)
    entry_factory(org.tim)
    assert Entry.objects.unrestricted().count() == Entry.objects.count() == 2


def test_visible_q_follows_an_owner_through_a_relation(org, entry_factory):
    # The same rule serves rows that belong to an owned thing, e.g. an entry's attachments.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from learnflow.journal.services import attachment_add

    files = {}
    for vis in (Visibility.PRIVATE, Visibility.TEAM):
        entry = entry_factory(org.ann, visibility=vis)
        files[vis] = attachment_add(entry=entry, actor=org.ann,
                                    upload=SimpleUploadedFile(f"{vis}.txt", b"notes", "text/plain"))
    q = visible_q(org.tim, owner="entry__author", field="entry__visibility")
    assert set(EntryAttachment.objects.filter(q)) == {files[Visibility.TEAM]}


def test_shared_with_q_of_nobody_signed_in_matches_nothing(org, entry_factory):
    entry_factory(org.ann, visibility=Visibility.ORGANISATION)
    assert not Entry.objects.filter(shared_with_q(AnonymousUser())).exists()


@pytest.mark.parametrize(("size", "allowed"), [(0, False), (MIN_AGGREGATE_GROUP - 1, False),
                                               (MIN_AGGREGATE_GROUP, True), (100, True)])
def test_aggregates_need_a_group_large_enough_to_hide_a_person(size, allowed):
    assert aggregate_allowed(size) is allowed


# --- Property: on random organisations, the filter and the per-object rule agree --------------------------------------

VISIBILITY_VALUES = [*Visibility.values, "", "public"]  # stored values outside the enum must fall back to private


@st.composite
def organisations(draw):
    n_teams = draw(st.integers(0, 3))
    parents = [draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None for i in range(n_teams)]
    n_people = draw(st.integers(1, 7))
    people = [
        {
            "team": draw(st.one_of(st.none(), st.integers(0, n_teams - 1))) if n_teams else None,
            # Any other person may be one's manager, cycles included: the rule must not care.
            "manager": draw(st.one_of(st.none(), st.integers(0, n_people - 1).filter(lambda m, i=i: m != i))),
            "active": draw(st.booleans()),
            "role": draw(st.sampled_from(Role.values)),
        }
        for i in range(n_people)
    ]
    entries = draw(st.lists(st.tuples(st.integers(0, n_people - 1), st.sampled_from(VISIBILITY_VALUES)),
                            max_size=12))
    return {"parents": parents, "people": people, "entries": entries}


def _build(spec) -> tuple[list[User], list[Entry]]:
    teams: list[Team] = []
    for i, parent in enumerate(spec["parents"]):
        teams.append(Team.objects.create(name=f"T{i}", slug=f"t{i}",
                                         parent=teams[parent] if parent is not None else None))
    people = User.objects.bulk_create([
        User(username=f"p{i}", role=p["role"], is_active=p["active"],
             team=teams[p["team"]] if p["team"] is not None else None)
        for i, p in enumerate(spec["people"])
    ])
    for person, p in zip(people, spec["people"]):
        person.manager = people[p["manager"]] if p["manager"] is not None else None
    User.objects.bulk_update(people, ["manager"])
    today = dt.date(2026, 1, 5)
    Entry.objects.bulk_create([Entry(author=people[a], title=f"e{n}", visibility=vis, learned_on=today)
                               for n, (a, vis) in enumerate(spec["entries"])])
    return people, list(Entry.objects.select_related("author"))


def _written_rule(viewer, author: User, visibility: str) -> bool:
    """The module docstring's table, spelled out independently of both implementations."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.pk == author.pk:
        return True
    is_manager = author.manager_id == viewer.pk
    same_team = viewer.team_id is not None and viewer.team_id == author.team_id
    return {"manager": is_manager, "team": is_manager or same_team, "organisation": True}.get(visibility, False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=organisations())
def test_visible_q_and_can_see_agree_on_random_organisations(db, spec):
    with transaction.atomic():
        people, entries = _build(spec)
        for viewer in [*people, AnonymousUser(), None]:
            by_query = set(Entry.objects.filter(visible_q(viewer)).values_list("pk", flat=True))
            by_object = {e.pk for e in entries if can_see(viewer, owner=e.author, visibility=e.visibility)}
            by_rule = {e.pk for e in entries if _written_rule(viewer, e.author, e.visibility)}
            assert by_query == by_object == by_rule, getattr(viewer, "username", viewer)
            if viewer is not None and viewer.is_authenticated:
                shared = set(Entry.objects.filter(shared_with_q(viewer)).values_list("pk", flat=True))
                assert shared == {pk for pk in by_query if Entry.objects.get(pk=pk).author_id != viewer.pk}
        transaction.set_rollback(True)  # each example starts from an empty organisation
