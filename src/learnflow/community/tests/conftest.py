from __future__ import annotations

import pytest


@pytest.fixture
def communities(org):
    """An open, a closed and a hidden community. boss facilitates all three; ann is a member of each; tim, eve,
    lena (L&D), sam (a manager) and root (admin) are members of none."""
    from learnflow.community.services import community_create, member_add

    made = {}
    for access in ("open", "closed", "hidden"):
        c = community_create(actor=org.boss, name=f"{access.title()} practice", access=access,
                             description=f"The {access} one")
        member_add(community=c, actor=org.boss, user=org.ann)
        made[access] = c
    return made


@pytest.fixture
def post_in(org):
    from learnflow.community.services import post_create

    def make(community, author=None, kind="question", title="How do we roll back a migration?", body="", **kw):
        return post_create(community=community, author=author or org.ann, kind=kind, title=title, body=body, **kw)

    return make
