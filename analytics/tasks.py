"""Analytics jobs: fold events into the aggregates; trim old raw events daily."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq_crontab import cron


# Quick retries: a clash with another writer (SQLite's table lock, a PostgreSQL deadlock) clears in
# milliseconds, and a retry is safe (the event id makes processing idempotent).
@dramatiq.actor(max_retries=10, min_backoff=50, max_backoff=5_000, queue_name="analytics")
def process_analytics_event(payload: dict[str, Any]) -> None:
    """One event (built by analytics.services.track_*): store it and update the daily figures."""
    from analytics import services

    services.process_event(payload)


@cron("17 3 * * *")
@dramatiq.actor(max_retries=3, time_limit=30 * 60_000)
def delete_expired_analytics_events() -> None:
    """Daily: raw events older than ANALYTICS_RETENTION_DAYS go; the aggregates stay."""
    from analytics import services

    services.delete_expired_events()
