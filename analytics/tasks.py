"""Analytics jobs: store events in bulk, fold them into the aggregates set-based; trim old raw events daily.

The web process sends batches (analytics.outbox) to `process_analytics_events`, which stores
them and schedules `aggregate_analytics_events`, at most one pending run at a time (a
cache flag); the cron run every minute catches anything a lost message left behind.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from django.conf import settings
from django.core.cache import cache
from dramatiq_crontab import cron

# Set while an aggregation run is queued and has not started; expires in case the run is lost
# (or, with a per-process cache, runs in another process).
SCHEDULED_KEY = "analytics:aggregation-scheduled"


# Quick retries: a clash with another writer (SQLite's lock, a PostgreSQL deadlock) clears in
# milliseconds, and a retry is safe (the event ids make storing idempotent).
@dramatiq.actor(max_retries=10, min_backoff=50, max_backoff=5_000, queue_name="analytics")
def process_analytics_events(payloads: list[dict[str, Any]]) -> None:
    """A batch of events (built by analytics.services.track_*, sent by the outbox): store them, then aggregate."""
    from analytics import services

    if services.store_events(payloads):
        schedule_aggregation()


@dramatiq.actor(max_retries=10, min_backoff=50, max_backoff=5_000, queue_name="analytics")
def process_analytics_event(payload: dict[str, Any]) -> None:
    """One event (messages sent before the outbox existed, or by hand): as a batch of one."""
    process_analytics_events(payloads=[payload])


def schedule_aggregation() -> None:
    """Queue an aggregation run unless one is queued already (debounce: one run folds every pending event)."""
    if cache.add(SCHEDULED_KEY, 1, timeout=settings.ANALYTICS_AGGREGATE_DEBOUNCE_SECONDS):
        try:
            aggregate_analytics_events.send_with_options(delay=settings.ANALYTICS_AGGREGATE_DELAY_MS or None)
        except Exception:
            cache.delete(SCHEDULED_KEY)
            raise


@cron("* * * * *")
@dramatiq.actor(max_retries=10, min_backoff=50, max_backoff=5_000, queue_name="analytics", time_limit=10 * 60_000)
def aggregate_analytics_events() -> None:
    """Fold every stored, not yet aggregated event into the daily figures (also every minute, as a safety net)."""
    from analytics import services

    # Cleared before looking, so events stored from now on schedule another run.
    cache.delete(SCHEDULED_KEY)
    services.aggregate_events()


@cron("17 3 * * *")
@dramatiq.actor(max_retries=3, time_limit=30 * 60_000)
def delete_expired_analytics_events() -> None:
    """Daily: raw events older than ANALYTICS_RETENTION_DAYS go; the aggregates stay."""
    from analytics import services

    services.delete_expired_events()
