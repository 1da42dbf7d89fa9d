"""How many analytics events a second one worker aggregates (target: at least 1,000/s).

Events go through the real path: `process_analytics_event.send()` onto the broker, one
Dramatiq worker thread running the actor (raw event insert, unique-visitor dedup, daily
upserts for post, creator and referrer, one transaction per event).

    .venv/bin/python bench/analytics_ingest.py [--events 10000] [--threads 1,8] [--database-url URL]

Default database: postgres://postgres@127.0.0.1:5432/bench_analytics (created if missing);
`--database-url sqlite:////tmp/bench.sqlite3` measures SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid

from _setup import bench_posts, bench_user, setup


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
                "visitor_hash": f"{rng.randrange(3000):032x}",
                "referrer_domain": rng.choice(referrers),
                "utm_source": "",
                "at": now,
            }
        )
    return out


def through_worker(events: list[dict], threads: int) -> float:
    """Seconds one Dramatiq worker (`threads` threads) takes to process `events` already queued."""
    import dramatiq
    from django.db import connection

    from analytics import tasks

    broker = dramatiq.get_broker()
    broker.flush_all()
    for payload in events:
        tasks.process_analytics_event.send(payload)
    connection.close()  # the worker threads use their own connections
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=50)
    started = time.perf_counter()
    worker.start()
    broker.join(tasks.process_analytics_event.queue_name, timeout=600_000)
    worker.join()
    elapsed = time.perf_counter() - started
    worker.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--threads", default="1,8", help="worker threads to try (rundramatiq's default is 8)")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)

    from django.db import connection

    from analytics import services
    from analytics.models import Event

    creator = bench_user("bench-ingest")
    posts = bench_posts(creator, 50)
    rng = random.Random(42)
    print(f"database: {connection.vendor}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")

    direct = payloads(min(args.events, 3000), creator, posts, rng)
    started = time.perf_counter()
    for payload in direct:
        services.process_event(payload)
    elapsed = time.perf_counter() - started
    print(f"actor code without the broker: {len(direct) / elapsed:,.0f} events/s")

    for threads in (int(t) for t in args.threads.split(",")):
        before = Event.objects.count()
        events = payloads(args.events, creator, posts, rng)
        elapsed = through_worker(events, threads)
        stored = Event.objects.count() - before
        assert stored == len(events), (stored, len(events))
        print(
            f"one worker, {threads} thread(s): {len(events)} events in {elapsed:.2f} s = "
            f"{len(events) / elapsed:,.0f} events/s"
        )


if __name__ == "__main__":
    main()
