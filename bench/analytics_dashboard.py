"""The creator dashboard with 1,000,000 raw events for one creator across 200 posts (target: < 200 ms, fixed queries).

Generates the events in PostgreSQL (one INSERT … SELECT over generate_series, over 90 days),
builds the aggregates with `analytics.services.rebuild_daily_stats` (the worker's figures,
computed in bulk), then renders /dashboard/analytics/ through Django's test client as the
logged-in creator, several times per period, and prints the median and the query count.

    .venv/bin/python bench/analytics_dashboard.py [--events 1000000] [--runs 15] [--regenerate] [--rebuild]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _setup import bench_posts, bench_user, setup

GENERATE = """
INSERT INTO analytics_event (id, kind, post_id, creator_id, visitor_hash, day, referrer_domain, utm_source,
                             count, created_at)
SELECT gen_random_uuid(), kind,
       CASE WHEN kind IN ('subscribe', 'unsubscribe') THEN NULL ELSE post END,
       %(creator)s::uuid, CASE WHEN kind = 'view' THEN left(md5(visitor::text || day::text), 32) ELSE '' END,
       day, CASE WHEN kind = 'view' THEN referrer ELSE '' END, '', 1,
       day + (random() * interval '1 day')
FROM (
  SELECT (current_date - floor(random() * 90)::int) AS day,
         (%(posts)s::uuid[])[1 + floor(power(random(), 2) * %(n_posts)s)::int] AS post,
         floor(random() * 20000)::int AS visitor,
         (ARRAY['', '', '', 'news.example.com', 'social.example', 'search.example', 'blog.example.org',
                'mail.example'])[1 + floor(random() * 8)::int] AS referrer,
         CASE WHEN r < 0.95 THEN 'view' WHEN r < 0.97 THEN 'comment' WHEN r < 0.985 THEN 'subscribe'
              WHEN r < 0.99 THEN 'unsubscribe' ELSE 'email_click' END AS kind
  FROM (SELECT random() AS r FROM generate_series(1, %(events)s)) g
) e
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--regenerate", action="store_true", help="new raw events (and aggregates)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the aggregates from the raw events")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from analytics import services
    from analytics.models import DailyPostStats, Event

    creator = bench_user("bench-dashboard")
    posts = bench_posts(creator, args.posts)
    have = Event.objects.filter(creator=creator).count()
    if args.regenerate or have != args.events:
        Event.objects.filter(creator=creator).delete()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                GENERATE,
                {"creator": creator.pk, "posts": [p.pk for p in posts], "n_posts": len(posts), "events": args.events},
            )
        print(f"generated {args.events:,} raw events in {time.perf_counter() - started:.1f} s")
    if args.rebuild or args.regenerate or have != args.events:
        started = time.perf_counter()
        rows = services.rebuild_daily_stats(creator_id=creator.pk)
        print(f"rebuild_daily_stats: {rows:,} post-day rows in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"raw events for the creator: {Event.objects.filter(creator=creator).count():,}; "
        f"posts: {len(posts)}; post-day aggregate rows: {DailyPostStats.objects.filter(creator=creator).count():,}"
    )

    setup_test_environment()
    static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, **static}):
        client = Client()
        client.force_login(creator)
        for days in (7, 30, 90):
            url = f"/dashboard/analytics/?days={days}"
            assert client.get(url).status_code == 200  # warm-up
            timings = []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            views = response.context["summary"].totals["views"]
            print(
                f"dashboard {days:>2} days: p50 {statistics.median(timings):.1f} ms, "
                f"min {min(timings):.1f} ms, max {max(timings):.1f} ms, {len(queries)} queries "
                f"({views:,} views shown)"
            )


if __name__ == "__main__":
    main()
