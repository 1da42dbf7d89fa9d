"""New-post emails: fan out on publish, send in batches, pick up whatever a dead worker left."""

from __future__ import annotations

import logging

import dramatiq
from django.conf import settings
from dramatiq_crontab import cron

logger = logging.getLogger(__name__)


def _batch_size() -> int:
    return int(getattr(settings, "NEWPOST_BATCH_SIZE", 200))


@dramatiq.actor(max_retries=10)
def send_new_post_notifications(post_id: str) -> None:
    """On publish (settings.POST_PUBLISHED_ACTORS): queue one Delivery per recipient, then the batches.

    Safe to run again: existing deliveries are kept and a sent one is never claimed again.
    """
    from subscriptions import newposts

    newposts.fan_out(post_id=post_id)


@dramatiq.actor(max_retries=0, time_limit=30 * 60_000)
def send_new_post_batch(post_id: str, delivery_ids: list[int], retry: int = 0) -> None:
    """Send up to NEWPOST_BATCH_SIZE emails over one connection; re-enqueues itself after a temporary failure."""
    from subscriptions import newposts

    newposts.send_batch(post_id=post_id, delivery_ids=delivery_ids, retry=retry)


@dramatiq.actor(max_retries=5)
def notify_new_post_in_app(post_id: str, subscriber_ids: list[str]) -> None:
    from subscriptions import newposts

    newposts.notify_in_app(post_id=post_id, subscriber_ids=subscriber_ids)


@cron("*/2 * * * *")
@dramatiq.actor(max_retries=0, time_limit=110_000)
def resume_stalled_deliveries() -> None:
    """Every two minutes: deliveries left queued (a killed worker, a lost message) are sent."""
    from subscriptions import newposts

    newposts.resume_stalled()
