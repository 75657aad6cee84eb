"""The kinds of thing a portfolio can hold: for each, which of the owner's things may be added and how one is shown.

Adding a kind (a resource, a community answer …) means one ItemKind choice and reference column in models.py and
one `Kind` here; services, selectors, pages and exports go through this table and need no change.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from django.db.models import Model, QuerySet
from django.utils.safestring import SafeString

from learnflow.core.markdown import render_markdown
from learnflow.portfolio.models import ItemKind


@dataclass
class ItemView:
    """One item as a portfolio shows it, to whoever the portfolio is shown to."""

    kind: str
    kind_label: str
    title: str
    when: dt.date | None = None
    body: SafeString | str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    link: str = ""  # an external URL the item itself is about (a link evidence); never one of our pages
    note: SafeString | str = ""
    item_id: int | None = None


@dataclass(frozen=True)
class Kind:
    kind: str
    field: str  # the reference column on PortfolioItem
    own: Callable[[Any], QuerySet]  # the owner's things of this kind (the only ones that may be added)
    show: Callable[[Model], ItemView]
    label: Callable[[Model], str]  # a short label for pick lists


# --- journal entries

def _own_entries(owner: Any) -> QuerySet:
    from learnflow.journal.models import Entry

    return Entry.objects.owned_by(owner).prefetch_related("tags", "skills", "links", "attachments").order_by(
        "-learned_on", "-id")


def _show_entry(entry: Any) -> ItemView:
    facts = [("How", entry.get_way_display())]
    if entry.minutes:
        facts.append(("Time spent", f"{entry.minutes} minutes"))
    skills = [s.name for s in entry.skills.all()]
    if skills:
        facts.append(("Skills", ", ".join(skills)))
    tags = [t.name for t in entry.tags.all()]
    if tags:
        facts.append(("Tags", " ".join(f"#{t}" for t in tags)))
    body = entry.body
    if entry.reflection_learned.strip():
        body += "\n\n**What I learned from it:** " + entry.reflection_learned
    if entry.reflection_apply.strip():
        body += "\n\n**How I will apply it:** " + entry.reflection_apply
    bullets = [f"{link.title or link.url} — {link.url}" for link in entry.links.all()]
    bullets += [f"File: {a.original_name}" for a in entry.attachments.all()]
    return ItemView(kind=ItemKind.ENTRY, kind_label="Learning", title=entry.title, when=entry.learned_on,
                    body=render_markdown(body), facts=facts, bullets=bullets)


# --- goals (the goals app is part of the project; these imports stay inside the functions so that a portfolio
# module imports cleanly while that app's models are still changing)

def _own_goals(owner: Any) -> QuerySet:
    from learnflow.goals.models import Goal

    return Goal.objects.owned_by(owner).prefetch_related("steps", "goal_skills__skill").order_by("target_date", "id")


def _show_goal(goal: Any) -> ItemView:
    steps = list(goal.steps.all())
    done = sum(1 for s in steps if s.done)
    facts = [("Status", goal.get_status_display()), ("Target date", goal.target_date.isoformat())]
    if steps:
        facts.append(("Steps done", f"{done} of {len(steps)}"))
    skills = [gs.skill.name + (f" (level {gs.level})" if gs.level else "") for gs in goal.goal_skills.all()]
    if skills:
        facts.append(("Skills", ", ".join(skills)))
    body = ""
    if goal.why.strip():
        body += "**Why it matters:** " + goal.why + "\n\n"
    if goal.success.strip():
        body += "**How success shows:** " + goal.success
    bullets = [("✓ " if s.done else "○ ") + s.title for s in steps]
    return ItemView(kind=ItemKind.GOAL, kind_label="Goal", title=goal.title, when=goal.achieved_on,
                    body=render_markdown(body), facts=facts, bullets=bullets)


def _own_evidence(owner: Any) -> QuerySet:
    from learnflow.goals.models import Evidence

    return Evidence.objects.filter(owner=owner, goal__owner=owner).select_related("goal", "entry", "statement",
                                                                                  "resource") \
        .prefetch_related("evidence_skills__skill").order_by("-created_at", "-id")


def _evidence_title(evidence: Any) -> str:
    if evidence.kind == "activity" and evidence.statement_id:
        from learnflow.record.selectors import describe

        activity = describe(evidence.statement)
        return evidence.title or f"{activity.verb} {activity.object_name}".strip()
    return evidence.label


def _show_evidence(evidence: Any) -> ItemView:
    facts = [("Kind", evidence.get_kind_display()), ("For the goal", evidence.goal.title)]
    skills = [es.skill.name + (f" (level {es.level})" if es.level else "") for es in evidence.evidence_skills.all()]
    if skills:
        facts.append(("Shows", ", ".join(skills)))
    body = evidence.note
    if evidence.kind == "entry" and evidence.entry_id:
        body = (body + "\n\n" if body else "") + evidence.entry.body
    bullets = [f"File: {evidence.original_name}"] if evidence.kind == "file" else []
    return ItemView(kind=ItemKind.EVIDENCE, kind_label="Evidence", title=_evidence_title(evidence),
                    when=evidence.created_at.date(), body=render_markdown(body), facts=facts, bullets=bullets,
                    link=evidence.url if evidence.kind == "link" else
                    (evidence.resource.url if evidence.kind == "resource" and evidence.resource_id else ""))


# --- recorded xAPI activity

def _own_statements(owner: Any) -> QuerySet:
    from learnflow.lrs.models import Statement

    return (Statement.objects.filter(person_id=owner.pk, voided=False, is_voiding=False)
            .exclude(key__org_tool="Learnflow").order_by("-timestamp", "-seq"))


def _show_statement(statement: Any) -> ItemView:
    from learnflow.record.selectors import describe

    activity = describe(statement)
    facts = list(activity.result) + [row for row in activity.context if row[0] in ("Platform", "Part of")]
    return ItemView(kind=ItemKind.ACTIVITY, kind_label="Recorded activity",
                    title=f"{activity.verb.capitalize()} {activity.object_name}".strip(),
                    when=activity.learned_on, body=activity.description, facts=facts)


def _statement_label(statement: Any) -> str:
    from learnflow.record.selectors import describe

    activity = describe(statement)
    return f"{statement.timestamp:%Y-%m-%d} · {activity.verb} {activity.object_name}"


KINDS: dict[str, Kind] = {
    ItemKind.ENTRY: Kind(ItemKind.ENTRY, "entry", _own_entries, _show_entry,
                         lambda e: f"{e.learned_on:%Y-%m-%d} · {e.title}"),
    ItemKind.GOAL: Kind(ItemKind.GOAL, "goal", _own_goals, _show_goal,
                        lambda g: f"{g.title} (by {g.target_date:%Y-%m-%d})"),
    ItemKind.EVIDENCE: Kind(ItemKind.EVIDENCE, "evidence", _own_evidence, _show_evidence,
                            lambda ev: f"{_evidence_title(ev)} — for “{ev.goal.title}”"),
    ItemKind.ACTIVITY: Kind(ItemKind.ACTIVITY, "statement", _own_statements, _show_statement, _statement_label),
}
