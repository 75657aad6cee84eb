"""The community pages and the API: the confirmation step, posting, answering, accepting."""
from __future__ import annotations

import pytest
from django.urls import reverse

from learnflow.community.models import Post

pytestmark = pytest.mark.django_db


def test_posting_a_private_entry_shows_a_confirmation_first(org, communities, entry_factory, client):
    entry = entry_factory(org.ann, title="Private lesson")
    client.force_login(org.ann)
    url = reverse("community:post_new", args=[communities["open"].slug])
    data = {"kind": "entry", "entry": entry.pk, "body": "Worth it because…"}
    page = client.post(url, data)
    assert page.status_code == 200 and b"Share this entry with" in page.content
    assert not Post.objects.exists()
    done = client.post(url, {**data, "confirm_share": "on"})
    assert done.status_code == 302 and Post.objects.get().share.entry == entry


def test_a_question_answered_and_accepted_through_the_pages(org, communities, client):
    slug = communities["open"].slug
    client.force_login(org.ann)
    client.post(reverse("community:post_new", args=[slug]), {"kind": "question", "title": "Which linter?"})
    post = Post.objects.get()
    client.force_login(org.boss)
    client.post(reverse("community:reply", args=[slug, post.pk]), {"body": "Ruff."})
    reply = post.replies.get()
    client.force_login(org.ann)
    assert client.post(reverse("community:accept", args=[slug, post.pk, reply.pk])).status_code == 302
    page = client.get(reverse("community:post", args=[slug, post.pk]))
    assert b"Accepted answer" in page.content and b"Ruff." in page.content
    community_page = client.get(reverse("community:detail", args=[slug]))
    assert community_page.status_code == 200 and b"Which linter?" in community_page.content


def test_a_question_without_a_title_keeps_what_was_typed(org, communities, client):
    client.force_login(org.ann)
    page = client.post(reverse("community:post_new", args=[communities["open"].slug]),
                       {"kind": "question", "body": "Details I typed"})
    assert page.status_code == 400 and b"Details I typed" in page.content and b"Ask your question" in page.content


def test_api_posts_replies_and_reactions(org, communities, token_for, client):
    slug = communities["closed"].slug
    ann, boss, eve = token_for(org.ann), token_for(org.boss), token_for(org.eve)
    created = client.post(f"/api/communities/{slug}/posts", {"kind": "question", "title": "Q?"},
                          content_type="application/json", **ann)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    reply = client.post(f"/api/communities/posts/{pk}/replies", {"body": "A."}, content_type="application/json",
                        **boss)
    assert reply.status_code == 201
    rid = reply.json()["id"]
    assert client.put(f"/api/communities/replies/{rid}/useful", {"useful": True},
                      content_type="application/json", **ann).json() == {"useful": True}
    accepted = client.post(f"/api/communities/posts/{pk}/accept", {"reply_id": rid},
                           content_type="application/json", **ann)
    assert accepted.json()["accepted_reply_id"] == rid
    # eve is not a member of the closed community: she sees it exists, but not its posts.
    assert client.get(f"/api/communities/posts/{pk}", **eve).status_code == 404
    assert client.get(f"/api/communities/{slug}/posts", **eve).status_code == 404
    joined = client.post(f"/api/communities/{slug}/join", {"message": "hi"}, content_type="application/json", **eve)
    assert joined.json() == {"status": "requested"}
    requests = client.get(f"/api/communities/{slug}/requests", **boss).json()
    decided = client.post(f"/api/communities/requests/{requests[0]['id']}", {"approve": True},
                          content_type="application/json", **boss)
    assert decided.json()["status"] == "approved"
    assert client.get(f"/api/communities/posts/{pk}", **eve).status_code == 200


def test_api_hidden_community_is_404_for_outsiders(org, communities, token_for, client):
    slug = communities["hidden"].slug
    assert client.get(f"/api/communities/{slug}", **token_for(org.root)).status_code == 404
    assert client.get(f"/api/communities/{slug}", **token_for(org.ann)).status_code == 200


def test_api_a_question_without_a_title_is_a_400_naming_the_field(org, communities, token_for, client):
    response = client.post(f"/api/communities/{communities['open'].slug}/posts", {"kind": "question"},
                           content_type="application/json", **token_for(org.ann))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "title"
