"""Feeds page without counting every row: a page knows whether an older one exists, and nothing is lost between
pages or shown twice."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/journal/\d+/">([^<]+)</a></h3>', response.content.decode())


@pytest.mark.parametrize("path, visibility", [("/journal/organisation/", "organisation"),
                                              ("/journal/team/", "team")])
def test_feed_pages_walk_every_shared_entry_once(client, org, entry_factory, path, visibility):
    for i in range(23):
        entry_factory(org.tim, title=f"Shared learning {i:02d}", visibility=visibility)
    entry_factory(org.tim, title="Kept private", visibility="private")
    client.force_login(org.ann)

    first = client.get(path)
    assert first.status_code == 200
    assert len(_titles(first)) == 20
    assert "Older →" in first.content.decode() and "← Newer" not in first.content.decode()
    assert "Page 1" in first.content.decode()

    second = client.get(path, {"page": 2})
    assert len(_titles(second)) == 3
    assert "Older →" not in second.content.decode() and "← Newer" in second.content.decode()

    seen = _titles(first) + _titles(second)
    assert sorted(seen) == [f"Shared learning {i:02d}" for i in range(23)]
    assert "Kept private" not in seen


def test_feed_page_number_out_of_range_or_garbage_is_not_an_error(client, org, entry_factory):
    entry_factory(org.tim, title="Only one", visibility="organisation")
    client.force_login(org.ann)
    assert _titles(client.get("/journal/organisation/", {"page": "nonsense"})) == ["Only one"]
    far = client.get("/journal/organisation/", {"page": 99})
    assert far.status_code == 200 and _titles(far) == []
    assert "← Newer" in far.content.decode()
