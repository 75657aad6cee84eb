"""Demo data for the concierge: past help between colleagues, requests in every state, one in the L&D queue."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

PAST_HELP = ["python", "sql", "negotiation", "excel", "facilitation", "onboarding", "pricing", "observability",
             "code review", "crm", "process design", "coaching"]


def _at(today: dt.date, days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), tzinfo=dt.timezone.utc)


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.concierge import expertise, services
    from learnflow.core.services import skill_get_or_create_many

    who = {p.username: p for p in people}
    ann, boss, eve, sam, lena = (who.get(n) for n in ("ann", "boss", "eve", "sam", "lena"))
    if not all((ann, boss, eve, sam, lena)):
        return ""
    members = [p for p in people if p.username != "root"]

    # Past help: people mostly help on skills they declared, so suggestions have something to go on.
    interactions = 0
    for _ in range(120):
        helper = rng.choice(members)
        helped = rng.choice([p for p in members if p.pk != helper.pk])
        declared = [s.name for s in helper.skills.all()] or PAST_HELP
        skill = rng.choice(declared) if rng.random() < 0.8 else rng.choice(PAST_HELP)
        services.interaction_record(helper=helper, helped=helped, kind=rng.choice(["help", "reply", "accepted"]),
                                    about=f"A question about {skill}", skills=skill_get_or_create_many(names=[skill]),
                                    source_type="demo", at=_at(today, rng.randint(1, 200), rng.randint(8, 17)))
        interactions += 1
    expertise.index_invalidate()

    # Resolved with thanks and published as a Q&A.
    solved = services.help_request_create(
        asker=ann, title="Why is our export query slow?", skills=["sql"], urgency="normal", mode="written",
        description="The monthly export takes **12 minutes**. It joins orders and customers.",
        tried="Added an index on `orders.customer_id`.", now=_at(today, 20), queue_if_unmatched=False)
    services.help_request_ask(request=solved, actor=ann, people=[boss], now=_at(today, 20, 11))
    services.help_ask_respond(ask=solved.asks.get(person=boss), actor=boss, accept=True, now=_at(today, 20, 12))
    services.help_message_post(request=solved, author=boss, now=_at(today, 20, 13),
                               body="Run `EXPLAIN ANALYZE`: the join sorts on a text column. Cast it once in a CTE.")
    services.help_message_post(request=solved, author=ann, body="That was it: 40 seconds now.", now=_at(today, 19))
    services.help_request_resolve(request=solved, actor=ann, helper=boss, now=_at(today, 19, 11))
    services.help_request_thank(request=solved, actor=ann, note="Saved my afternoon", now=_at(today, 19, 12))
    services.help_request_publish_agree(request=solved, actor=ann, now=_at(today, 19, 13))
    services.help_request_publish_agree(request=solved, actor=boss, now=_at(today, 18))

    # Open, asked, accepted, in conversation.
    talking = services.help_request_create(
        asker=eve, title="Handling a pricing objection from a long-time customer", skills=["negotiation", "pricing"],
        urgency="high", mode="call", description="They say a competitor is 20% cheaper.", now=_at(today, 1),
        queue_if_unmatched=False)
    services.help_request_ask(request=talking, actor=eve, people=[sam], note="You handled this last quarter",
                              now=_at(today, 1, 11))
    services.help_message_post(request=talking, author=sam, now=_at(today, 1, 14),
                               body="Reframe around the cost of switching. Free for a call at 3?")

    # Open, passed on.
    passed = services.help_request_create(
        asker=boss, title="Running a retrospective for a team of 25", skills=["facilitation"], mode="chat",
        now=_at(today, 2), queue_if_unmatched=False)
    helper = next((p for p in members if p.pk not in (boss.pk, lena.pk)), ann)
    services.help_request_ask(request=passed, actor=boss, people=[helper], now=_at(today, 2, 11))
    services.help_ask_pass(ask=passed.asks.get(person=helper), actor=helper, to=lena,
                           note="Lena runs these for L&D", now=_at(today, 2, 15))

    # Nobody answered: in the L&D queue.
    queued = services.help_request_create(
        asker=ann, title="Getting started with accessibility audits", skills=["accessibility auditing"],
        description="Where do I begin with WCAG for our customer portal?", now=_at(today, 9),
        queue_if_unmatched=False)
    services.help_request_queue(request=queued, reason="no_answer", now=_at(today, 6))
    expertise.index_invalidate()
    return f"{interactions} past interactions, 4 help requests (1 in the L&D queue: “{queued.title}”)"
