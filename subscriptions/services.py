"""Every write about subscriptions, and the sending of new-post emails."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from publishing.errors import DomainError
from subscriptions.models import Delivery, Subscription

UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


class SubscriptionError(DomainError):
    pass


def subscribe(*, subscriber: User, creator: User) -> tuple[Subscription, bool]:
    """Follow `creator`. Returns (subscription, created); an old cancelled row is reactivated.

    Refuses yourself (400) and anyone who is not a creator (404: there is nothing to follow).
    """
    if not creator.is_creator or not creator.is_active:
        raise SubscriptionError("No such creator.", code="not_found", status=404)
    if subscriber.pk == creator.pk:
        raise SubscriptionError("You cannot subscribe to yourself.", code="self_subscription")
    now = timezone.now()
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().filter(subscriber=subscriber, creator=creator).first()
        if sub is None:
            try:
                with transaction.atomic():
                    sub = Subscription.objects.create(subscriber=subscriber, creator=creator, subscribed_at=now)
            except IntegrityError:  # a second click raced us; the row exists now
                sub = Subscription.objects.select_for_update().get(subscriber=subscriber, creator=creator)
            else:
                _tell_creator(sub)
                _count(sub, "subscribe")
                return sub, True
        if not sub.is_active:
            sub.status, sub.subscribed_at, sub.cancelled_at = Subscription.Status.ACTIVE, now, None
            sub.save(update_fields=["status", "subscribed_at", "cancelled_at"])
            _count(sub, "subscribe")
    return sub, False


def _count(sub: Subscription, kind: str) -> None:
    """The creator's analytics: subscribers gained and lost (sent after the commit)."""
    from analytics import services as analytics

    analytics.track_event(kind=kind, creator_id=sub.creator_id)


def _tell_creator(sub: Subscription) -> None:
    """In-app only (a popular creator would drown in email), and once per reader, however often they toggle."""
    from django.urls import reverse

    from notifications import services as notifications
    from notifications.models import Notification

    notifications.notify(
        recipient=sub.creator,
        kind=Notification.Kind.NEW_SUBSCRIBER,
        title=f"{sub.subscriber.display_name} subscribed to you",
        url=reverse("subscriptions:dashboard"),
        actor=sub.subscriber,
        dedupe_key=f"newsubscriber:{sub.pk}",
        email=False,
    )


def unsubscribe(*, subscription: Subscription) -> Subscription:
    """Cancel (idempotent). The row stays, so subscribing again keeps one row per pair."""
    with transaction.atomic():
        if subscription.is_active:
            subscription.status, subscription.cancelled_at = Subscription.Status.CANCELLED, timezone.now()
            subscription.save(update_fields=["status", "cancelled_at"])
            _count(subscription, "unsubscribe")
    return subscription


def unsubscribe_from(*, subscriber: User, creator: User) -> Subscription:
    sub = Subscription.objects.filter(subscriber=subscriber, creator=creator).first()
    if sub is None:
        raise SubscriptionError("You are not subscribed to this creator.", code="not_subscribed", status=404)
    return unsubscribe(subscription=sub)


def set_email_enabled(*, subscription: Subscription, enabled: bool) -> Subscription:
    subscription.email_enabled = bool(enabled)
    subscription.save(update_fields=["email_enabled"])
    return subscription


def unsubscribe_token(subscription: Subscription | str) -> str:
    """A signed token naming the subscription: the email's one-click link needs no login."""
    pk = subscription if isinstance(subscription, str) else str(subscription.pk)
    return signing.dumps(pk, salt=UNSUBSCRIBE_SALT, compress=False)


def subscription_from_token(token: str) -> Subscription:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise SubscriptionError("This unsubscribe link is not valid.", code="bad_token", status=404) from None
    sub = Subscription.objects.select_related("creator").filter(pk=pk).first()
    if sub is None:
        raise SubscriptionError("This unsubscribe link is not valid.", code="bad_token", status=404)
    return sub


def unsubscribe_by_token(*, token: str) -> Subscription:
    return unsubscribe(subscription=subscription_from_token(token))


# --- New-post emails: the Delivery ledger -------------------------------------


def recipients_for(*, post_creator_id: object):
    """Active subscribers who want new posts by email (per subscription and in their preferences)."""
    return (
        Subscription.objects.filter(creator_id=post_creator_id, status=Subscription.Status.ACTIVE, email_enabled=True)
        .exclude(subscriber__notification_prefs__email_new_posts=False)
        .exclude(subscriber__is_active=False)
    )


def prepare_deliveries(*, post_id: object, creator_id: object) -> int:
    """Queue a Delivery per recipient in ONE `INSERT ... SELECT` (existing rows are left alone).

    Done in the database, not row by row through Python: 100,000 subscribers take seconds.
    Returns how many of this post's deliveries are queued.
    """
    from django.db import connection

    select_sql, select_params = (
        recipients_for(post_creator_id=creator_id).order_by().values("subscriber_id").query.sql_with_params()
    )
    table = connection.ops.quote_name(Delivery._meta.db_table)
    columns = "post_id, subscriber_id, status, attempts, last_error, created_at, updated_at"
    post_value = Delivery._meta.get_field("post").target_field.get_db_prep_value(post_id, connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Only Django-compiled SQL and our own names are interpolated; every value is a parameter.
    source = f"SELECT %s, r.subscriber_id, %s, 0, '', %s, %s FROM ({select_sql}) r"  # noqa: S608
    if connection.vendor == "sqlite":
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) {source}"
    else:
        sql = f"INSERT INTO {table} ({columns}) {source} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, [post_value, Delivery.Status.QUEUED, now, now, *select_params])
    return Delivery.objects.filter(post_id=post_id, status=Delivery.Status.QUEUED).count()


