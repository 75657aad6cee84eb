"""Demo data for the library: topics (some nested), about thirty resources people use in the middle of work —
how-tos, checklists, job aids, curated links, a video link and a document link — two collections, votes, comments,
a flag and one resource waiting for review. Made through the services, with no network access (links carry their
own titles)."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

TOPICS: list[tuple[str, str | None, str]] = [
    ("Customer conversations", None, "Calls, complaints and renewals."),
    ("Difficult calls", "Customer conversations", "When a call goes wrong."),
    ("Code review", None, "Reviewing changes so that they get better and people learn."),
    ("Data and SQL", None, "Querying, reporting and tuning."),
    ("Feedback", None, "Giving and receiving feedback that lands."),
    ("Onboarding", None, "The first weeks, for new starters and their buddies."),
    ("Security", None, "Keeping customer data and our systems safe."),
]

PAGES: list[tuple[str, str, str, list[str]]] = [
    ("Checklist: before you open a pull request", "Five checks that save your reviewer an hour.",
     "- [ ] The title says what changes and why\n- [ ] Tests cover the new behaviour\n- [ ] No debug output left\n"
     "- [ ] The migration runs both ways\n- [ ] Screenshots for anything visible", ["Code review"]),
    ("How to review a change in 20 minutes", "Read the description first, then the tests, then the code.",
     "## Order\n\n1. Read the description: what problem?\n2. Read the tests: what does *done* mean?\n3. Read the code "
     "last.\n\n## Comments\n\nSay what you see, why it matters, and one way out. Mark nits as **nit**.", ["Code review"]),
    ("Job aid: the four sentences of a hard call", "Acknowledge, own, offer, confirm.",
     "1. **Acknowledge**: “I can hear this has cost you a day.”\n2. **Own**: “This is ours to fix.”\n3. **Offer**: two "
     "options with times.\n4. **Confirm**: repeat what happens next and when.", ["Difficult calls"]),
    ("Refund decision table", "Which refunds you can approve yourself, and which go to a lead.",
     "| Case | Up to | Who |\n|---|---|---|\n| Double charge | any amount | you |\n| Service outage | 1 month | you |\n"
     "| Goodwill | 50 EUR | you |\n| Anything else | — | team lead |", ["Customer conversations"]),
    ("Reading EXPLAIN ANALYZE in five minutes", "Find the node with the biggest actual time; check rows estimated vs "
     "actual.", "## Look for\n\n- **Seq Scan** on a big table with a filter\n- estimates off by 10× or more\n- "
     "nested loops over thousands of rows\n\nThen: index, rewrite, or `ANALYZE`.", ["Data and SQL"]),
    ("Month-end report checklist", "Run order and the three numbers to sanity-check.",
     "1. Refresh the sales extract\n2. Run the revenue report\n3. Check: totals match the ledger, no negative "
     "regions, row count within 5 % of last month", ["Data and SQL"]),
    ("SBI feedback template", "Situation, behaviour, impact — and then ask.",
     "**Situation**: when and where.\n\n**Behaviour**: what you saw or heard, not what you think it meant.\n\n"
     "**Impact**: what it did to you, the team or the customer.\n\nThen ask: *how did you see it?*", ["Feedback"]),
    ("Asking for feedback that you can use", "Ask one narrow question, soon after.",
     "Instead of “any feedback?”, ask “what is one thing I could have cut from that demo?”", ["Feedback"]),
    ("Your first week: who to meet", "Names and why, for new starters.",
     "- Your buddy: day one, coffee\n- Your manager: day one, goals for the first month\n- IT: laptop and accounts\n"
     "- Someone from Support: how customers see us", ["Onboarding"]),
    ("Laptop and accounts setup", "Step by step; about 45 minutes.",
     "1. Sign in with the temporary password\n2. Set up the password manager\n3. Turn on disk encryption\n"
     "4. Request repository access", ["Onboarding", "Security"]),
    ("Spotting a phishing email", "Three things to check before you click.",
     "- The sender's real address, not the name\n- Links: hover first\n- Urgency and secrecy are red flags\n\n"
     "Forward anything odd to security@.", ["Security"]),
    ("What to do if you lose your laptop", "Call first, then write.",
     "1. Call the IT hotline at once (24/7)\n2. Change your main password from another device\n3. Write down where "
     "and when", ["Security"]),
    ("Closing a renewal call", "Summarise, confirm the decision maker, agree the next date.",
     "End every renewal call with: what we agreed, who signs, and the date of the next call.",
     ["Customer conversations"]),
    ("Writing a postmortem people read", "Timeline, impact, causes, actions — blameless.",
     "## Sections\n\n1. Summary in three lines\n2. Timeline\n3. Impact in customer terms\n4. Contributing causes\n"
     "5. Actions with owners and dates", ["Code review"]),
    ("Giving feedback to your manager", "Make it about the work and ask for permission first.",
     "“Can I give you some feedback on yesterday's planning?” — then SBI.", ["Feedback"]),
]

LINKS: list[tuple[str, str, str, str, str, list[str], str]] = [
    # kind, title, url, site, summary, topics, curator note
    ("link", "Code review guidelines", "https://google.github.io/eng-practices/review/", "Google Engineering "
     "Practices", "How Google reviews code: the standard, what to look for, speed.", ["Code review"],
     "The clearest public write-up of what a good review is."),
    ("link", "Use the index, Luke", "https://use-the-index-luke.com/", "use-the-index-luke.com",
     "SQL indexing and tuning explained for developers.", ["Data and SQL"], "Start with the chapter on WHERE."),
    ("link", "Radical Candor: the framework", "https://www.radicalcandor.com/our-approach/", "Radical Candor",
     "Care personally, challenge directly.", ["Feedback"], "A shared vocabulary for the team's feedback habits."),
    ("link", "How to handle an angry customer", "https://hbr.org/2014/06/how-to-handle-an-angry-customer",
     "Harvard Business Review", "Listen, empathise, apologise, solve.", ["Difficult calls"], ""),
    ("link", "OWASP Top Ten", "https://owasp.org/www-project-top-ten/", "OWASP",
     "The ten most critical web application security risks.", ["Security", "Code review"],
     "Every reviewer should know these by name."),
    ("link", "Writing for the web", "https://www.nngroup.com/articles/how-users-read-on-the-web/",
     "Nielsen Norman Group", "People scan: front-load, chunk, cut.", ["Onboarding"], ""),
    ("video", "Explain analyze, visually", "https://www.youtube.com/watch?v=mCwwFAl1pBU", "YouTube",
     "A 12-minute walk through a real query plan.", ["Data and SQL"], ""),
    ("document", "Security policy (PDF)", "https://intranet.demo.learnflow.local/policies/security.pdf", "Intranet",
     "The company security policy, version 4.", ["Security"], ""),
    ("link", "The feedback fallacy", "https://hbr.org/2019/03/the-feedback-fallacy", "Harvard Business Review",
     "Why telling people what to improve often fails.", ["Feedback"], "Read it with the SBI template."),
    ("link", "SQLite query planner", "https://www.sqlite.org/queryplanner.html", "SQLite",
     "How SQLite chooses indexes, from its authors.", ["Data and SQL"], ""),
    ("link", "Customer service phrases", "https://www.helpscout.com/blog/customer-service-phrases/", "Help Scout",
     "Phrases that calm, and the ones that inflame.", ["Customer conversations"], ""),
    ("link", "New starter buddy guide", "https://intranet.demo.learnflow.local/buddy", "Intranet",
     "What a buddy does in the first month.", ["Onboarding"], ""),
    ("link", "Conventional comments", "https://conventionalcomments.org/", "conventionalcomments.org",
     "Labels for review comments: praise, nitpick, suggestion, issue.", ["Code review"], ""),
    ("link", "Have I Been Pwned", "https://haveibeenpwned.com/", "Have I Been Pwned",
     "Check whether an address appears in a data breach.", ["Security"], ""),
]

COMMENTS = ["This saved me on a Friday call.", "Could we add an example for **partial refunds**?",
            "We use this in every review now.", "Short and right. Thanks!", "Step 3 needs the new VPN client."]


def seed(*, people: list[Any], rng: random.Random, today: dt.date) -> str:
    from learnflow.curation.models import Topic
    from learnflow.curation.services import topic_create, topic_get_or_create
    from learnflow.library import services
    from learnflow.org.models import Role

    by_name = {p.username: p for p in people}
    curators = [p for p in people if p.role == Role.LND] or [people[0]]
    lead = by_name.get("lena") or curators[0]
    members = [p for p in people if p.role == Role.MEMBER] or people

    topics: dict[str, Topic] = {}
    for name, parent, description in TOPICS:
        existing = Topic.objects.filter(name__iexact=name).first()
        if existing is None and parent is not None:
            existing = topic_create(actor=lead, name=name, parent=topics[parent], description=description)
        topics[name] = existing or topic_get_or_create(name=name)[0]
        if not topics[name].description:
            topics[name].description = description
            topics[name].save(update_fields=["description"])

    resources = []
    for title, summary, body, names in PAGES:
        author = rng.choice(curators + members[:6])
        resources.append(services.resource_create(author=author, kind="page", title=title, summary=summary,
                                                  body=body, topics=[topics[n] for n in names]))
    for kind, title, url, site, summary, names, note in LINKS:
        resources.append(services.resource_create(author=rng.choice(curators), kind=kind, title=title, url=url,
                                                  site_name=site, summary=summary, curator_note=note,
                                                  topics=[topics[n] for n in names]))
    # Security is reviewed: a member's how-to waits for L&D.
    services.topic_review_set(topic=topics["Security"], actor=lead, review_required=True)
    author = by_name.get("eve") or members[0]
    services.resource_create(author=author, kind="page", title="Locking your screen: the shortcuts",
                                       summary="Windows, macOS and Linux.", topics=[topics["Security"]],
                                       body="- Windows: **Win + L**\n- macOS: **Ctrl + Cmd + Q**\n- Linux: **Super + L**")

    for resource in resources:
        for voter in rng.sample(people, k=rng.randint(0, min(8, len(people)))):
            services.vote_set(resource=resource, user=voter)
    for resource in rng.sample(resources, k=min(6, len(resources))):
        services.comment_add(resource=resource, author=rng.choice(members), body=rng.choice(COMMENTS))
    vpn = next(r for r in resources if r.title == "Laptop and accounts setup")
    services.flag_raise(resource=vpn, user=rng.choice(members), kind="needs_update",
                        note="The VPN step changed with the new client.")

    def find(title: str):
        return next(r for r in resources if r.title == title)

    services.collection_create(
        author=lead, title="Your first week", topic=topics["Onboarding"],
        description="Five short things to read or do in your first week, in this order.",
        resources=[find("Your first week: who to meet"), find("Laptop and accounts setup"),
                   find("Spotting a phishing email"), find("New starter buddy guide"),
                   find("SBI feedback template")])
    services.collection_create(
        author=lead, title="Reviewing code well", topic=topics["Code review"],
        description="From your first review to reviews people thank you for.",
        resources=[find("Checklist: before you open a pull request"), find("How to review a change in 20 minutes"),
                   find("Conventional comments"), find("Code review guidelines"), find("OWASP Top Ten")])

    ann = by_name.get("ann")
    if ann is not None:
        for resource in resources[:4]:
            services.resource_open(resource=resource, viewer=ann)
        services.resource_complete(resource=resources[0], viewer=ann)
    total = len(resources) + 1
    return f"{total} library resources on {len(topics)} topics (1 waiting for review), 2 collections"
