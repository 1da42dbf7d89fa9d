"""The subscriptions API: every row of the issue's table, and its errors in the envelope."""

from __future__ import annotations

import uuid

import pytest

from subscriptions import services
from subscriptions.models import Subscription
from tests.posts.factories import PostFactory
from tests.subscriptions.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
ENVELOPE = {"detail", "code", "field_errors"}


def subscribe_url(user) -> str:
    return f"/api/v1/creators/{user.pk}/subscribe"


def assert_error(r, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == ENVELOPE
    if code:
        assert body["code"] == code


def test_subscribe_is_201_then_200_and_reactivates(api_as, alice, bob):
    client = api_as(bob)
    r = client.post(subscribe_url(alice))
    assert r.status_code == 201
    assert r.json()["subscriber_id"] == str(bob.pk)
    assert r.json()["creator_id"] == str(alice.pk)
    assert r.json()["status"] == "active"
    sub_id = r.json()["id"]
    r = client.post(f"/api/v1/creators/{alice.pk}/unsubscribe")
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    r = client.post(subscribe_url(alice))
    assert r.status_code == 200
    assert r.json()["id"] == sub_id
    assert r.json()["status"] == "active"


def test_subscribe_errors(api, api_as, alice, bob, carol):
    assert_error(api.post(subscribe_url(alice)), 401)
    assert_error(api_as(alice).post(subscribe_url(alice)), 400, "self_subscription")
    assert_error(api_as(carol).post(subscribe_url(bob)), 404)  # bob is a reader
    assert_error(api_as(carol).post(f"/api/v1/creators/{uuid.uuid4()}/subscribe"), 404)
    assert_error(api_as(bob).get(subscribe_url(alice)), 405)
    assert not Subscription.objects.exists()


def test_unsubscribe_errors(api, api_as, alice, bob):
    assert_error(api.post(f"/api/v1/creators/{alice.pk}/unsubscribe"), 401)
    assert_error(api_as(bob).post(f"/api/v1/creators/{alice.pk}/unsubscribe"), 404, "not_subscribed")


def test_a_users_subscriptions_for_themself_or_staff_only(api, api_as, alice, bob, carol, staff):
    services.subscribe(subscriber=bob, creator=alice)
    services.subscribe(subscriber=bob, creator=carol)
    url = f"/api/v1/users/{bob.pk}/subscriptions"
    for client in (api_as(bob), api_as(staff)):
        r = client.get(url)
        assert r.status_code == 200
        assert r.json()["count"] == 2
        assert {row["creator_id"] for row in r.json()["results"]} == {str(alice.pk), str(carol.pk)}
        assert set(r.json()["results"][0]) >= {"id", "creator_id", "status", "subscribed_at"}
    assert_error(api_as(carol).get(url), 403)
    assert_error(api.get(url), 401)
    assert_error(api_as(staff).get(f"/api/v1/users/{uuid.uuid4()}/subscriptions"), 404)


def test_a_creators_subscribers_for_that_creator_or_staff_only(api, api_as, alice, bob, carol, staff):
    services.subscribe(subscriber=bob, creator=alice)
    SubscriptionFactory.create_batch(4, creator=alice)
    url = f"/api/v1/creators/{alice.pk}/subscribers"
    r = api_as(alice).get(url, {"limit": 2, "offset": 0})
    assert r.status_code == 200
    assert r.json()["count"] == 5
    assert len(r.json()["results"]) == 2
    assert r.json()["next"]
    assert api_as(staff).get(url).json()["count"] == 5
    assert_error(api_as(bob).get(url), 403)
    assert_error(api_as(carol).get(url), 403)
    assert_error(api.get(url), 401)
    assert_error(api_as(staff).get(f"/api/v1/creators/{bob.pk}/subscribers"), 404)


@pytest.mark.parametrize("n_posts", [2, 15])
def test_feed_is_paginated_newest_first_in_fixed_queries(
    api_as, alice, bob, carol, n_posts, django_assert_max_num_queries
):
    services.subscribe(subscriber=bob, creator=alice)
    PostFactory.create_batch(n_posts, creator=alice, published=True)
    PostFactory(creator=carol, published=True)  # not followed
    client = api_as(bob)
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/feed", {"limit": 10})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == n_posts
    dates = [p["published_at"] for p in body["results"]]
    assert dates == sorted(dates, reverse=True)
    assert {p["creator_id"] for p in body["results"]} == {str(alice.pk)}


def test_feed_needs_a_token(api):
    assert_error(api.get("/api/v1/feed"), 401)


def test_schema_documents_the_errors_as_the_envelope(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    ops = {
        ("/api/v1/creators/{creator_id}/subscribe", "post"): {"200", "201", "400", "401", "404"},
        ("/api/v1/creators/{creator_id}/unsubscribe", "post"): {"200", "401", "404"},
        ("/api/v1/users/{user_id}/subscriptions", "get"): {"200", "401", "403", "404"},
        ("/api/v1/creators/{creator_id}/subscribers", "get"): {"200", "401", "403", "404"},
        ("/api/v1/feed", "get"): {"200", "401"},
    }
    for (path, method), statuses in ops.items():
        responses = schema["paths"][path][method]["responses"]
        assert statuses <= set(responses), (path, method)
        for status in statuses - {"200", "201"}:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorEnvelope"
