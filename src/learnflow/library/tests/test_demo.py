from __future__ import annotations

import datetime as dt
import random

import pytest

from learnflow.library.models import Collection, Resource, ResourceStatus

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_library_without_the_network(org):
    from learnflow.library.demo import seed

    people = [org.root, org.lena, org.boss, org.sam, org.ann, org.tim, org.eve]
    phrase = seed(people=people, rng=random.Random(3), today=dt.date.today())
    assert "library resources" in phrase
    assert Resource.objects.filter(status=ResourceStatus.PUBLISHED).count() >= 25
    assert Resource.objects.filter(status=ResourceStatus.IN_REVIEW).count() == 1
    assert Collection.objects.count() == 2
