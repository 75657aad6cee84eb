"""The demo seeds of goals, development and portfolio run on a small organisation through the services, and what
they make keeps the privacy promise: the manager's page shows what ann shared, never her private goal."""
from __future__ import annotations

import random

import pytest

from learnflow.journal.services import today_for

pytestmark = pytest.mark.django_db


def test_demo_seeds_make_goals_objectives_check_ins_and_a_portfolio(org, entry_factory):
    from learnflow.development import demo as development_demo
    from learnflow.development import selectors
    from learnflow.goals import demo as goals_demo
    from learnflow.portfolio import demo as portfolio_demo
    from learnflow.portfolio.selectors import portfolio_list_shared

    for n in range(6):
        entry_factory(org.ann, title=f"Learning {n}")
    people = [org.root, org.lena, org.boss, org.sam, org.ann, org.tim, org.eve]
    rng, today = random.Random(7), today_for(org.root)
    for module in (goals_demo, development_demo, portfolio_demo):
        assert module.seed(people=people, rng=rng, today=today)

    page = selectors.report_page(viewer=org.boss, username="ann")
    titles = {g.goal.title for g in page.goals}
    assert "Lead a design review for the billing service" in titles
    assert "Get ready for a team lead role" not in titles
    assert len(page.check_ins) == 3 and page.stretch
    assert [c.pk for c in selectors.check_ins_shared_with(viewer=org.ann)] and \
        len(selectors.check_ins_shared_with(viewer=org.ann)) == 2
    objective = selectors.objective_list(viewer=org.boss).get()
    assert all(len(i.values.all()) == 10 for i in objective.indicators.all())
    assert [p.title for p in portfolio_list_shared(viewer=org.boss)] == ["Growing into design reviews"]
    assert list(portfolio_list_shared(viewer=org.tim)) == []
