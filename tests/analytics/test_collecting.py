"""Views are counted server-side, once per reader per day, without bots, prefetches or the creator."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from analytics import outbox
from analytics.models import (
    CreatorVisitor,
    DailyCreatorReferrer,
    DailyCreatorStats,
    DailyPostStats,
    DailyReferrer,
    Event,
    PostVisitor,
)
from tests.analytics.conftest import FIREFOX, SAFARI, read


def post_stats(post, day=None):
    return DailyPostStats.objects.filter(post=post, day=day or timezone.localdate()).first()


class TestWhatCounts:
    def test_a_readers_views_are_counted_by_the_worker(self, jobs, client, post):
        assert read(client, post).status_code == 200
        read(client, post)
        read(client, post, ip="198.51.100.1", ua=SAFARI)
        jobs.drain()
        stats = post_stats(post)
        assert (stats.views, stats.unique_visitors) == (3, 2)
        creator = DailyCreatorStats.objects.get(creator=post.creator)
        assert (creator.views, creator.unique_visitors) == (3, 2)
        assert Event.objects.filter(post=post, kind="view").count() == 3

    @pytest.mark.parametrize(
        "ua",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "curl/8.5.0",
            "python-requests/2.32.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
            "",
        ],
    )
    def test_bots_and_crawlers_are_not_counted(self, jobs, client, post, ua):
        assert read(client, post, ua=ua).status_code == 200
        jobs.drain()
        assert post_stats(post) is None
        assert not Event.objects.exists()

    @pytest.mark.parametrize(
        "headers", [{"Sec-Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"}, {"Purpose": "prefetch"}]
    )
    def test_prefetches_are_not_counted(self, jobs, client, post, headers):
        assert read(client, post, **headers).status_code == 200
        jobs.drain()
        assert post_stats(post) is None

    def test_the_creator_reading_their_own_post_is_not_counted(self, jobs, client, post, alice, bob):
        client.force_login(alice)
        assert read(client, post).status_code == 200
        client.force_login(bob)
        read(client, post, ip="198.51.100.2")
        jobs.drain()
        stats = post_stats(post)
        assert (stats.views, stats.unique_visitors) == (1, 1)

    def test_referrer_domain_and_utm_source_are_kept_but_not_the_url(self, jobs, client, post):
        url = post.get_absolute_url() + "?utm_source=newsletter"
        client.get(
            url,
            headers={"User-Agent": FIREFOX, "Referer": "https://www.news.example.org/item?id=42&user=me"},
            REMOTE_ADDR="203.0.113.9",
        )
        read(client, post, Referer="http://testserver/")  # our own site: direct
        jobs.drain()
        event = Event.objects.get(utm_source="newsletter")
        assert event.referrer_domain == "news.example.org"
        referrers = dict(DailyReferrer.objects.values_list("domain", "count"))
        assert referrers == {"news.example.org": 1, "": 1}
        assert dict(DailyCreatorReferrer.objects.values_list("domain", "count")) == referrers
        assert not Event.objects.filter(referrer_domain__contains="item").exists()


class TestUniqueVisitorsAcrossDays:
    def test_same_visitor_same_day_is_one_unique_and_next_day_another(self, jobs, client, post, monkeypatch):
        day1 = timezone.now().replace(hour=23, minute=50)
        day2 = day1 + dt.timedelta(minutes=20)  # just after midnight
        monkeypatch.setattr("django.utils.timezone.now", lambda: day1)
        read(client, post)
        read(client, post)
        monkeypatch.setattr("django.utils.timezone.now", lambda: day2)
        read(client, post)
        jobs.drain()
        first = post_stats(post, timezone.localdate(day1))
        second = post_stats(post, timezone.localdate(day2))
        assert (first.views, first.unique_visitors) == (2, 1)
        assert (second.views, second.unique_visitors) == (1, 1)
        # The hash rotates with the day: the two days' hashes cannot be linked.
        hashes = set(Event.objects.values_list("visitor_hash", flat=True))
        assert len(hashes) == 2


class TestPrivacy:
    def test_no_ip_address_or_user_agent_is_stored_anywhere(self, jobs, client, post):
        ip = "203.0.113.77"
        read(client, post, ip=ip, Referer="https://social.example/@someone/123456")
        jobs.drain()
        rows = [
            *Event.objects.values(),
            *DailyPostStats.objects.values(),
            *DailyCreatorStats.objects.values(),
            *DailyReferrer.objects.values(),
            *DailyCreatorReferrer.objects.values(),
            *PostVisitor.objects.values(),
            *CreatorVisitor.objects.values(),
        ]
        assert len(rows) == 7
        text = repr(rows)
        assert ip not in text
        assert "Firefox" not in text
        assert "123456" not in text


class TestBrokerDown:
    @pytest.fixture
    def broker_down(self, monkeypatch):
        import dramatiq

        def refuse(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(dramatiq.get_broker(), "enqueue", refuse)

    def test_sending_from_the_request_the_page_still_renders_and_a_warning_is_logged(
        self, client, post, caplog, settings, broker_down
    ):
        settings.ANALYTICS_OUTBOX_BATCH = 1  # the request that fills the batch sends it
        with caplog.at_level(logging.WARNING, logger="analytics.services"):
            response = read(client, post)
        assert response.status_code == 200
        assert "Winter bulbs" in response.content.decode()
        assert any("broker unavailable" in r.getMessage() for r in caplog.records)
        assert outbox.pending() == 0  # dropped, not piling up in the web process
        assert not Event.objects.exists()

    def test_buffered_events_are_dropped_with_a_warning_when_the_flush_fails(
        self, client, post, caplog, settings, broker_down
    ):
        settings.ANALYTICS_OUTBOX_BATCH = 50
        outbox.discard()
        with caplog.at_level(logging.WARNING, logger="analytics.services"):
            responses = [read(client, post, ip=f"203.0.113.{i}") for i in range(3)]
            assert [r.status_code for r in responses] == [200, 200, 200]
            assert outbox.pending() == 3
            assert outbox.flush() is False  # what the flush thread (or the 50th event's request) does
        assert any("3 analytics event(s) dropped, broker unavailable" in r.getMessage() for r in caplog.records)
        assert outbox.pending() == 0
        assert not Event.objects.exists()


class TestApiViews:
    """`GET /api/v1/posts/{id}` (another app's view) calls services.track_post_view with its DRF request."""

    def drf_request(self, user, **headers):
        from rest_framework.request import Request
        from rest_framework.test import APIRequestFactory

        request = Request(APIRequestFactory().get("/api/v1/posts/x", headers=headers, REMOTE_ADDR="203.0.113.5"))
        request.user = user
        return request

    def test_a_reader_counts_and_the_creator_does_not(self, jobs, post, alice, bob):
        from analytics import services

        assert services.track_post_view(
            request=self.drf_request(bob, **{"User-Agent": FIREFOX}), post_id=post.pk, creator_id=post.creator_id
        )
        assert not services.track_post_view(
            request=self.drf_request(alice, **{"User-Agent": FIREFOX}), post_id=post.pk, creator_id=post.creator_id
        )
        assert not services.track_post_view(
            request=self.drf_request(bob, **{"User-Agent": "python-requests/2.32.3"}),
            post_id=post.pk,
            creator_id=alice.pk,
        )
        jobs.drain()
        assert DailyPostStats.objects.get(post=post).views == 1


class TestPageCache:
    @pytest.mark.urls("tests.analytics.cached_urls")
    def test_views_served_from_the_page_cache_are_counted(self, jobs, client, post):
        first = read(client, post, ip="203.0.113.1")
        second = read(client, post, ip="203.0.113.2")
        assert first["X-Page-Cache"] == "miss"
        assert second["X-Page-Cache"] == "hit"
        jobs.drain()
        stats = post_stats(post)
        assert (stats.views, stats.unique_visitors) == (2, 2)
