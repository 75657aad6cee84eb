"""Shared test fixtures: the personas every Learnflow test speaks of.

ann   a member of Engineering, managed by boss
tim   ann's teammate (Engineering, managed by boss)
boss  the Engineering manager
eve   a member of Sales (another team), managed by sam
lena  L&D
root  the admin
"""
from __future__ import annotations

import os
import tempfile

os.environ.setdefault("LEARNFLOW_DATA_DIR", tempfile.mkdtemp(prefix="learnflow-test-"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path, django_db_blocker):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["learnflow.core.testing.FastArgon2PasswordHasher"]
    from django.core.cache import cache

    # The database cache needs the database even in tests that otherwise do not.
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _cache_table(django_db_setup, django_db_blocker):
    # Failed-login throttling lives in the database cache, whose table migrations do not create.
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)


class Org:
    def __init__(self):
        from learnflow.org.models import Role
        from learnflow.org.services import team_create, user_create

        self.password = "correct horse battery staple"
        self.engineering = team_create(name="Engineering")
        self.sales = team_create(name="Sales")
        mk = lambda username, **kw: user_create(username=username, password=self.password, check_password=False,  # noqa: E731
                                                first_name=username.title(), **kw)
        self.root = mk("root", role=Role.ADMIN)
        self.lena = mk("lena", role=Role.LND)
        self.boss = mk("boss", role=Role.MANAGER, team=self.engineering)
        self.sam = mk("sam", role=Role.MANAGER, team=self.sales)
        self.ann = mk("ann", team=self.engineering, manager=self.boss)
        self.tim = mk("tim", team=self.engineering, manager=self.boss)
        self.eve = mk("eve", team=self.sales, manager=self.sam)

    @property
    def everyone(self):
        return {"ann": self.ann, "tim": self.tim, "boss": self.boss, "eve": self.eve, "lena": self.lena,
                "root": self.root, "sam": self.sam}


@pytest.fixture
def org(db) -> Org:
    return Org()


@pytest.fixture
def token_for(db):
    from learnflow.org.services import api_token_create

    def make(user) -> dict[str, str]:
        _, raw = api_token_create(user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


@pytest.fixture
def entry_factory(db):
    from learnflow.journal.services import entry_create

    def make(author, title="Learned something", **kw):
        return entry_create(author=author, title=title, **kw)

    return make


@pytest.fixture
def in_days():
    """A date `days` from today in `user`'s time zone."""
    import datetime as dt

    from learnflow.journal.services import today_for

    def make(user, days: int) -> dt.date:
        return today_for(user) + dt.timedelta(days=days)

    return make


@pytest.fixture
def goal_factory(db, in_days):
    from learnflow.goals.services import goal_create

    def make(owner, title="Lead a design review", days=60, **kw):
        return goal_create(owner=owner, title=title, target_date=in_days(owner, days), **kw)

    return make


@pytest.fixture
def statement_for(db):
    """A recorded xAPI statement about `user`, as an LMS would send it."""
    from django.conf import settings

    from learnflow.lrs.models import Statement
    from learnflow.lrs.services import lrs_key_create, statements_store

    key = lrs_key_create(org_tool="Company LMS").key

    def make(user, name="Secure coding basics", iri="https://lms.example/c/1"):
        statement = {
            "actor": {"objectType": "Agent", "name": user.display_name,
                      "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": user.username}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"objectType": "Activity", "id": iri, "definition": {"name": {"en-US": name}}},
        }
        ids, _ = statements_store(key=key, statements=[statement], version="1.0.3")
        return Statement.objects.get(id=ids[0])

    return make


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(name="notes.txt", content=b"hello file\n"):
        return SimpleUploadedFile(name, content)

    return make
