import datetime as dt
import random


def test_demo_seed_gives_people_follows_and_digest_choices(org, topics):
    from learnflow.flow.demo import seed
    from learnflow.flow.models import DigestPreference, Follow

    people = [org.root, org.ann, org.tim, org.boss, org.eve, org.sam, org.lena]
    phrase = seed(people=people, rng=random.Random(4), today=dt.date.today())
    assert phrase.endswith("follows")
    assert Follow.objects.filter(topic__isnull=False).count() >= len(people)
    assert DigestPreference.objects.count() == len(people)
    assert not Follow.objects.filter(curator__isnull=False, curator__role="member").exists()
