"""Analytics writes: collecting events (in the request: hash, filter, enqueue) and aggregating them (in the worker).

The request never writes: it puts a small payload in the process's outbox (analytics.outbox),
which sends batches to `tasks.process_analytics_events`, and returns. A broker outage drops
the events with a warning; a reader never sees an error. The worker stores batches in bulk
and a debounced run folds them into the daily aggregates set-based (analytics.aggregation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from analytics import aggregation, outbox
from analytics.models import (
    CreatorVisitor,
    DailyCreatorReferrer,
    DailyCreatorStats,
    DailyPostStats,
    DailyReferrer,
    DailySalt,
    Event,
    Kind,
    PostVisitor,
)

logger = logging.getLogger(__name__)

# Crawlers, link unfurlers, monitors and scripted clients: none of them is a reader. (Not okhttp or
# Dalvik: those are Android apps, i.e. readers on the mobile API.)
BOT_UA = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|quora link preview|whatsapp|"
    r"preview|curl|wget|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|"
    r"libwww|headless|phantomjs|lighthouse|pingdom|uptime|monitor|feedfetcher|scrapy|node-fetch|axios",
    re.IGNORECASE,
)

_salts: dict[dt.date, bytes] = {}


# --- In the request -------------------------------------------------------------


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_UA.search(user_agent))


def is_prefetch(request: HttpRequest) -> bool:
    """Browser prefetch/prerender (Sec-Purpose, Purpose, X-Purpose, X-Moz): not a read (yet)."""
    for header in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"):
        value = request.headers.get(header, "").lower()
        if "prefetch" in value or "preview" in value or "prerender" in value:
            return True
    return False


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind our own proxies, the hop they appended to X-Forwarded-For."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def daily_salt(day: dt.date) -> bytes:
    """The day's random salt, shared by every process through the DB (memoised per process)."""
    salt = _salts.get(day)
    if salt is None:
        row = DailySalt.objects.filter(day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
            except IntegrityError:  # another process made it first
                row = DailySalt.objects.get(day=day)
        salt = bytes.fromhex(row.salt)
        _salts.clear()  # keep only today's
        _salts[day] = salt
    return salt


def visitor_hash(*, ip: str, user_agent: str, day: dt.date) -> str:
    """Same reader, same day: same hash. Another day: unrelated. Never reversible to the IP."""
    return hmac.new(daily_salt(day), f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


def referrer_domain(request: HttpRequest) -> str:
    """The referring site's host name only ("" when direct or from our own pages)."""
    referer = request.headers.get("Referer", "")
    try:
        host = (urlsplit(referer).hostname or "").lower()
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    if not host or host == request.get_host().split(":")[0].lower().removeprefix("www."):
        return ""
    return host[:253]


def _enqueue(payload: dict[str, Any]) -> bool:
    """Into this process's outbox, which sends batches to the worker (a broker outage: a warning, no error)."""
    try:
        return outbox.add(payload)
    except Exception:
        logger.warning("analytics event not recorded", exc_info=True)
        return False


EMAIL_LINK_MEDIUM = "email"  # utm_medium of the post link in new-post emails (email_link)


def track_post_view(*, request: HttpRequest, post_id: object, creator_id: object) -> bool:
    """Count a read of a post, unless it is a bot, a prefetch or the creator. Never raises.

    For the post page (the middleware) and `GET /api/v1/posts/{id}`. Returns whether an
    event was enqueued.
    """
    user_agent = request.headers.get("User-Agent", "")
    if is_bot(user_agent) or is_prefetch(request):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and str(user.pk) == str(creator_id):
        return False
    try:
        now = timezone.now()
        payload = {
            "id": str(uuid.uuid4()),
            "kind": Kind.VIEW,
            "post_id": str(post_id),
            "creator_id": str(creator_id),
            "visitor_hash": visitor_hash(ip=client_ip(request), user_agent=user_agent, day=timezone.localdate(now)),
            "referrer_domain": referrer_domain(request),
            "utm_source": request.GET.get("utm_source", "")[:100],
            "at": now.isoformat(),
        }
    except Exception:
        logger.warning("analytics view not recorded", exc_info=True)
        return False
    if request.GET.get("utm_medium") == EMAIL_LINK_MEDIUM:  # the link in a new-post email
        track_event(kind=Kind.EMAIL_CLICK, creator_id=creator_id, post_id=post_id)
    return _enqueue(payload)


def email_link(post: Any) -> str:
    """The post's address as new-post emails link to it: a read from it also counts as an email click.

    The same link for every subscriber (nothing identifies the reader), and the post's own URL, so no
    redirect and nothing to forge that a visitor could not already do by reading the post.
    """
    return f"{post.full_url}?utm_source=newsletter&utm_medium={EMAIL_LINK_MEDIUM}"


def track_event(
    *, kind: str, creator_id: object, post_id: object = None, count: int = 1, key: str | None = None
) -> None:
    """Record a comment, subscribe, unsubscribe, email_sent or email_click, after the caller's commit.

    `creator_id` is whose figures change (the post's creator, the creator subscribed to);
    `post_id` is optional (subscriptions have none); `count` lets one call stand for a
    batch (a newsletter sent to 500 subscribers is `kind="email_sent", count=500`). `key`
    names what the event is about (e.g. "comment:<pk>"): events with the same key count
    once, however often they are tracked (while the raw event is kept).
    """
    if kind not in Kind.values or kind == Kind.VIEW:
        raise ValueError(f"Unknown analytics event kind {kind!r}; views go through track_post_view.")
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"inkwell:analytics:{kind}:{key}") if key else uuid.uuid4()
    payload = {
        "id": str(event_id),
        "kind": kind,
        "post_id": str(post_id) if post_id else None,
        "creator_id": str(creator_id),
        "count": int(count),
        "at": timezone.now().isoformat(),
    }
    transaction.on_commit(lambda: _enqueue(payload))


# --- In the worker -------------------------------------------------------------------


def _row(payload: dict[str, Any]) -> tuple:
    """An event's column values, in aggregation.STORED_COLUMNS order."""
    at = dt.datetime.fromisoformat(payload["at"])
    return (
        uuid.UUID(payload["id"]),
        Kind(payload["kind"]).value,
        uuid.UUID(payload["post_id"]) if payload.get("post_id") else None,
        uuid.UUID(payload["creator_id"]),
        payload.get("visitor_hash") or "",
        timezone.localdate(at),
        payload.get("referrer_domain") or "",
        (payload.get("utm_source") or "")[:100],
        int(payload.get("count", 1)),
        at,
    )


def _store_portable(rows: list[tuple]) -> int:
    """Any database: drop events whose post or creator is gone, then one multi-row INSERT … ON CONFLICT DO NOTHING."""
    from accounts.models import User
    from posts.models import Post

    post_ids = {r[2] for r in rows if r[2] is not None}
    posts = set(Post.objects.filter(pk__in=post_ids).values_list("pk", flat=True)) if post_ids else set()
    creators = set(User.objects.filter(pk__in={r[3] for r in rows}).values_list("pk", flat=True))
    events = [
        Event(**dict(zip(aggregation.STORED_COLUMNS, r, strict=True)))
        for r in rows
        if r[3] in creators and (r[2] is None or r[2] in posts)
    ]
    Event.objects.bulk_create(events, ignore_conflicts=True, batch_size=500)
    return len(events)


def _store(rows: list[tuple]) -> int:
    return aggregation.store_pg(rows) if connection.vendor == "postgresql" else _store_portable(rows)


def store_events(payloads: list[dict[str, Any]]) -> int:
    """Store a batch of raw events in bulk, not yet aggregated (see `aggregate_events`). Idempotent:
    an event id already stored is skipped. Events whose post or creator has been deleted since
    are dropped. Returns how many events were stored (PostgreSQL: new ones; SQLite: valid ones).
    """
    rows = {}
    for payload in payloads:
        try:
            row = _row(payload)
        except (KeyError, ValueError, TypeError):
            logger.warning("malformed analytics event dropped", extra={"payload": repr(payload)[:200]})
            continue
        rows[row[0]] = row
    if not rows:
        return 0
    try:
        return _store(list(rows.values()))
    except IntegrityError:
        # A post or creator was deleted between the check and the commit: store the others one by one.
        stored = 0
        for row in rows.values():
            try:
                stored += _store([row])
            except IntegrityError:
                logger.info("analytics event for a deleted post or creator skipped")
        return stored


def aggregate_events(*, limit: int = 5000) -> int:
    """Fold every event not aggregated yet into the daily aggregates, `limit` events per transaction.

    Safe to run concurrently (see analytics.aggregation). Returns the number of events folded in.
    """
    total = 0
    while True:
        done = aggregation.aggregate_pending(limit=limit)
        total += done
        if done < limit:
            return total


def process_event(payload: dict[str, Any]) -> bool:
    """Store one raw event and aggregate it now (tests, the benchmark, a shell). Idempotent.

    Returns whether the event was valid (False for a post or creator deleted meanwhile).
    """
    stored = store_events([payload])
    aggregate_events()
    return stored == 1


# --- Maintenance -----------------------------------------------------------------------


def delete_expired_events(*, now: dt.datetime | None = None) -> int:
    """Retention: drop raw events older than ANALYTICS_RETENTION_DAYS, and the dedup rows and salts
    of days that are over. The daily aggregates stay. Returns the number of raw events deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    # Not an event the aggregator has yet to count (it would be lost, not only its raw row).
    deleted, _ = Event.objects.filter(created_at__lt=cutoff, aggregated=True).delete()
    today = timezone.localdate(now)
    PostVisitor.objects.filter(day__lt=today - dt.timedelta(days=1)).delete()
    CreatorVisitor.objects.filter(day__lt=today - dt.timedelta(days=1)).delete()
    DailySalt.objects.filter(day__lt=today).delete()
    return deleted


@transaction.atomic
def rebuild_daily_stats(*, creator_id: object = None) -> int:
    """Recompute the daily aggregates from the raw events (all creators, or one).

    For repairs and imports. Days whose raw events retention has already deleted are left
    alone (their aggregates are all that remains). The dedup rows of today and yesterday are
    rebuilt too, so live events keep counting unique visitors correctly afterwards. Returns
    the number of DailyPostStats rows written.
    """
    with connection.cursor() as cursor:
        aggregation.lock_aggregation(cursor)  # no aggregator run meanwhile: it would count some events twice
    events = Event.objects.all() if creator_id is None else Event.objects.filter(creator_id=creator_id)
    oldest = events.order_by("day").values_list("day", flat=True).first()
    if oldest is None:
        return 0

    def scope(qs: models.QuerySet) -> models.QuerySet:
        qs = qs.filter(day__gte=oldest)
        return qs if creator_id is None else qs.filter(creator_id=creator_id)

    views = models.Q(kind=Kind.VIEW)

    def total(kind: str) -> models.Sum:
        return models.Sum("count", filter=models.Q(kind=kind), default=0)

    for model in (DailyPostStats, DailyCreatorStats, DailyReferrer, DailyCreatorReferrer):
        scope(model.objects.all()).delete()

    post_rows = [
        DailyPostStats(
            post_id=r["post_id"],
            creator_id=r["creator_id"],
            day=r["day"],
            views=r["v"],
            unique_visitors=r["u"],
            comments=r["c"],
            emails_sent=r["e"],
            clicks=r["k"],
        )
        for r in events.filter(post__isnull=False)
        .values("post_id", "creator_id", "day")
        .annotate(
            v=models.Count("id", filter=views),
            u=models.Count("visitor_hash", filter=views, distinct=True),
            c=total(Kind.COMMENT),
            e=total(Kind.EMAIL_SENT),
            k=total(Kind.EMAIL_CLICK),
        )
        .order_by()
    ]
    DailyPostStats.objects.bulk_create(post_rows, batch_size=2000)
    DailyCreatorStats.objects.bulk_create(
        [
            DailyCreatorStats(
                creator_id=r["creator_id"],
                day=r["day"],
                views=r["v"],
                unique_visitors=r["u"],
                comments=r["c"],
                subscribers_gained=r["s"],
                subscribers_lost=r["l"],
                emails_sent=r["e"],
                clicks=r["k"],
            )
            for r in events.values("creator_id", "day")
            .annotate(
                v=models.Count("id", filter=views),
                u=models.Count("visitor_hash", filter=views, distinct=True),
                c=total(Kind.COMMENT),
                s=total(Kind.SUBSCRIBE),
                l=total(Kind.UNSUBSCRIBE),
                e=total(Kind.EMAIL_SENT),
                k=total(Kind.EMAIL_CLICK),
            )
            .order_by()
        ],
        batch_size=2000,
    )
    DailyReferrer.objects.bulk_create(
        [
            DailyReferrer(
                post_id=r["post_id"],
                creator_id=r["creator_id"],
                day=r["day"],
                domain=r["referrer_domain"],
                count=r["n"],
            )
            for r in events.filter(views)
            .values("post_id", "creator_id", "day", "referrer_domain")
            .annotate(n=models.Count("id"))
            .order_by()
        ],
        batch_size=2000,
    )
    DailyCreatorReferrer.objects.bulk_create(
        [
            DailyCreatorReferrer(creator_id=r["creator_id"], day=r["day"], domain=r["referrer_domain"], count=r["n"])
            for r in events.filter(views)
            .values("creator_id", "day", "referrer_domain")
            .annotate(n=models.Count("id"))
            .order_by()
        ],
        batch_size=2000,
    )
    recent = timezone.localdate() - dt.timedelta(days=1)
    PostVisitor.objects.bulk_create(
        [
            PostVisitor(post_id=r["post_id"], day=r["day"], visitor_hash=r["visitor_hash"])
            for r in events.filter(views, day__gte=recent).values("post_id", "day", "visitor_hash").distinct()
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    CreatorVisitor.objects.bulk_create(
        [
            CreatorVisitor(creator_id=r["creator_id"], day=r["day"], visitor_hash=r["visitor_hash"])
            for r in events.filter(views, day__gte=recent).values("creator_id", "day", "visitor_hash").distinct()
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    events.filter(aggregated=False).update(aggregated=True)  # the rebuild has counted them
    return len(post_rows)


@transaction.atomic
def import_events(*, events: list[Event]) -> int:
    """Store raw events made elsewhere (an import, the demo content) and recompute their creators' daily figures.

    Events whose id is already stored are skipped, so an import can safely run again. Returns how
    many events were given.
    """
    Event.objects.bulk_create(events, ignore_conflicts=True, batch_size=2000)
    for creator_id in sorted({str(e.creator_id) for e in events}):
        rebuild_daily_stats(creator_id=creator_id)
    return len(events)
