from __future__ import annotations

import pytest

from learnflow.journal.services import today_for


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
