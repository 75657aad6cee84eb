"""Demo data for goals: a skills framework L&D imported, goals with steps and evidence for ann and a handful of
others (some shared, some private), and an endorsement request waiting for ann's manager. Made through the services
people use, so the demo behaves like real use."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from learnflow.core.visibility import Visibility

FRAMEWORK_CSV = """skill,category,description,1 Aware,2 Working,3 Practitioner,4 Expert
Code review,Engineering,Reviewing changes so that they get better and people learn,Knows the checklist,Reviews small changes,Reviews any change constructively,Shapes how the team reviews
SQL,Engineering,Querying and tuning relational databases,Reads simple queries,Writes joins and aggregates,Tunes slow queries with EXPLAIN,Designs schemas for scale
Facilitation,People,Running meetings and workshops that decide,Takes part actively,Runs a stand-up or retro,Runs a workshop with another team,Trains others to facilitate
Feedback,People,Giving and receiving feedback that lands,Asks for feedback,Gives specific feedback,Makes feedback a habit in the team,Coaches others on feedback
Negotiation,Customers,Reaching agreements that last,Knows the basics,Prepares a walk-away point,Leads a renewal negotiation,Coaches others
Customer conversations,Customers,Understanding what a customer needs,Listens and notes,Asks open questions,Turns a stuck call around,Teaches the team
Writing,Communication,Clear writing for colleagues and customers,Writes clear messages,Writes a clear design note,Writes for a wide audience,Edits others' writing
"""

ANN_GOALS = [
    {"title": "Lead a design review for the billing service", "visibility": Visibility.MANAGER, "days": 75,
     "why": "Billing changes are risky; reviews that catch problems early save the team weeks.",
     "success": "I run the review of the proration rewrite and the team ships it without a rollback.",
     "skills": [("Code review", 3), ("Facilitation", 2)],
     "steps": [("Read the last three design review notes", 5, True), ("Draft a review checklist", 14, True),
               ("Run a practice review with Tim", 30, False), ("Lead the proration review", 60, False)]},
    {"title": "Find and fix slow queries on my own", "visibility": Visibility.TEAM, "days": 120,
     "why": "Our reports time out at month end and I wait for someone else to look.",
     "success": "Month-end reports run under a minute; I can explain each index I added.",
     "skills": [("SQL", 3)],
     "steps": [("Learn to read EXPLAIN ANALYZE", 10, True), ("Fix one slow report", 40, False)]},
    {"title": "Get ready for a team lead role", "visibility": Visibility.PRIVATE, "days": 200,
     "why": "I want to know whether leading people is for me before I ask for it.",
     "success": "I have led two retros and a 1:1 rotation, and I know what I enjoyed.",
     "skills": [("Feedback", 2)],
     "steps": [("Ask Ben what he wishes he had known", 20, False)]},
]

OTHER_GOALS = [
    ("Run our retros with a new format each month", "Facilitation", 2),
    ("Prepare renewals with a written walk-away point", "Negotiation", 3),
    ("Write design notes people actually read", "Writing", 2),
    ("Turn around stuck customer calls", "Customer conversations", 3),
    ("Give specific feedback in every code review", "Feedback", 2),
    ("Tune the three slowest dashboard queries", "SQL", 3),
]


def _by_username(people: list[Any]) -> dict[str, Any]:
    return {p.username: p for p in people}


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.goals import framework as framework_io
    from learnflow.goals import services
    from learnflow.journal.models import Entry
    from learnflow.lrs.models import Statement

    who = _by_username(people)
    lena, ann, boss = who["lena"], who["ann"], who["boss"]
    framework_io.framework_import(actor=lena, data=FRAMEWORK_CSV.encode(), filename="skills.csv",
                                  name="Learnflow demo skills",
                                  description="The skills our teams grow on the job, with four levels each.")

    goals, steps, evidence = 0, 0, 0
    ann_entries = list(Entry.objects.owned_by(ann).order_by("-learned_on", "-id")[:6])
    ann_goals = []
    for spec in ANN_GOALS:
        goal = services.goal_create(
            owner=ann, title=spec["title"], why=spec["why"], success=spec["success"],
            target_date=today + dt.timedelta(days=spec["days"]), visibility=spec["visibility"],
            skills=[services.SkillPick(name=n, level=lv) for n, lv in spec["skills"]])
        goals += 1
        ann_goals.append(goal)
        for title, due, done in spec["steps"]:
            step = services.step_add(goal=goal, actor=ann, title=title, due_date=today + dt.timedelta(days=due))
            if done:
                services.step_update(step=step, actor=ann, done=True)
            steps += 1
    design, sql, _ = ann_goals
    first_step = design.steps.order_by("position").first()
    if len(ann_entries) >= 2:
        services.goal_evidence_add_entry(owner=ann, goal=design, entry=ann_entries[1], step=first_step,
                                         note="How Tim frames commit messages for reviewers; I use it in my "
                                              "checklist.",
                                         skills=[services.SkillPick(name="Code review", level=2)])
        services.goal_evidence_add_entry(owner=ann, goal=sql, entry=ann_entries[4 % len(ann_entries)],
                                         note="The missing index, found with EXPLAIN ANALYZE.",
                                         skills=[services.SkillPick(name="SQL", level=3)])
        evidence += 2
    checklist = services.goal_evidence_add_link(
        owner=ann, goal=design, url="https://wiki.demo.learnflow.local/engineering/design-review-checklist",
        title="My design review checklist", note="Drafted after reading the last three reviews.",
        skills=[services.SkillPick(name="Code review", level=3)])
    evidence += 1
    statement = Statement.objects.filter(person=ann, voided=False, is_voiding=False).order_by("-stored").first()
    if statement is not None:
        services.goal_evidence_add_activity(owner=ann, goal=sql, statement=statement,
                                            note="The course part on query plans.")
        evidence += 1
    services.endorsement_request(requester=ann, endorser=boss, evidence=checklist,
                                 message="Could you confirm the checklist works? You sat in the practice review.",
                                 remind_after_days=7)
    teammate = next((p for p in people if p.team_id == ann.team_id and p.pk not in (ann.pk, boss.pk)), None)
    if teammate is not None:
        services.endorsement_request(requester=ann, endorser=teammate, skill="SQL", level=3,
                                     message="You saw me tune the month-end report: is that level 3?")

    others = [p for p in people if p.username not in ("root", "ann") and p.manager_id]
    visibilities = [Visibility.PRIVATE, Visibility.MANAGER, Visibility.TEAM, Visibility.ORGANISATION]
    for i, person in enumerate(rng.sample(others, min(len(others), 12))):
        title, skill, level = OTHER_GOALS[i % len(OTHER_GOALS)]
        goal = services.goal_create(owner=person, title=title, target_date=today + dt.timedelta(days=rng.randint(30,
                                                                                                              180)),
                                    visibility=visibilities[i % len(visibilities)],
                                    why="It comes up every week in my work.",
                                    skills=[services.SkillPick(name=skill, level=level)])
        goals += 1
        for n in range(rng.randint(1, 3)):
            step = services.step_add(goal=goal, actor=person, title=f"Try it once and note what happened ({n + 1})",
                                     due_date=min(goal.target_date, today + dt.timedelta(days=7 * (n + 1))))
            steps += 1
            if rng.random() < 0.4:
                services.step_update(step=step, actor=person, done=True)
        entry = Entry.objects.owned_by(person).order_by("-learned_on").first()
        if entry is not None:
            services.goal_evidence_add_entry(owner=person, goal=goal, entry=entry)
            evidence += 1
    return f"a skills framework, {goals} goals with {steps} steps and {evidence} pieces of evidence"
