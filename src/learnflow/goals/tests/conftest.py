from __future__ import annotations

import datetime as dt

import pytest

from learnflow.journal.services import today_for


@pytest.fixture(autouse=True)
def _goals_urls(settings):
    settings.ROOT_URLCONF = "learnflow.goals.tests.urls"


@pytest.fixture
def in_days():
    def make(user, days: int) -> dt.date:
        return today_for(user) + dt.timedelta(days=days)

    return make


@pytest.fixture
def goal_factory(db, in_days):
    from learnflow.goals.services import goal_create

    def make(owner, title="Lead a design review", days=60, **kw):
        return goal_create(owner=owner, title=title, target_date=in_days(owner, days), **kw)

    return make


@pytest.fixture
def statement_for(db):
    """A recorded xAPI statement about `user`, as an LMS would send it."""
    from django.conf import settings

    from learnflow.lrs.models import Statement
    from learnflow.lrs.services import lrs_key_create, statements_store

    key = lrs_key_create(org_tool="Company LMS").key

    def make(user, name="Secure coding basics", iri="https://lms.example/c/1"):
        statement = {
            "actor": {"objectType": "Agent", "name": user.display_name,
                      "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": user.username}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"objectType": "Activity", "id": iri, "definition": {"name": {"en-US": name}}},
        }
        ids, _ = statements_store(key=key, statements=[statement], version="1.0.3")
        return Statement.objects.get(id=ids[0])

    return make


FRAMEWORK_CSV = (
    "skill,category,description,1 Aware,2 Working,3 Practitioner,4 Expert\n"
    "Python,Engineering,Writing and reading Python,Knows what it is,Writes small scripts,,Designs libraries\n"
    "SQL,Data,Querying relational databases,,,,\n"
    "Facilitation,People,Running meetings that decide,,,,\n"
)


@pytest.fixture
def framework(org):
    from learnflow.goals.framework import framework_import

    return framework_import(actor=org.lena, data=FRAMEWORK_CSV.encode(), filename="eng.csv",
                            name="Engineering skills").framework
