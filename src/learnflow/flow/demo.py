"""Demo data: people follow a few topics and curators, and choose how often they want a digest."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Sequence

from learnflow.curation.models import Topic
from learnflow.flow.models import Frequency
from learnflow.flow.services import digest_preference_update, follow_add, is_followable_curator


def seed(*, people: Sequence[Any], rng: random.Random, today: dt.date) -> str:
    topics = list(Topic.objects.order_by("pk"))
    curators = [p for p in people if is_followable_curator(p)]
    follows = 0
    for person in people:
        if not person.is_active:
            continue
        for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 3))):
            follow_add(user=person, topic=topic)
            follows += 1
        for curator in rng.sample(curators, k=min(len(curators), 1)):
            if curator.pk != person.pk:
                follow_add(user=person, curator=curator)
                follows += 1
        frequency = rng.choices([Frequency.WEEKLY, Frequency.DAILY, Frequency.OFF], weights=[6, 3, 1])[0]
        digest_preference_update(user=person, frequency=frequency, by_email=rng.random() < 0.7)
    return f"{follows} follows"
