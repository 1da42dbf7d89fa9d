"""The worker's aggregates, idempotence, the other event kinds, retention and the rebuild."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from analytics import outbox, services, tasks
from analytics.models import (
    CreatorVisitor,
    DailyCreatorReferrer,
    DailyCreatorStats,
    DailyPostStats,
    DailyReferrer,
    DailySalt,
    Event,
    PostVisitor,
)
from tests.analytics.conftest import read
from tests.posts.factories import PostFactory


def view(post, *, visitor="v1", at=None, referrer="", send=True):
    payload = {
        "id": str(uuid.uuid4()),
        "kind": "view",
        "post_id": str(post.pk),
        "creator_id": str(post.creator_id),
        "visitor_hash": visitor,
        "referrer_domain": referrer,
        "at": (at or timezone.now()).isoformat(),
    }
    if send:
        services.process_event(payload)
    return payload


def other_event(kind, creator, *, post=None, count=1):
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "post_id": str(post.pk) if post else None,
        "creator_id": str(creator.pk),
        "count": count,
        "at": timezone.now().isoformat(),
    }


def figures(model, **filters):
    fields = [f.name for f in model._meta.fields if f.name not in {"id"}]
    return sorted(tuple(str(v) for v in row) for row in model.objects.filter(**filters).values_list(*fields))


class TestBurstThroughTheRealWorker:
    def test_a_burst_of_page_views_adds_up(self, jobs, client, alice, post):
        readers = 7
        for i in range(60):
            read(client, post, ip=f"192.0.2.{i % readers}", Referer="https://search.example/?q=bulbs" if i % 2 else "")
        jobs.drain()
        stats = DailyPostStats.objects.get(post=post)
        assert (stats.views, stats.unique_visitors) == (60, readers)
        assert DailyCreatorStats.objects.get(creator=alice).views == 60
        assert dict(DailyReferrer.objects.values_list("domain", "count")) == {"search.example": 30, "": 30}
        assert Event.objects.count() == 60

    def test_a_burst_of_mixed_events_in_batches_equals_what_was_sent(self, jobs, alice, carol, post, settings):
        """What the outbox sends (batches of 50) through the broker and one worker: the figures equal the events."""
        settings.ANALYTICS_OUTBOX_BATCH = 50
        other = PostFactory(creator=carol, published=True)
        sent = [view(post, visitor=f"v{i % 13}", referrer="a.example" if i % 3 else "", send=False) for i in range(230)]
        sent += [view(other, visitor=f"v{i % 5}", send=False) for i in range(40)]
        kinds = ["comment"] * 7 + ["subscribe"] * 5 + ["unsubscribe"] * 2 + ["email_click"] * 3
        sent += [other_event(kind, alice, post=None if "subscribe" in kind else post) for kind in kinds]
        sent.append(other_event("email_sent", alice, post=post, count=120))
        for payload in sent:
            outbox.add(payload)
        jobs.drain()
        assert Event.objects.count() == len(sent) == 288
        assert not Event.objects.filter(aggregated=False).exists()
        p = DailyPostStats.objects.get(post=post)
        assert (p.views, p.unique_visitors, p.comments, p.clicks, p.emails_sent) == (230, 13, 7, 3, 120)
        c = DailyCreatorStats.objects.get(creator=alice)
        assert (c.views, c.unique_visitors, c.comments) == (230, 13, 7)
        assert (c.subscribers_gained, c.subscribers_lost, c.clicks, c.emails_sent) == (5, 2, 3, 120)
        assert DailyCreatorStats.objects.get(creator=carol).views == 40
        assert DailyPostStats.objects.get(post=other).unique_visitors == 5
        assert dict(DailyCreatorReferrer.objects.filter(creator=alice).values_list("domain", "count")) == {
            "a.example": 153,
            "": 77,
        }

    def test_a_busy_page_sends_few_messages(self, jobs, client, post, settings, monkeypatch):
        settings.ANALYTICS_OUTBOX_BATCH = 50
        outbox.discard()
        sent = []
        send = tasks.process_analytics_events.send
        monkeypatch.setattr(tasks.process_analytics_events, "send", lambda b: sent.append(len(b)) or send(b))
        started = time.monotonic()
        for i in range(120):
            read(client, post, ip=f"192.0.2.{i % 9}")
        elapsed = time.monotonic() - started
        jobs.drain()
        # One message per 50 events or per second (the flush thread), whichever comes first; not one per view.
        assert sum(sent) == 120
        assert len(sent) <= 120 // 50 + int(elapsed / settings.ANALYTICS_OUTBOX_SECONDS) + 2, (sent, elapsed)
        assert max(sent) == 50 or elapsed > 1
        stats = DailyPostStats.objects.get(post=post)
        assert (stats.views, stats.unique_visitors) == (120, 9)

    def test_a_redelivered_batch_counts_once(self, jobs, post):
        batch = [view(post, visitor=f"v{i % 4}", send=False) for i in range(30)]
        tasks.process_analytics_events.send(batch)
        jobs.drain()
        tasks.process_analytics_events.send(batch)  # the broker delivers it again (a worker died before its ack)
        tasks.process_analytics_events.send(batch[:10])
        jobs.drain()
        stats = DailyPostStats.objects.get(post=post)
        assert (stats.views, stats.unique_visitors) == (30, 4)
        assert Event.objects.count() == 30

    def test_two_aggregator_runs_at_once_never_count_twice(self, transactional_db, alice, post):
        other = PostFactory(creator=alice, published=True)
        services.store_events([view(p, visitor=f"v{i % 17}", send=False) for i in range(400) for p in (post, other)])
        start = threading.Barrier(3)
        done = []

        def run() -> None:
            try:
                start.wait()
                done.append(services.aggregate_events(limit=150))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(done) == 800
        assert services.aggregate_events() == 0  # and a later run finds nothing left
        assert [(s.views, s.unique_visitors) for s in DailyPostStats.objects.all()] == [(400, 17), (400, 17)]
        c = DailyCreatorStats.objects.get(creator=alice)
        assert (c.views, c.unique_visitors) == (800, 17)
        assert sum(DailyCreatorReferrer.objects.values_list("count", flat=True)) == 800


class TestOtherEvents:
    def test_track_event_feeds_the_daily_figures_after_commit(self, jobs, alice, bob, post):
        with transaction.atomic():
            services.track_event(kind="comment", creator_id=alice.pk, post_id=post.pk)
            services.track_event(kind="subscribe", creator_id=alice.pk)
            services.track_event(kind="subscribe", creator_id=alice.pk)
            services.track_event(kind="unsubscribe", creator_id=alice.pk)
            services.track_event(kind="email_sent", creator_id=alice.pk, post_id=post.pk, count=40)
            services.track_event(kind="email_click", creator_id=alice.pk, post_id=post.pk)
        jobs.drain()
        c = DailyCreatorStats.objects.get(creator=alice)
        assert (c.comments, c.subscribers_gained, c.subscribers_lost, c.emails_sent, c.clicks) == (1, 2, 1, 40, 1)
        p = DailyPostStats.objects.get(post=post)
        assert (p.views, p.comments, p.emails_sent, p.clicks) == (0, 1, 40, 1)

    def test_nothing_is_sent_when_the_callers_transaction_rolls_back(self, jobs, alice):
        def subscribe_then_fail() -> None:
            with transaction.atomic():
                services.track_event(kind="subscribe", creator_id=alice.pk)
                raise RuntimeError("the subscription failed")

        with pytest.raises(RuntimeError):
            subscribe_then_fail()
        jobs.drain()
        assert not Event.objects.exists()

    def test_an_unknown_kind_is_a_programming_error(self, alice):
        with pytest.raises(ValueError, match="Unknown analytics event kind"):
            services.track_event(kind="like", creator_id=alice.pk)


class TestWorkerRules:
    def test_a_redelivered_message_is_counted_once(self, db, post):
        payload = view(post)
        tasks.process_analytics_event(payload)  # the same message again
        assert DailyPostStats.objects.get(post=post).views == 1
        assert Event.objects.count() == 1

    def test_an_event_for_a_deleted_post_is_dropped(self, transactional_db, post):
        payload = {
            "id": str(uuid.uuid4()),
            "kind": "view",
            "post_id": str(uuid.uuid4()),
            "creator_id": str(post.creator_id),
            "visitor_hash": "x",
            "at": timezone.now().isoformat(),
        }
        assert services.process_event(payload) is False
        assert not Event.objects.exists()
        assert not DailyPostStats.objects.exists()


class TestSafetyNet:
    def test_the_cron_run_folds_in_events_whose_aggregation_message_was_lost(self, db, settings, post):
        from dramatiq_crontab import scheduler

        assert "aggregate_analytics_events" in {job.name for job in scheduler.get_jobs()}  # every minute
        services.store_events([view(post, visitor=f"v{i % 2}", send=False) for i in range(5)])  # no run scheduled
        assert not DailyPostStats.objects.exists()
        tasks.aggregate_analytics_events()  # what the every-minute cron sends
        stats = DailyPostStats.objects.get(post=post)
        assert (stats.views, stats.unique_visitors) == (5, 2)
        tasks.aggregate_analytics_events()
        assert DailyPostStats.objects.get(post=post).views == 5

    def test_retention_keeps_an_old_event_the_aggregator_has_not_counted_yet(self, db, settings, post):
        settings.ANALYTICS_RETENTION_DAYS = 90
        old = timezone.now() - dt.timedelta(days=120)
        services.store_events([view(post, at=old, send=False)])
        tasks.delete_expired_analytics_events()
        assert Event.objects.count() == 1
        services.aggregate_events()
        tasks.delete_expired_analytics_events()
        assert not Event.objects.exists()
        assert DailyPostStats.objects.get(post=post).views == 1


class TestRetention:
    def test_old_raw_events_go_and_the_aggregates_stay(self, db, settings, post):
        settings.ANALYTICS_RETENTION_DAYS = 90
        now = timezone.now()
        view(post, at=now - dt.timedelta(days=120))
        view(post, at=now - dt.timedelta(days=91))
        view(post, at=now - dt.timedelta(days=89))
        view(post, at=now)
        before = figures(DailyPostStats)
        services.daily_salt(timezone.localdate() - dt.timedelta(days=3))
        services.daily_salt(timezone.localdate())

        tasks.delete_expired_analytics_events()

        assert Event.objects.count() == 2
        assert figures(DailyPostStats) == before
        assert sum(DailyCreatorStats.objects.values_list("views", flat=True)) == 4
        # Dedup rows and salts of past days are gone: old hashes can no longer be linked to anyone.
        assert set(PostVisitor.objects.values_list("day", flat=True)) == {timezone.localdate()}
        assert set(CreatorVisitor.objects.values_list("day", flat=True)) == {timezone.localdate()}
        assert list(DailySalt.objects.values_list("day", flat=True)) == [timezone.localdate()]


class TestRebuild:
    def test_rebuilding_from_raw_events_gives_what_the_worker_built(self, db, alice, carol, post):
        other = PostFactory(creator=alice, published=True)
        theirs = PostFactory(creator=carol, published=True)
        now = timezone.now()
        for d in range(3):
            for v in range(d + 2):
                view(post, visitor=f"v{v % 2}", at=now - dt.timedelta(days=d), referrer="a.example" if v else "")
                view(other, visitor=f"v{v}", at=now - dt.timedelta(days=d))
        view(theirs)
        for kind, count in [("comment", 1), ("email_sent", 12), ("email_click", 1)]:
            services.process_event(
                {
                    "id": str(uuid.uuid4()),
                    "kind": kind,
                    "post_id": str(post.pk),
                    "creator_id": str(alice.pk),
                    "count": count,
                    "at": now.isoformat(),
                }
            )
        services.process_event(
            {
                "id": str(uuid.uuid4()),
                "kind": "subscribe",
                "post_id": None,
                "creator_id": str(alice.pk),
                "at": now.isoformat(),
            }
        )
        recent = {"day__gte": timezone.localdate() - dt.timedelta(days=1)}  # dedup rows are only kept that long
        built = [figures(m) for m in (DailyPostStats, DailyCreatorStats, DailyReferrer, DailyCreatorReferrer)]
        built += [figures(m, **recent) for m in (PostVisitor, CreatorVisitor)]

        DailyPostStats.objects.all().delete()
        DailyCreatorStats.objects.filter(creator=alice).update(views=0)
        PostVisitor.objects.all().delete()
        services.rebuild_daily_stats(creator_id=alice.pk)
        services.rebuild_daily_stats(creator_id=carol.pk)

        rebuilt = [figures(m) for m in (DailyPostStats, DailyCreatorStats, DailyReferrer, DailyCreatorReferrer)]
        rebuilt += [figures(m, **recent) for m in (PostVisitor, CreatorVisitor)]
        assert rebuilt == built
        # and live events keep deduplicating afterwards
        view(post, visitor="v0")
        assert DailyPostStats.objects.get(post=post, day=timezone.localdate()).unique_visitors == 2
