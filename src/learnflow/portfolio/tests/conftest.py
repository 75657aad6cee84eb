from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings

# Until the lead adds "learnflow.account" (and "learnflow.portfolio") to INSTALLED_APPS, run these tests with
# DJANGO_SETTINGS_MODULE=learnflow.portfolio.tests.settings; under the project's settings they are not collected.
if "learnflow.portfolio" not in django_settings.INSTALLED_APPS:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _portfolio_urls(settings):
    settings.ROOT_URLCONF = "learnflow.portfolio.tests.urls"


@pytest.fixture
def in_days():
    from learnflow.journal.services import today_for

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
    from learnflow.lrs.models import Statement
    from learnflow.lrs.services import lrs_key_create, statements_store

    key = lrs_key_create(org_tool="Company LMS").key

    def make(user, name="Secure coding basics", iri="https://lms.example/c/1"):
        statement = {
            "actor": {"objectType": "Agent", "name": user.display_name,
                      "account": {"homePage": django_settings.SITE_URL.rstrip("/"), "name": user.username}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"objectType": "Activity", "id": iri, "definition": {"name": {"en-US": name}}},
        }
        ids, _ = statements_store(key=key, statements=[statement], version="1.0.3")
        return Statement.objects.get(id=ids[0])

    return make


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(name="notes.txt", content=b"hello file\n"):
        return SimpleUploadedFile(name, content)

    return make
