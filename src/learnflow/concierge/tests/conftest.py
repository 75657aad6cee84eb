from __future__ import annotations

import datetime as dt

import pytest

from learnflow.concierge import expertise

# A Wednesday, so that "two working days" is two calendar days unless a test crosses a weekend on purpose.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_index():
    # The expertise index and the people state live in the process; each test has its own database.
    from learnflow.concierge.selectors import people_state_invalidate

    expertise.index_invalidate()
    people_state_invalidate()
    yield
    expertise.index_invalidate()
    people_state_invalidate()


@pytest.fixture
def topic(db):
    from learnflow.curation.models import Topic

    def make(name: str) -> Topic:
        return Topic.objects.get_or_create(name=name, defaults={"slug": name.lower().replace(" ", "-")})[0]

    return make


@pytest.fixture
def skilled(db):
    """Give a person declared skills on their profile."""
    from learnflow.core.services import skill_get_or_create_many

    def make(user, *names: str):
        user.skills.add(*skill_get_or_create_many(names=list(names)))
        expertise.index_invalidate()
        return user

    return make


@pytest.fixture
def help_request(db):
    from learnflow.concierge.services import help_request_create

    def make(asker, title="Rolling back a Kubernetes deployment", **kw):
        kw.setdefault("skills", ["kubernetes"])
        kw.setdefault("now", NOW)
        return help_request_create(asker=asker, title=title, **kw)

    return make
