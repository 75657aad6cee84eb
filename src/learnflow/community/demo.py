"""Demo data for communities: five communities of practice (open, closed and hidden), working-out-loud posts,
questions with accepted answers, threaded replies, "useful" marks, a shared journal entry, a waiting join request and
a guided discussion whose prompts open one by one. Made through the services people use."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

COMMUNITIES = [
    ("Data & SQL practitioners", "open", "boss",
     "For anyone who writes queries or reads dashboards.\n\n- Ask about slow queries, schemas and reports\n"
     "- Share what you learned the hard way\n- Monthly *query clinic* on the first Tuesday"),
    ("Facilitation circle", "open", "lena",
     "Running retros, workshops and meetings that decide. We try **Liberating Structures** and tell each other how "
     "it went."),
    ("Customer conversations", "closed", "sam",
     "Sales and support people practising hard conversations. Closed so that people can share real calls "
     "openly: ask to join."),
    ("New managers", "hidden", "lena",
     "A safe room for people in their first two years of managing. What is said here stays here."),
    ("Accessibility guild", "open", "carla",
     "Making what we build usable by keyboard, screen reader and everyone else."),
]

POSTS = {
    "Data & SQL practitioners": [
        ("question", "Why does our month-end report scan the whole invoices table?",
         "EXPLAIN shows `SCAN invoices` even though there is an index on `created_at`. Any idea?",
         [("The filter wraps the column in a function (`date(created_at)`), so the index cannot be used. Compare "
           "with a range instead: `created_at >= ? AND created_at < ?`.", True),
          ("Also check the statistics are fresh — `ANALYZE` after the big import.", False)]),
        ("learned", "", "Learned today that a partial index on `status = 'open'` made our queue query 40× faster "
                        "because 99% of rows are closed.", [("Nice — @ann did the same for notifications.", False)]),
        ("stuck", "", "Stuck on a migration that needs to backfill 30M rows without locking. Batches of 10k still "
                      "block writers for seconds.", [("Try smaller batches with a short sleep, and commit each.",
                                                      False)]),
        ("working_on", "", "Working on a dashboard of onboarding time per team. Looking for someone who has joined "
                           "HR data before.", []),
    ],
    "Facilitation circle": [
        ("learned", "1-2-4-All worked with 30 people", "Everyone spoke in the first ten minutes. Next time I will "
                                                       "time-box the 'all' part harder.",
         [("Did you write the questions up front? That helped me a lot.", False)]),
        ("question", "How do you close a retro that ran out of time?", "We had three actions left undiscussed.",
         [("Dot-vote the remaining ones and take the top one only.", True),
          ("Or park them in the next stand-up — retros do not have to finish everything.", False)]),
    ],
    "Customer conversations": [
        ("stuck", "", "A renewal where the customer wants a 30% discount for the same scope. I keep conceding "
                      "small things.", [("Prepare your walk-away point before the call, and trade — never give.",
                                         False)]),
        ("question", "What do you say when a customer asks about the roadmap?", "",
         [("Talk about the problem they want solved, not dates.", True)]),
    ],
    "New managers": [
        ("working_on", "", "Working on my first round of 1:1s. I am writing a short agenda doc per person.",
         [("Let them own the agenda — it changed my 1:1s completely.", False)]),
        ("question", "How do you give feedback to someone more senior than you?", "",
         [("Ask for permission first, then be specific about one situation.", True)]),
    ],
    "Accessibility guild": [
        ("learned", "Screen readers announce the page title first", "So every page needs a distinct `<title>`.",
         []),
        ("question", "Is `outline: none` ever OK?", "",
         [("Only if you replace it with an equally visible focus style.", True)]),
    ],
}

PROMPTS = [
    "What is one meeting you ran this month that went well — and why?",
    "Which meeting would you cancel if you could, and what would replace it?",
    "Try one new structure this week. What happened?",
]


def _by_name(people: list[Any]) -> dict[str, Any]:
    return {p.username: p for p in people}


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.community import services
    from learnflow.community.models import MemberRole

    named = _by_name(people)
    active = [p for p in people[1:] if p.is_active]
    if len(active) < 4:
        return "no communities (too few people)"
    now = timezone.now()
    made, posts, replies = [], 0, 0
    for name, access, lead_name, description in COMMUNITIES:
        lead = named.get(lead_name) or rng.choice(active)
        community = services.community_create(actor=lead, name=name, access=access, description=description)
        members = rng.sample([p for p in active if p.pk != lead.pk], k=min(len(active) - 1, rng.randint(8, 14)))
        for extra in ("ann", "boss", "eve"):
            person = named.get(extra)
            if person and person.pk != lead.pk and person not in members and (access != "hidden" or extra == "boss"):
                members.append(person)
        for i, person in enumerate(members):
            services.member_add(community=community, actor=lead, user=person,
                                role=MemberRole.FACILITATOR if i == 0 and access != "hidden" else MemberRole.MEMBER)
        made.append((community, lead, members))
        everyone = [lead] + members
        for days_ago, (kind, title, body, answers) in zip(range(20, 0, -4), POSTS.get(name, [])):
            author = rng.choice(everyone)
            at = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))
            post = services.post_create(community=community, author=author, kind=kind, title=title, body=body, at=at)
            posts += 1
            previous = None
            for j, (text, accept) in enumerate(answers):
                helper = rng.choice([p for p in everyone if p.pk != author.pk])
                reply = services.reply_create(post=post, author=helper, body=text,
                                              parent=previous if (previous and j == 1 and not accept) else None,
                                              at=at + dt.timedelta(hours=2 + j * 3))
                replies += 1
                if accept:
                    services.answer_accept(post=post, reply=reply, actor=author)
                for fan in rng.sample(everyone, k=min(3, len(everyone))):
                    if fan.pk != helper.pk:
                        services.useful_set(actor=fan, reply=reply, useful=True)
                previous = reply
    # ann shares one of her own journal entries with the data community, after confirming.
    ann = named.get("ann")
    data_community = made[0][0]
    if ann is not None:
        from learnflow.journal.models import Entry

        entry = Entry.objects.owned_by(ann).order_by("-learned_on").first()
        if entry is not None:
            services.post_create(community=data_community, author=ann, kind="entry", entry_id=entry.pk,
                                 confirm_share=True, body="Worth a read if you are fighting slow reports: what I "
                                                          "tried and what finally worked.")
            posts += 1
    # A request to join the closed community waits for its facilitator.
    closed = next(c for c, _, _ in made if c.access == "closed")
    outsider = next((p for p in active if not closed.memberships.filter(user=p).exists()), None)
    if outsider is not None:
        services.community_join(community=closed, actor=outsider, message="I run renewal calls every week.")
    # A guided discussion in the facilitation circle: one prompt open, two still scheduled.
    circle, circle_lead, circle_members = made[1]
    discussion = services.discussion_create(
        community=circle, actor=circle_lead, title="Better meetings, one week at a time",
        intro="Three prompts, one a week. Answer from your own work; short is fine.", prompts=PROMPTS,
        starts_at=now - dt.timedelta(days=2), every_days=7)
    first = discussion.prompts.order_by("position").first()
    for person in circle_members[:3]:
        services.reply_create(post=first, author=person, body=rng.choice([
            "Our planning: we wrote the decision we needed on the invite, and left with it.",
            "The incident review — a timeline on the wall first, opinions after.",
            "A 15-minute stand-up that ended in 9 because we only talked about blockers.",
        ]))
        replies += 1
    return f"{len(made)} communities, {posts} posts, {replies} replies, 1 guided discussion"
