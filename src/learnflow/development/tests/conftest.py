from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings

from learnflow.journal.services import today_for

# Until the lead adds "learnflow.development" to INSTALLED_APPS, run these tests with
# DJANGO_SETTINGS_MODULE=learnflow.development.tests.settings; under the project's settings they are not collected.
if "learnflow.development" not in django_settings.INSTALLED_APPS:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _development_urls(settings):
    settings.ROOT_URLCONF = "learnflow.development.tests.urls"


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
def check_in_factory(db, in_days):
    from learnflow.development.services import check_in_create

    def make(manager, report, notes="We talked about the design review.", **kw):
        kw.setdefault("held_on", today_for(manager))
        return check_in_create(manager=manager, report=report, notes=notes, **kw)

    return make


@pytest.fixture
def stretch_factory(db, in_days):
    from learnflow.development.services import stretch_propose

    def make(manager, person, title="Run the next incident review", **kw):
        kw.setdefault("skill", "Facilitation")
        kw.setdefault("starts_on", in_days(manager, 1))
        kw.setdefault("ends_on", in_days(manager, 30))
        return stretch_propose(manager=manager, person=person, title=title, **kw)

    return make


@pytest.fixture
def objective_factory(db, in_days):
    from learnflow.development.services import objective_create

    def make(manager, title="Halve the time to review a change", **kw):
        kw.setdefault("starts_on", in_days(manager, -30))
        kw.setdefault("ends_on", in_days(manager, 60))
        return objective_create(actor=manager, title=title, **kw)

    return make


@pytest.fixture
def bigger_engineering(org):
    """Engineering grown to five people (boss, ann, tim and two more), the smallest group whose counts may show."""
    from learnflow.org.services import user_create

    return [user_create(username=name, password=org.password, check_password=False, first_name=name.title(),
                        team=org.engineering, manager=org.boss) for name in ("uma", "vic")]
