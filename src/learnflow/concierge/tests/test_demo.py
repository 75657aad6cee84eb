import datetime as dt
import random

from learnflow.concierge.demo import seed
from learnflow.concierge.models import HelpRequest


def test_the_demo_seeds_requests_in_every_state(org):
    people = [org.root, org.ann, org.tim, org.boss, org.eve, org.sam, org.lena]
    phrase = seed(people=people, rng=random.Random(1), today=dt.date(2026, 11, 18))
    assert "1 in the L&D queue" in phrase
    states = {(r.status, r.in_queue) for r in HelpRequest.objects.all()}
    assert states == {("resolved", False), ("open", False), ("open", True)}
    assert HelpRequest.objects.get(status="resolved").resource.status == "published"
