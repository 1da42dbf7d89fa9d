"""The cross-posting API: no secrets, only your own things, errors in the envelope."""

from __future__ import annotations

import pytest

from crossposting.models import CrossPost
from tests.crossposting import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_connections_list_shows_no_secret(api_as, alice, connect):
    connect("mastodon")
    response = api_as(alice).get("/api/v1/connections")
    assert response.status_code == 200
    assert response.json()[0]["network"] == "mastodon"
    assert response.json()[0]["hint"] == "••••9876"
    assert fakes.MASTODON_TOKEN not in response.content.decode()


def test_connections_need_a_creator_and_a_token(api, api_as, bob):
    assert api.get("/api/v1/connections").status_code == 401
    response = api_as(bob).get("/api/v1/connections")
    assert response.status_code == 403
    assert set(response.json()) >= {"detail", "code"}


def test_a_posts_crossposts_are_its_creators_only(api_as, alice, carol):
    post = PostFactory(creator=alice)
    CrossPost.objects.create(post=post, creator=alice, network="bluesky", status=CrossPost.Status.FAILED, error="x")
    assert api_as(carol).get(f"/api/v1/posts/{post.pk}/crossposts").status_code == 404
    response = api_as(alice).get(f"/api/v1/posts/{post.pk}/crossposts")
    assert response.status_code == 200
    assert response.json()[0]["status"] == "failed"


def test_retrying_a_sent_crosspost_is_a_conflict(api_as, alice, connect, publish):
    connect("mastodon")
    post = publish()
    row = CrossPost.objects.create(post=post, creator=alice, network="mastodon", status=CrossPost.Status.SENT)
    response = api_as(alice).post(f"/api/v1/crossposts/{row.pk}/retry")
    assert response.status_code == 409
    assert response.json()["code"] == "not_failed"
