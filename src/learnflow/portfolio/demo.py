"""Demo data for portfolios: one portfolio ann composed from her goal, its evidence and two entries, shared with her
manager."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.goals.models import Evidence, Goal
    from learnflow.journal.models import Entry
    from learnflow.portfolio import services

    who = {p.username: p for p in people}
    ann, boss = who["ann"], who["boss"]
    portfolio = services.portfolio_create(
        owner=ann, title="Growing into design reviews",
        intro="What I set out to learn this quarter, the steps I took and **what shows it** — chosen from my "
              "journal and goals.")
    goal = Goal.objects.owned_by(ann).order_by("id").first()
    if goal is not None:
        services.portfolio_item_add(portfolio=portfolio, actor=ann, kind="goal", target_id=goal.pk,
                                    note="The goal this portfolio is about.")
        for evidence in Evidence.objects.filter(goal=goal, owner=ann).order_by("id")[:2]:
            services.portfolio_item_add(portfolio=portfolio, actor=ann, kind="evidence", target_id=evidence.pk)
    for entry in Entry.objects.owned_by(ann).order_by("-learned_on", "-id")[:2]:
        services.portfolio_item_add(portfolio=portfolio, actor=ann, kind="entry", target_id=entry.pk,
                                    note="Learned on the job.")
    services.portfolio_share(portfolio=portfolio, actor=ann, people=[boss])
    return "1 portfolio"
