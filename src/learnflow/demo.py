"""The demo organisation: ~40 people in 5 teams with managers and L&D, and a few hundred journal entries over the
past months, made through the same services people use, so it looks and behaves like real use."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from learnflow.core.visibility import Visibility
from learnflow.journal.models import Way
from learnflow.journal.services import LinkIn, entry_create, today_for
from learnflow.org.models import Role, User
from learnflow.org.services import team_create, user_create

DEMO_PASSWORD = "learnflow-demo"

TEAMS = {
    "Engineering": ("boss", "Ben", "Oyelaran", "Engineering manager",
                    ["python", "code review", "observability", "sql", "testing", "architecture"]),
    "Customer Success": ("carla", "Carla", "Mendes", "Head of customer success",
                         ["onboarding", "negotiation", "product knowledge", "empathy", "crm"]),
    "Sales": ("sam", "Sam", "Kowalski", "Sales lead", ["discovery calls", "pricing", "negotiation", "crm"]),
    "Operations": ("olga", "Olga", "Petrenko", "Operations manager",
                   ["process design", "excel", "procurement", "lean", "planning"]),
    "Learning & Development": ("lena", "Lena", "Fischer", "Head of L&D",
                               ["facilitation", "curation", "coaching", "instructional design", "community building"]),
}
FIRST = ["Ann", "Raj", "Mia", "Tom", "Zoe", "Ivan", "Lucia", "Kofi", "Hana", "Pavel", "Noor", "Eli", "Sara", "Jon",
         "Aiko", "Marc", "Ines", "Omar", "Leah", "Theo", "Nina", "Dev", "Rosa", "Felix", "Yara", "Ola", "Chen", "Ida",
         "Hugo", "Maya", "Kai", "Vera", "Ravi", "Elsa", "Luca"]
LAST = ["Smith", "Patel", "Garcia", "Nguyen", "Okafor", "Larsen", "Rossi", "Haddad", "Novak", "Tanaka", "Silva",
        "Dubois", "Kim", "Ahmed", "Brown", "Costa", "Weber", "Ivanova", "Moreau", "Sato"]
LEARNINGS = [
    ("How to read a flame graph to find the slow function", Way.EXPERIMENTING, "Profiling our export job showed "
     "most time in JSON encoding. **Lesson:** measure before guessing."),
    ("Asking 'what would make this a great outcome for you?' opens up a stuck call", Way.DAILY_WORK,
     "Tried it with a frustrated customer; the conversation turned."),
    ("Pairing with a colleague on a migration taught me to write the rollback first", Way.COLLEAGUES, ""),
    ("Our onboarding checklist misses the SSO step", Way.DAILY_WORK, "Three customers stumbled on it this week."),
    ("Article: the difference between coaching and mentoring", Way.READING, "Coaching asks, mentoring tells."),
    ("Podcast on negotiation anchors", Way.MEDIA, "First number sets the frame; prepare yours."),
    ("Feedback from my manager on how I run stand-ups", Way.MANAGER, "Keep it to blockers; move details after."),
    ("Found how to use window functions for running totals", Way.WEB_SEARCH,
     "`SUM(x) OVER (ORDER BY day)` replaces my self-join."),
    ("Community of practice session on writing job aids", Way.COMMUNITIES, "One page, one task, verbs first."),
    ("Conference talk on observability budgets", Way.EVENTS, "Sample traces, keep all errors."),
    ("Finished the online course module on statistics for A/B tests", Way.ONLINE_COURSE, ""),
    ("Workshop on facilitation techniques: 1-2-4-all", Way.CLASSROOM, "Everyone speaks; works with 30 people."),
    ("A question on a professional forum solved our timezone bug", Way.NETWORKS, "Store UTC, convert at the edges."),
    ("Pricing objection: reframe around cost of delay", Way.COLLEAGUES, "Sam showed me in a call recording."),
    ("Kanban WIP limits made our queue visible", Way.EXPERIMENTING, "Limit of 3 per person cut lead time."),
    ("Learned to write better incident summaries", Way.DAILY_WORK, "What happened, impact, what we changed."),
    ("Excel: XLOOKUP with multiple criteria", Way.WEB_SEARCH, ""),
    ("Shadowed a senior colleague on a renewal call", Way.COLLEAGUES, "She lets silence do the work."),
    ("Book: Thinking in Systems, chapter on feedback loops", Way.READING, "Delays cause oscillation."),
    ("Retro format 'sailboat' gave quieter people a voice", Way.EXPERIMENTING, ""),
    ("Writing the error message first clarifies what the function should refuse", Way.DAILY_WORK,
     "Started an API endpoint from its 4xx messages; the validation fell out of it."),
    ("A customer's workaround told us more than the feature request", Way.DAILY_WORK,
     "Ask to see how they do it today before designing anything."),
    ("Meetup talk: running internal communities of practice", Way.NETWORKS, "Start with a problem people share."),
    ("Video: how to give a 5-minute demo", Way.MEDIA, "Show the outcome first, then how."),
    ("Timeboxing code review to 30 minutes keeps reviews useful", Way.EXPERIMENTING, ""),
    ("Learned how our billing proration works by tracing one invoice", Way.DAILY_WORK,
     "Walked one real invoice end to end with finance."),
    ("Coaching conversation: GROW model in practice", Way.MANAGER, "Goal, reality, options, will — in 20 minutes."),
    ("Read the postmortem of last year's outage", Way.READING, "Most of the damage came from the alert nobody owned."),
    ("Spreadsheet pivot tables for the quarterly report", Way.WEB_SEARCH, "Saved two hours of copy-paste."),
    ("Asked a colleague how she prepares for negotiations", Way.COLLEAGUES, "She writes the walk-away point first."),
    ("Webinar on accessibility basics", Way.EVENTS, "Every input needs a label; colour is never the only signal."),
    ("Tried pairing with a new joiner on a real ticket", Way.EXPERIMENTING, "Faster onboarding than the wiki."),
]
SHARE_NOTES = [
    "This saved me an hour; it may save you one too.",
    "Relevant for anyone on call.",
    "Useful before your next customer call.",
    "Small change, big difference for our retros.",
    "Worth a read for the team.",
    "Would love to hear how others do this.",
]
AVAILABILITY = [("available", ""), ("available", ""), ("busy", "Deep in the quarterly plan until Friday"),
                ("away", "Back on Monday"), ("available", "Happy to pair on Fridays")]
TAGS = ["meetings", "customers", "data", "writing", "feedback", "tooling", "process", "communication", "quality"]


def _person(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        username = f"{first}.{last}".lower()
        if username not in used:
            used.add(username)
            return username, first, last


@transaction.atomic
def demo_seed(seed: int = 7) -> tuple[bool, str]:
    if User.objects.filter(username="ann").exists():
        return False, ""
    rng = random.Random(seed)
    used = {"ann", "boss", "carla", "sam", "olga", "lena", "root", "eve"}
    root = user_create(username="root", password=DEMO_PASSWORD, role=Role.ADMIN, first_name="Robin",
                       last_name="Admin", job_title="IT administrator", check_password=False)
    people: list[User] = [root]
    for team_name, (username, first, last, job, skills) in TEAMS.items():
        team = team_create(name=team_name)
        role = Role.LND if team_name == "Learning & Development" else Role.MANAGER
        lead = user_create(username=username, password=DEMO_PASSWORD, role=role, team=team, first_name=first,
                           last_name=last, job_title=job, skills=skills[:3], interests=skills[3:],
                           email=f"{username}@demo.learnflow.local", check_password=False)
        people.append(lead)
        size = 7 if team_name != "Learning & Development" else 6
        for i in range(size):
            if team_name == "Engineering" and i == 0:
                uname, ufirst, ulast = "ann", "Ann", "Lee"
            elif team_name == "Sales" and i == 0:
                uname, ufirst, ulast = "eve", "Eve", "Martin"
            else:
                uname, ufirst, ulast = _person(rng, used)
            member = user_create(
                username=uname, password=DEMO_PASSWORD, role=Role.LND if team_name.startswith("Learning") else Role.MEMBER,
                team=team, manager=lead, first_name=ufirst, last_name=ulast,
                job_title=rng.choice(["Specialist", "Senior specialist", "Associate", "Analyst", "Consultant"]),
                skills=rng.sample(skills, 2), interests=rng.sample(skills, 1),
                email=f"{uname}@demo.learnflow.local", check_password=False,
            )
            people.append(member)
    today = today_for(root)
    count = 0
    weights = [Visibility.PRIVATE] * 6 + [Visibility.TEAM] * 2 + [Visibility.MANAGER, Visibility.ORGANISATION]
    for person in people:
        n = 24 if person.username == "ann" else rng.randint(3, 12)
        for _ in range(n):
            title, way, body = rng.choice(LEARNINGS)
            day = today - dt.timedelta(days=rng.randint(0, 150) if person.username != "ann" else rng.randint(0, 40))
            visibility = rng.choice(weights)
            entry_create(
                author=person, title=title, body=body, way=way, learned_on=day, minutes=rng.choice([None, 10, 15,
                                                                                                     30, 45, 60, 90]),
                visibility=visibility, share_note=rng.choice(SHARE_NOTES) if visibility != "private" else "",
                tags=rng.sample(TAGS, rng.randint(0, 2)),
                links=[LinkIn(url="https://en.wikipedia.org/wiki/Reflective_practice", title="Reflective practice")]
                if rng.random() < 0.1 else [],
                reflection={"happened": "It came up in a real task.", "learned": body or title,
                            "apply": "Next time I will try it first.", "differently": ""}
                if rng.random() < 0.3 else None,
                source="demo",
            )
            count += 1
    # Ann logs most days lately, so her streak and heat map show what the journal looks like in use.
    ann = next(p for p in people if p.username == "ann")
    recent = [
        ("Feature flags let us ship the migration dark", Way.DAILY_WORK, "tooling"),
        ("Tim showed me how he writes commit messages for reviewers", Way.COLLEAGUES, "writing"),
        ("Stand-up feedback from Ben: lead with the blocker", Way.MANAGER, "meetings"),
        ("How our support team triages tickets", Way.COLLEAGUES, "customers"),
        ("EXPLAIN ANALYZE showed the missing index", Way.EXPERIMENTING, "data"),
        ("Article on writing useful postmortems", Way.READING, "quality"),
    ]
    for back, (title, way, tag) in enumerate(recent):
        entry_create(author=ann, title=title, way=way, learned_on=today - dt.timedelta(days=back), tags=[tag],
                     minutes=rng.choice([10, 15, 20, 30]), source="demo")
        count += 1
    for person in people:
        person.availability, person.availability_note = rng.choice(AVAILABILITY)
        person.save(update_fields=["availability", "availability_note"])
    count_statements = _demo_statements(rng, people, today)
    extras = _demo_extras(rng, people, today)
    return True, (f"Created the demo organisation: {len(people)} people in {len(TEAMS)} teams, {count} journal entries, "
                  f"{count_statements} xAPI statements from a demo LMS" + "".join(f", {e}" for e in extras) + ".")


# Each domain app seeds its own part of the demo organisation: `learnflow.<app>.demo.seed(people=, rng=, today=)`
# returns a short phrase for the summary ("12 goals"). Order matters: later apps build on earlier ones.
DEMO_EXTRAS = ["goals", "development", "library", "flow", "community", "concierge", "portfolio"]


def _demo_extras(rng: random.Random, people: list[User], today: dt.date) -> list[str]:
    import importlib

    done = []
    for app in DEMO_EXTRAS:
        try:
            module = importlib.import_module(f"learnflow.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"learnflow.{app}.demo":
                raise
            continue
        phrase = module.seed(people=people, rng=rng, today=today)
        if phrase:
            done.append(phrase)
    return done


COURSES = [
    ("https://lms.demo.learnflow.local/courses/secure-coding", "Secure coding basics", "course"),
    ("https://lms.demo.learnflow.local/courses/customer-conversations", "Customer conversations", "course"),
    ("https://lms.demo.learnflow.local/videos/feedback-that-lands", "Feedback that lands", "video"),
    ("https://lms.demo.learnflow.local/sims/incident-drill", "Incident response drill", "simulation"),
]
VERBS = [("http://adlnet.gov/expapi/verbs/completed", "completed"), ("http://adlnet.gov/expapi/verbs/passed", "passed"),
         ("http://adlnet.gov/expapi/verbs/experienced", "experienced")]


def _demo_statements(rng: random.Random, people: list[User], today: dt.date) -> int:
    """What an organisation's LMS would have sent: a few course completions and videos, through the LRS itself."""
    from django.conf import settings

    from learnflow.lrs.services import lrs_key_create, statements_store

    key = lrs_key_create(org_tool="Demo LMS", label="Demo LMS").key
    statements = []
    for person in people:
        for _ in range(4 if person.username == "ann" else rng.randint(0, 2)):
            iri, name, kind = rng.choice(COURSES)
            verb_iri, verb = rng.choice(VERBS)
            when = dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 60)), dt.time(rng.randint(8, 17)),
                                       tzinfo=dt.timezone.utc)
            statement = {
                "actor": {"objectType": "Agent", "name": person.display_name,
                          "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": person.username}},
                "verb": {"id": verb_iri, "display": {"en-US": verb}},
                "object": {"objectType": "Activity", "id": iri, "definition": {
                    "name": {"en-US": name}, "type": f"http://adlnet.gov/expapi/activities/{kind}"}},
                "timestamp": when.isoformat().replace("+00:00", "Z"),
                "context": {"platform": "Demo LMS"},
            }
            if verb != "experienced":
                statement["result"] = {"completion": True, "success": verb == "passed",
                                       "score": {"scaled": round(rng.uniform(0.6, 1.0), 2)},
                                       "duration": f"PT{rng.randint(10, 90)}M"}
            statements.append(statement)
    statements_store(key=key, statements=statements, version="1.0.3")
    return len(statements)