def claimable(*, now: dt.datetime | None = None):
    from django.db.models import Q

    now = now or timezone.now()
    return Delivery.objects.filter(status=Delivery.Status.QUEUED).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    )


def pending_batches(*, post_id: object, batch_size: int) -> list[list[int]]:
    """The ids of this post's claimable deliveries, in batches."""
    ids = list(claimable().filter(post_id=post_id).order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def claim(*, delivery_ids: list[int], lease_seconds: int) -> list[tuple[int, object, str]]:
    """Atomically take the still-queued deliveries among `delivery_ids` for sending.

    One UPDATE marks them with a fresh claim token (so two workers never hold the same row);
    returns (delivery id, subscriber id, email) for the rows this call won.
    """
    now = timezone.now()
    token = uuid.uuid4()
    claimable(now=now).filter(pk__in=delivery_ids).update(
        locked_until=now + dt.timedelta(seconds=lease_seconds),
        attempts=F("attempts") + 1,
        claim_token=token,
        updated_at=now,
    )
    return list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", "subscriber_id", "subscriber__email")
    )


class SentMarks:
    """Records sends as they are accepted, one single-row UPDATE each, in autocommit.

    Use it as a context manager around a batch, and call `mark(delivery_id)` as soon as the
    server has accepted that email, before the next one goes out: a worker killed at any
    moment re-sends at most one email per sending thread (the one in flight, or accepted and
    not yet marked). There is no transaction to open and no ORM query to build per email:
    the statement is one round trip. On PostgreSQL the connection stops waiting for the WAL
    flush for the batch (`synchronous_commit = off`): a killed worker loses nothing (the
    server has the row); only a crash of the database server itself could forget the last
    fraction of a second of marks, which would then be sent again, as after any crash.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        table = connection.ops.quote_name(Delivery._meta.db_table)
        # Only our own table name is interpolated; the values are parameters.
        self.sql = (
            f"UPDATE {table} SET status = %s, sent_at = %s, updated_at = %s, "  # noqa: S608
            "locked_until = NULL, last_error = '' WHERE id = %s"
        )
        self.async_commit = False
        self.count = 0

    def __enter__(self) -> SentMarks:
        if self.connection.vendor == "postgresql" and not self.connection.in_atomic_block:
            with self.connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            self.async_commit = True
        self.cursor = self.connection.cursor()
        return self

    def mark(self, delivery_id: int) -> None:
        now = self.connection.ops.adapt_datetimefield_value(timezone.now())
        self.cursor.execute(self.sql, [Delivery.Status.SENT, now, now, delivery_id])
        self.count += 1

    def __exit__(self, *exc: object) -> None:
        self.cursor.close()
        if self.async_commit:  # the connection outlives the batch (CONN_MAX_AGE): leave it as found
            with contextlib.suppress(DatabaseError), self.connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")  # a broken connection is discarded anyway


def mark_failed(*, delivery_id: int, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.FAILED, last_error=error[:500], updated_at=timezone.now(), locked_until=None
    )


def mark_skipped(*, delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SKIPPED, updated_at=timezone.now(), locked_until=None
    )


def release_for_retry(*, delivery_ids: list[int], error: str, wait_seconds: float) -> None:
    """Back to the queue after a temporary failure; not claimable again before `wait_seconds`."""
    now = timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED).update(
        last_error=error[:500], locked_until=now + dt.timedelta(seconds=wait_seconds), updated_at=now
    )


def stalled_posts(*, older_than_seconds: int = 60) -> list[str]:
    """Posts with claimable deliveries and no progress for a while: a worker died, or a message was lost.

    "No progress" is judged per post (its newest delivery update), so a long send that is
    still moving is not handed out twice.
    """
    from django.db.models import Max

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    waiting = set(claimable().values_list("post_id", flat=True).distinct())
    if not waiting:
        return []
    rows = Delivery.objects.filter(post_id__in=waiting).values("post_id").annotate(last=Max("updated_at"))
    return [str(r["post_id"]) for r in rows.order_by() if r["last"] <= cutoff]


def max_attempts() -> int:
    return int(getattr(settings, "NEWPOST_MAX_ATTEMPTS", 8))


def requeue(*, delivery_ids: list[int]) -> int:
    """Staff: send failed (or skipped) deliveries again. Returns how many went back to the queue."""
    from subscriptions import tasks

    rows = Delivery.objects.filter(pk__in=delivery_ids).exclude(status__in=[Delivery.Status.SENT])
    by_post: dict[str, list[int]] = {}
    for pk, post_id in rows.values_list("pk", "post_id"):
        by_post.setdefault(str(post_id), []).append(pk)
    count = rows.update(status=Delivery.Status.QUEUED, attempts=0, locked_until=None, last_error="")
    for post_id, ids in by_post.items():
        transaction.on_commit(lambda p=post_id, i=ids: tasks.send_new_post_batch.send(p, i))
    return count
