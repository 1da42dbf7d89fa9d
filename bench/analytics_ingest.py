"""How many analytics events a second one worker takes to the dashboard's figures (target: at least 1,000/s).

The real path: `analytics.outbox.add()` (what a page view does) → batches of ANALYTICS_OUTBOX_BATCH
events as `process_analytics_events` messages on the broker → one Dramatiq worker (1 thread, then
8: rundramatiq's default) storing them in bulk and running the debounced set-based aggregation.
The clock runs from the worker's start until the creator's daily aggregates add up to every
event sent (views + comments + subscribes + clicks), i.e. until a dashboard would show them all.
Then the event→dashboard delay: single events with the worker idle, outbox timer included.

    .venv/bin/python bench/analytics_ingest.py [--events 20000] [--threads 1,8] [--database-url URL]
        [--redis-url redis://127.0.0.1:6379/11]

Default database: postgres://postgres@127.0.0.1:5432/bench_analytics (created if missing);
`--database-url sqlite:////tmp/bench.sqlite3` measures SQLite. Default broker: the in-memory
StubBroker; `--redis-url` puts the messages through Redis.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid

from _setup import bench_posts, bench_user, setup

COUNTED = ("views", "comments", "subscribers_gained", "subscribers_lost", "emails_sent", "clicks")


def payloads(n: int, creator, posts: list, rng: random.Random) -> list[dict]:
    from django.utils import timezone

    now = timezone.now().isoformat()
    referrers = ["", "", "", "news.example.com", "social.example", "search.example", "blog.example.org"]
    out = []
    for _ in range(n):
        post = posts[min(int(rng.paretovariate(1.2)) - 1, len(posts) - 1)]
        kind = "view" if rng.random() < 0.95 else rng.choice(["comment", "subscribe", "email_click"])
        out.append(
            {
                "id": str(uuid.uuid4()),
                "kind": kind,
                "post_id": str(post.pk) if kind != "subscribe" else None,
                "creator_id": str(creator.pk),
                "visitor_hash": f"{rng.randrange(3000):032x}" if kind == "view" else "",
                "referrer_domain": rng.choice(referrers) if kind == "view" else "",
                "utm_source": "",
                "at": now,
            }
        )
    return out


def counted(creator) -> int:
    """Everything the creator's daily figures have counted so far (what the dashboard sums)."""
    from django.db.models import F, Sum

    from analytics.models import DailyCreatorStats

    total = sum((F(name) for name in COUNTED[1:]), F(COUNTED[0]))
    return DailyCreatorStats.objects.filter(creator=creator).aggregate(n=Sum(total, default=0))["n"]


def wait_until(creator, target: int, *, poll: float, timeout: float = 600) -> float:
    started = time.perf_counter()
    while counted(creator) < target:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"{counted(creator)} of {target} counted")
        time.sleep(poll)
    return time.perf_counter()


def through_worker(creator, events: list[dict], threads: int) -> float:
    """Seconds one Dramatiq worker (`threads` threads) takes until `events`, queued by the outbox, are counted."""
    import dramatiq
    from django.db import connection

    from analytics import outbox

    broker = dramatiq.get_broker()
    broker.flush_all()
    before = counted(creator)
    for payload in events:
        outbox.add(payload)
    outbox.flush()
    connection.close()  # the worker threads use their own connections
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=50)
    started = time.perf_counter()
    worker.start()
    try:
        finished = wait_until(creator, before + len(events), poll=0.02)
    finally:
        worker.stop()
    return finished - started


def delay_to_dashboard(creator, posts: list, rng: random.Random, samples: int) -> list[float]:
    """Milliseconds from a single page view's `outbox.add` until the figures show it, worker idle."""
    import dramatiq

    from analytics import outbox

    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    delays = []
    try:
        for _ in range(samples):
            before = counted(creator)
            time.sleep(rng.random())  # somewhere in the outbox's flush period
            started = time.perf_counter()
            outbox.add(payloads(1, creator, posts, rng)[0])
            delays.append((wait_until(creator, before + 1, poll=0.002) - started) * 1000)
    finally:
        worker.stop()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--threads", default="1,8", help="worker threads to try (rundramatiq's default is 8)")
    parser.add_argument("--delay-samples", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--creator", default="bench-ingest", help="username of the benchmark's creator")
    parser.add_argument("--redis-url", help="broker (e.g. redis://127.0.0.1:6379/11); default: the StubBroker")
    args = parser.parse_args()
    setup(args.database_url, redis_url=args.redis_url)

    from django.conf import settings
    from django.db import connection

    from analytics import services
    from analytics.models import Event

    creator = bench_user(args.creator)
    posts = bench_posts(creator, 50)
    rng = random.Random(42)
    broker = "Redis" if args.redis_url else "StubBroker"
    print(
        f"database: {connection.vendor}; broker: {broker}; outbox batch {settings.ANALYTICS_OUTBOX_BATCH}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}"
    )

    services.aggregate_events()  # anything an interrupted earlier run left behind
    direct = payloads(min(args.events, 5000), creator, posts, rng)
    before = counted(creator)
    started = time.perf_counter()
    for i in range(0, len(direct), settings.ANALYTICS_OUTBOX_BATCH):
        services.store_events(direct[i : i + settings.ANALYTICS_OUTBOX_BATCH])
    services.aggregate_events()
    elapsed = time.perf_counter() - started
    assert counted(creator) - before == len(direct)
    print(f"service code without the broker (store batches, then aggregate): {len(direct) / elapsed:,.0f} events/s")

    for threads in (int(t) for t in args.threads.split(",")):
        stored = Event.objects.filter(creator=creator).count()
        events = payloads(args.events, creator, posts, rng)
        elapsed = through_worker(creator, events, threads)
        assert Event.objects.filter(creator=creator).count() - stored == len(events)
        print(
            f"one worker, {threads} thread(s): {len(events):,} events counted in {elapsed:.2f} s = "
            f"{len(events) / elapsed:,.0f} events/s (load average {os.getloadavg()[0]:.1f})"
        )

    if args.delay_samples:
        from django.test import override_settings

        for batch in (settings.ANALYTICS_OUTBOX_BATCH, 1):
            with override_settings(ANALYTICS_OUTBOX_BATCH=batch):
                delays = delay_to_dashboard(creator, posts, rng, args.delay_samples)
            how = "sent at once" if batch == 1 else f"outbox flushes every {settings.ANALYTICS_OUTBOX_SECONDS} s"
            print(
                f"event → dashboard figures, worker idle, outbox batch {batch} ({how}): "
                f"p50 {statistics.median(delays):.0f} ms, min {min(delays):.0f} ms, max {max(delays):.0f} ms"
            )


if __name__ == "__main__":
    main()
