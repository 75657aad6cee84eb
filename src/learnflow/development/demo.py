"""Demo data for manager-led development: team objectives with indicators and values over the past weeks for the
Engineering and Sales managers, 1:1 check-ins with agreed actions (some shared with the person), a stretch
assignment ann accepted and one another person finished, with both reflections. Through the services."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

OBJECTIVES = {
    "boss": ("Ship billing changes without incidents",
             "Every billing change reviewed before it ships; fewer late-night rollbacks.",
             [("Incidents caused by billing changes", "per month", Decimal("1"), "down", Decimal("5"), Decimal("-0.5")),
              ("Changes with a design review", "%", Decimal("90"), "up", Decimal("40"), Decimal("6"))]),
    "sam": ("Renew our largest customers on time",
            "Renewals prepared early, with a walk-away point written down.",
            [("Renewals closed before the due date", "%", Decimal("85"), "up", Decimal("55"), Decimal("4")),
             ("Average discount given", "%", Decimal("8"), "down", Decimal("14"), Decimal("-0.6"))]),
}


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.core.visibility import Visibility
    from learnflow.development import services
    from learnflow.development.services import ActionIn
    from learnflow.goals.models import Goal
    from learnflow.goals.services import goal_update

    who = {p.username: p for p in people}
    start = today - dt.timedelta(days=70)
    objectives, values = 0, 0
    by_manager = {}
    for username, (title, description, indicators) in OBJECTIVES.items():
        manager = who[username]
        objective = services.objective_create(actor=manager, title=title, description=description,
                                              starts_on=start, ends_on=today + dt.timedelta(days=50))
        by_manager[username] = objective
        objectives += 1
        for name, unit, target, direction, first, step in indicators:
            indicator = services.indicator_create(objective=objective, actor=manager, name=name, unit=unit,
                                                  target=target, direction=direction)
            for week in range(10):
                noise = Decimal(rng.randint(-10, 10)) / Decimal(10)
                value = max(Decimal("0"), first + step * week + noise)
                services.indicator_value_record(indicator=indicator, actor=manager,
                                                measured_on=start + dt.timedelta(days=7 * week), value=value)
                values += 1

    # Members align shared goals to their team's objective.
    aligned = 0
    for username, objective in by_manager.items():
        team_goals = (Goal.objects.filter(owner__team_id=objective.team_id, owner__is_active=True)
                      .exclude(visibility=Visibility.PRIVATE).select_related("owner"))
        for goal in team_goals:
            goal_update(goal=goal, actor=goal.owner, team_objective_id=objective.pk)
            aligned += 1

    check_ins = 0
    pairs = [("boss", "ann"), ("sam", "eve")]
    for manager_name, report_name in pairs:
        manager, report = who[manager_name], who[report_name]
        for weeks_ago, shared in ((6, True), (4, False), (2, True)):
            held = today - dt.timedelta(days=7 * weeks_ago)
            services.check_in_create(
                manager=manager, report=report, held_on=held, shared_with_report=shared,
                notes=("We looked at the goals " + report.first_name + " shared and what got in the way.\n\n"
                       "- What went well: preparation\n- Next: practise with a real case") if shared else
                      "My own notes: " + report.first_name + " seems stretched by on-call; ask about workload.",
                actions=[ActionIn(text="Book a practice session", owner="report",
                                  due_on=held + dt.timedelta(days=10)),
                         ActionIn(text="Find a real case to practise on", owner="manager",
                                  due_on=today + dt.timedelta(days=weeks_ago))])
            check_ins += 1
    # A few other managers keep 1:1 notes too.
    for person in [p for p in people if p.manager_id and p.username not in ("ann", "eve")][:6]:
        manager = next((p for p in people if p.pk == person.manager_id), None)
        if manager is None:
            continue
        services.check_in_create(manager=manager, report=person,
                                 held_on=today - dt.timedelta(days=rng.randint(3, 20)),
                                 notes="Talked about what to learn next quarter.",
                                 shared_with_report=rng.random() < 0.5)
        check_ins += 1

    ann, boss = who["ann"], who["boss"]
    goal = Goal.objects.filter(owner=ann, visibility=Visibility.MANAGER).order_by("id").first()
    stretch = services.stretch_propose(
        manager=boss, person=ann, title="Run the design review of the proration rewrite",
        description="You facilitate; I sit in and give you feedback afterwards.",
        goal_id=goal.pk if goal else None, skill="" if goal else "Facilitation",
        starts_on=today + dt.timedelta(days=7), ends_on=today + dt.timedelta(days=35))
    services.stretch_respond(assignment=stretch, actor=ann, accept=True, note="Yes please — nervous but keen.")
    stretched = 1
    eng_other = next((p for p in people if p.manager_id == boss.pk and p.pk != ann.pk), None)
    if eng_other is not None:
        done = services.stretch_propose(manager=boss, person=eng_other, title="Be incident lead for one week",
                                        skill="Incident response", starts_on=today - dt.timedelta(days=30),
                                        ends_on=today - dt.timedelta(days=23))
        services.stretch_respond(assignment=done, actor=eng_other, accept=True)
        services.stretch_complete(assignment=done, actor=boss)
        services.stretch_reflect(assignment=done, actor=eng_other, text="Calmer than I expected; the runbook helped.")
        services.stretch_reflect(assignment=done, actor=boss, text="Clear updates every 30 minutes. Next: postmortem.")
        stretched += 1
    return (f"{objectives} team objectives with {values} indicator values ({aligned} goals aligned), {check_ins} "
            f"check-ins, {stretched} stretch assignments")
