"""The creator's dashboard, the per-post page, CSV exports and the staff page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import services
from tests.analytics.conftest import read
from tests.posts.factories import PostFactory


def view_event(post, *, visitor="v1", at=None, referrer=""):
    return {
        "id": str(uuid.uuid4()),
        "kind": "view",
        "post_id": str(post.pk),
        "creator_id": str(post.creator_id),
        "visitor_hash": visitor,
        "referrer_domain": referrer,
        "utm_source": "",
        "at": (at or timezone.now()).isoformat(),
    }


def other_event(kind, creator, *, post=None, count=1, at=None):
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "post_id": str(post.pk) if post else None,
        "creator_id": str(creator.pk),
        "count": count,
        "at": (at or timezone.now()).isoformat(),
    }


class TestDashboard:
    def test_the_numbers_equal_the_events_sent_through_the_worker(self, jobs, client, alice, post):
        second = PostFactory(creator=alice, published=True, title="Seed saving", slug="seed-saving")
        for i in range(5):
            read(client, post, ip=f"203.0.113.{i % 3}")  # 5 views, 3 readers
        read(client, second, ip="198.51.100.9", Referer="https://news.example.com/x")
        for kind in ["subscribe", "subscribe", "unsubscribe", "comment"]:
            services.track_event(kind=kind, creator_id=alice.pk, post_id=post.pk if kind == "comment" else None)
        jobs.drain()

        client.force_login(alice)
        response = client.get(reverse("analytics:dashboard") + "?days=7")
        assert response.status_code == 200
        t = response.context["summary"].totals
        assert t["views"] == 6
        assert t["unique_visitors"] == 4
        assert (t["subscribers_gained"], t["subscribers_lost"], t["comments"]) == (2, 1, 1)
        top = response.context["summary"].top_posts
        assert [(r["post__title"], r["views"]) for r in top] == [("Winter bulbs", 5), ("Seed saving", 1)]
        page = response.content.decode()
        assert "news.example.com" in page
        assert "<svg" in page
        assert '<title id="views-chart-title">' in page
        assert '<desc id="views-chart-desc">6 views in total' in page
        assert 'class="visually-hidden"' in page

    def test_switching_the_period_with_htmx_returns_only_the_panel(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("analytics:dashboard") + "?days=90", headers={"HX-Request": "true"})
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<section id="analytics-panel"')
        assert "<html" not in body
        assert "Last 90 days" in body
        assert 'hx-get="?days=7"' in body
        assert 'href="?days=7"' in body

    def test_an_unknown_period_falls_back_to_30_days(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("analytics:dashboard") + "?days=banana")
        assert response.context["days"] == 30

    def test_anonymous_readers_are_sent_to_log_in_and_readers_refused(self, client, bob):
        response = client.get(reverse("analytics:dashboard"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        client.force_login(bob)
        assert client.get(reverse("analytics:dashboard")).status_code == 403

    def test_the_trend_compares_with_the_previous_period(self, db, client, alice, post):
        today = timezone.now()
        for _ in range(2):
            services.process_event(view_event(post, at=today - dt.timedelta(days=8)))
        for v in range(3):
            services.process_event(view_event(post, visitor=f"x{v}", at=today))
        client.force_login(alice)
        response = client.get(reverse("analytics:dashboard") + "?days=7")
        assert response.context["summary"].trends["views"] == 50
        assert "+50% on the previous 7 days" in response.content.decode()

    @pytest.mark.parametrize("posts", [1, 12])
    def test_queries_are_fixed_whatever_the_data_size(self, db, client, alice, posts, django_assert_max_num_queries):
        for _ in range(posts):
            p = PostFactory(creator=alice, published=True)
            for d in range(posts * 3):
                services.process_event(
                    view_event(
                        p, visitor=f"v{d}", at=timezone.now() - dt.timedelta(days=d % 90), referrer=f"r{d}.example"
                    )
                )
        client.force_login(alice)
        with django_assert_max_num_queries(6):  # 5 + the nav's unread-notifications count
            assert client.get(reverse("analytics:dashboard") + "?days=90").status_code == 200


class TestPostPage:
    def test_the_creator_sees_the_posts_numbers(self, db, client, alice, post):
        services.process_event(view_event(post, referrer="social.example"))
        services.process_event(view_event(post, visitor="v2"))
        client.force_login(alice)
        response = client.get(reverse("analytics:post", args=[post.pk]))
        assert response.status_code == 200
        assert response.context["summary"].totals["views"] == 2
        assert response.context["summary"].totals["unique_visitors"] == 2
        assert "social.example" in response.content.decode()

    def test_staff_see_it_and_other_people_get_404(self, client, post, carol, staff):
        url = reverse("analytics:post", args=[post.pk])
        client.force_login(carol)
        assert client.get(url).status_code == 404
        assert client.get(reverse("analytics:post_export", args=[post.pk])).status_code == 404
        client.force_login(staff)
        assert client.get(url).status_code == 200

    @pytest.mark.parametrize("days", [1, 40])
    def test_queries_are_fixed(self, db, client, alice, post, days, django_assert_max_num_queries):
        for d in range(days):
            services.process_event(view_event(post, at=timezone.now() - dt.timedelta(days=d), referrer=f"r{d}.example"))
        client.force_login(alice)
        with django_assert_max_num_queries(6):  # 5 + the nav's unread-notifications count
            assert client.get(reverse("analytics:post", args=[post.pk]) + "?days=90").status_code == 200


class TestCsvExport:
    def test_the_creators_daily_figures_as_csv(self, db, client, alice, post):
        yesterday = timezone.now() - dt.timedelta(days=1)
        services.process_event(view_event(post, at=yesterday))
        services.process_event(other_event("subscribe", alice))
        client.force_login(alice)
        response = client.get(reverse("analytics:export") + "?days=7")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 7
        by_date = {r["date"]: r for r in rows}
        assert by_date[timezone.localdate(yesterday).isoformat()]["views"] == "1"
        assert by_date[timezone.localdate().isoformat()]["subscribers_gained"] == "1"

    def test_a_posts_daily_figures_as_csv(self, db, client, alice, post):
        services.process_event(view_event(post))
        client.force_login(alice)
        response = client.get(reverse("analytics:post_export", args=[post.pk]) + "?days=7")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows[-1]["date"] == timezone.localdate().isoformat()
        assert rows[-1]["views"] == "1"


class TestStaffPage:
    def test_staff_see_site_wide_figures(self, db, client, staff, alice, carol, post):
        theirs = PostFactory(creator=carol, published=True)
        services.process_event(view_event(post))
        services.process_event(view_event(theirs))
        services.process_event(view_event(theirs, visitor="v2"))
        client.force_login(staff)
        response = client.get(reverse("analytics:site"))
        assert response.status_code == 200
        totals = response.context["site"]["totals"]
        assert totals["views"] == 3
        assert totals["active_creators"] == 2
        assert totals["posts_published"] == 2

    def test_creators_are_refused(self, client, alice):
        client.force_login(alice)
        assert client.get(reverse("analytics:site")).status_code == 403


class TestAdmin:
    def test_staff_can_browse_the_daily_figures_read_only(self, db, client, staff, post):
        services.process_event(view_event(post))
        client.force_login(staff)
        response = client.get(reverse("admin:analytics_dailypoststats_changelist"))
        assert response.status_code == 200
        assert "Winter bulbs" in response.content.decode()
        assert client.get(reverse("admin:analytics_dailypoststats_add")).status_code == 403
