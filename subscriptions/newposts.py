"""The new-post email pipeline (called by subscriptions.tasks): fan-out, batches, recovery."""

from __future__ import annotations

import logging

from django.conf import settings

from analytics import services as analytics
from notifications import services as notifications
from notifications.models import Notification
from posts.models import Post
from subscriptions import mailing, services, tasks
from subscriptions.models import Delivery, Subscription

logger = logging.getLogger(__name__)
IN_APP_CHUNK = 500


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def fan_out(*, post_id: str) -> int:
    """Queue the deliveries and enqueue their batches; also the in-app notifications. Returns batches sent."""
    post = Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).only("pk", "creator_id").first()
    if post is None:
        return 0
    services.prepare_deliveries(post_id=post.pk, creator_id=post.creator_id)
    batches = services.pending_batches(post_id=post.pk, batch_size=int(_setting("NEWPOST_BATCH_SIZE", 200)))
    for ids in batches:
        tasks.send_new_post_batch.send(str(post.pk), ids)
    subscriber_ids = [
        str(pk)
        for pk in Subscription.objects.filter(creator_id=post.creator_id, status=Subscription.Status.ACTIVE)
        .order_by("subscribed_at")
        .values_list("subscriber_id", flat=True)
    ]
    for i in range(0, len(subscriber_ids), IN_APP_CHUNK):
        tasks.notify_new_post_in_app.send(str(post.pk), subscriber_ids[i : i + IN_APP_CHUNK])
    return len(batches)


def notify_in_app(*, post_id: str, subscriber_ids: list[str]) -> None:
    """One bulk insert per chunk; the dedupe keys make a retried chunk add nothing."""
    from accounts.models import User

    post = Post.objects.select_related("creator").filter(pk=post_id, status=Post.Status.PUBLISHED).first()
    if post is None:
        return
    notifications.notify_in_app_many(
        recipient_ids=User.objects.filter(pk__in=subscriber_ids).values_list("pk", flat=True),
        kind=Notification.Kind.NEW_POST,
        title=f"{post.creator.display_name} published “{post.title}”",
        url=post.get_absolute_url(),
        body=post.subtitle,
        actor=post.creator,
        dedupe_prefix=f"newpost:{post.pk}",
    )


def send_batch(*, post_id: str, delivery_ids: list[int], retry: int = 0) -> None:
    post = Post.objects.select_related("creator").filter(pk=post_id).first()
    if post is None:
        return
    if post.status != Post.Status.PUBLISHED:
        # Unpublished before it went out: nobody gets a link to a page that is gone.
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SKIPPED, last_error="post unpublished before sending"
        )
        return
    rate = float(_setting("NEWPOST_EMAILS_PER_SECOND", 20))
    if retry:  # the server pushed back (4xx, 429): come back slower, halving the rate per retry
        rate = (rate or 50.0) / 2 ** min(retry, 5)
    # The lease must outlast the batch, or a second worker could take rows still being sent.
    lease = int(max(_setting("NEWPOST_CLAIM_SECONDS", 300), (len(delivery_ids) / rate * 2 + 60) if rate > 0 else 0))
    rows = services.claim(delivery_ids=delivery_ids, lease_seconds=lease)
    if not rows:
        return
    subs = dict(
        Subscription.objects.filter(creator_id=post.creator_id, subscriber_id__in=[r[1] for r in rows])
        .filter(status=Subscription.Status.ACTIVE, email_enabled=True)
        .values_list("subscriber_id", "pk")
    )
    post_mail = mailing.PostMail.build(post)
    done: set[int] = set()
    marks = services.SentMarks()
    try:
        with marks, mailing.Sender(rate=rate) as sender:
            for delivery_id, subscriber_id, email in rows:
                subscription_id = subs.get(subscriber_id)
                if subscription_id is None or not email:  # unsubscribed (or email off) since the fan-out
                    services.mark_skipped(delivery_id=delivery_id)
                    done.add(delivery_id)
                    continue
                try:
                    sender.send(post_mail, to=email, token=services.unsubscribe_token(str(subscription_id)))
                except mailing.PermanentFailure as e:
                    services.mark_failed(delivery_id=delivery_id, error=str(e))
                    done.add(delivery_id)
                    continue
                # Marked at once, before the next send: a crash re-sends at most this one.
                marks.mark(delivery_id)
                done.add(delivery_id)
    except mailing.TemporaryFailure as e:
        remaining = [r[0] for r in rows if r[0] not in done]
        _retry_later(post_id=post_id, delivery_ids=remaining, retry=retry, error=str(e))
    finally:
        if marks.count:  # what went out, also when the batch stopped part-way
            analytics.track_event(kind="email_sent", creator_id=post.creator_id, post_id=post.pk, count=marks.count)


def _retry_later(*, post_id: str, delivery_ids: list[int], retry: int, error: str) -> None:
    """Exponential backoff; a delivery that has used up its attempts is failed for good."""
    spent = list(
        Delivery.objects.filter(
            pk__in=delivery_ids, status=Delivery.Status.QUEUED, attempts__gte=services.max_attempts()
        ).values_list("pk", flat=True)
    )
    for pk in spent:
        services.mark_failed(delivery_id=pk, error=f"gave up after {services.max_attempts()} attempts: {error}")
    retry_ids = [pk for pk in delivery_ids if pk not in set(spent)]
    if not retry_ids:
        return
    base = float(_setting("NEWPOST_RETRY_BASE_SECONDS", 30))
    wait = min(base * (2**retry), float(_setting("NEWPOST_RETRY_MAX_SECONDS", 3600)))
    services.release_for_retry(delivery_ids=retry_ids, error=error, wait_seconds=wait)
    logger.warning("new-post emails deferred", extra={"post_id": post_id, "count": len(retry_ids), "wait": wait})
    tasks.send_new_post_batch.send_with_options(
        args=(post_id, retry_ids), kwargs={"retry": retry + 1}, delay=int(wait * 1000) + 50
    )


def resume_stalled() -> int:
    """Re-enqueue batches for deliveries nobody is working on. Returns batches sent."""
    sent = 0
    size = int(_setting("NEWPOST_BATCH_SIZE", 200))
    for post_id in services.stalled_posts(older_than_seconds=int(_setting("NEWPOST_STALL_SECONDS", 60))):
        for ids in services.pending_batches(post_id=post_id, batch_size=size):
            tasks.send_new_post_batch.send(post_id, ids)
            sent += 1
    return sent
