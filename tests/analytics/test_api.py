"""GET /api/v1/creators/{id}/analytics and /api/v1/posts/{id}/analytics: the daily series, for the owner or staff."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from analytics import services
from tests.posts.factories import PostFactory


def view(post, *, visitor="v1", at=None):
    services.process_event(
        {
            "id": str(uuid.uuid4()),
            "kind": "view",
            "post_id": str(post.pk),
            "creator_id": str(post.creator_id),
            "visitor_hash": visitor,
            "at": (at or timezone.now()).isoformat(),
        }
    )


def creator_url(user) -> str:
    return f"/api/v1/creators/{user.pk}/analytics"


def post_url(post) -> str:
    return f"/api/v1/posts/{post.pk}/analytics"


class TestCreatorSeries:
    def test_the_creator_gets_one_entry_per_day_with_zeros(self, api_as, alice, post):
        today = timezone.localdate()
        view(post, at=timezone.now() - dt.timedelta(days=2))
        view(post)
        view(post, visitor="v2")
        start = today - dt.timedelta(days=3)
        response = api_as(alice).get(creator_url(alice), {"from": start.isoformat(), "to": today.isoformat()})
        assert response.status_code == 200
        body = response.json()
        assert body["start"] == start.isoformat()
        assert [d["views"] for d in body["days"]] == [0, 1, 0, 2]
        assert [d["unique_visitors"] for d in body["days"]] == [0, 1, 0, 2]
        assert body["totals"]["views"] == 3
        assert set(body["days"][0]) >= {"date", "subscribers_gained", "subscribers_lost", "comments"}

    def test_defaults_to_the_last_30_days(self, api_as, alice):
        body = api_as(alice).get(creator_url(alice)).json()
        assert len(body["days"]) == 30
        assert body["end"] == timezone.localdate().isoformat()

    def test_staff_may_read_any_creator(self, api_as, staff, alice):
        assert api_as(staff).get(creator_url(alice)).status_code == 200

    def test_another_user_gets_403_in_the_envelope(self, api_as, alice, carol):
        response = api_as(carol).get(creator_url(alice))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert set(response.json()) == {"detail", "code", "field_errors"}

    def test_anonymous_gets_401(self, api, alice):
        response = api.get(creator_url(alice))
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_staff_asking_for_an_unknown_creator_gets_404(self, api_as, staff):
        response = api_as(staff).get(f"/api/v1/creators/{uuid.uuid4()}/analytics")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize(
        "params",
        [
            {"from": "yesterday"},
            {"to": "2026-02-30"},
            {"from": "2026-03-02", "to": "2026-03-01"},
            {"from": "2020-01-01", "to": "2026-01-01"},
        ],
    )
    def test_bad_dates_are_400_naming_the_field(self, api_as, alice, params):
        response = api_as(alice).get(creator_url(alice), params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert set(body["field_errors"]) & {"from", "to"}

    @pytest.mark.parametrize("size", [1, 30])
    def test_queries_are_fixed(self, api_as, alice, size, django_assert_max_num_queries):
        for i in range(size):
            p = PostFactory(creator=alice, published=True)
            view(p, at=timezone.now() - dt.timedelta(days=i % 30))
        client = api_as(alice)
        with django_assert_max_num_queries(4):
            assert client.get(creator_url(alice)).status_code == 200


class TestPostSeries:
    def test_the_creator_gets_the_posts_series(self, api_as, alice, post):
        view(post)
        body = api_as(alice).get(post_url(post), {"from": timezone.localdate().isoformat()}).json()
        assert body["post_id"] == str(post.pk)
        assert body["days"] == [
            {
                "date": timezone.localdate().isoformat(),
                "views": 1,
                "unique_visitors": 1,
                "comments": 0,
                "emails_sent": 0,
                "clicks": 0,
            }
        ]

    def test_someone_elses_post_is_403_and_an_unknown_one_404(self, api_as, carol, post):
        client = api_as(carol)
        assert client.get(post_url(post)).status_code == 403
        response = client.get(f"/api/v1/posts/{uuid.uuid4()}/analytics")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_staff_may_read_any_post(self, api_as, staff, post):
        assert api_as(staff).get(post_url(post)).status_code == 200
