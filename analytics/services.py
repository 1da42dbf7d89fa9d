"""Analytics writes: collecting events (in the request: hash, filter, enqueue) and aggregating them (in the worker).

The request never writes: it hands a small payload to `tasks.process_analytics_event` and
returns. A broker outage drops the event with a warning; a reader never sees an error.
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

from analytics import pgsql, tasks
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
    try:
        tasks.process_analytics_event.send(payload)
    except Exception as e:  # the broker is down: analytics degrade, reading never does
        logger.warning("analytics event dropped, broker unavailable: %s: %s", type(e).__name__, e)
        return False
    return True


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
    return _enqueue(payload)


def track_event(*, kind: str, creator_id: object, post_id: object = None, count: int = 1) -> None:
    """Record a comment, subscribe, unsubscribe, email_sent or email_click, after the caller's commit.

    `creator_id` is whose figures change (the post's creator, the creator subscribed to);
    `post_id` is optional (subscriptions have none); `count` lets one call stand for a
    batch (a newsletter sent to 500 subscribers is `kind="email_sent", count=500`).
    """
    if kind not in Kind.values or kind == Kind.VIEW:
        raise ValueError(f"Unknown analytics event kind {kind!r}; views go through track_post_view.")
    payload = {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "post_id": str(post_id) if post_id else None,
        "creator_id": str(creator_id),
        "count": int(count),
        "at": timezone.now().isoformat(),
    }
    transaction.on_commit(lambda: _enqueue(payload))


# --- In the worker -------------------------------------------------------------------


def _prep(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    return field.get_db_prep_value(value, connection, prepared=False)


def _upsert(
    model: type[models.Model], *, keys: dict[str, Any], incs: dict[str, int], extra: dict | None = None
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET col = col + n: one atomic statement (SQLite and PostgreSQL)."""
    incs = {k: v for k, v in incs.items() if v}
    if not incs:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    values = {**keys, **(extra or {}), **incs}
    columns = [model._meta.get_field(name).column for name in values]
    params = [_prep(model, name, value) for name, value in values.items()]
    conflict = ", ".join(qn(model._meta.get_field(k).column) for k in keys)
    updates = ", ".join(
        f"{qn(model._meta.get_field(k).column)} = {table}.{qn(model._meta.get_field(k).column)} + "
        f"excluded.{qn(model._meta.get_field(k).column)}"
        for k in incs
    )
    # Identifiers come from the model's metadata, values are bound parameters.
    names, marks = ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(params))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_ignore(model: type[models.Model], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row is new."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in values)
    params = [_prep(model, name, value) for name, value in values.items()]
    marks = ", ".join(["%s"] * len(params))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def process_event(payload: dict[str, Any]) -> bool:
    """Store one raw event and fold it into the daily aggregates, atomically and once.

    Idempotent: a redelivered message has the same event id and is skipped. Returns
    whether anything was counted (False for a duplicate, or a post deleted meanwhile).
    """
    at = dt.datetime.fromisoformat(payload["at"])
    event = {
        "id": uuid.UUID(payload["id"]),
        "kind": payload["kind"],
        "post": uuid.UUID(payload["post_id"]) if payload.get("post_id") else None,
        "creator": uuid.UUID(payload["creator_id"]),
        "visitor_hash": payload.get("visitor_hash", ""),
        "day": timezone.localdate(at),
        "referrer_domain": payload.get("referrer_domain", ""),
        "utm_source": payload.get("utm_source", ""),
        "count": int(payload.get("count", 1)),
        "created_at": at,
    }
    post_incs, creator_incs = _increments(event["kind"], event["count"])
    try:
        if connection.vendor == "postgresql":
            return pgsql.process_event(event=event, post_incs=post_incs, creator_incs=creator_incs)
        with transaction.atomic():
            if not _insert_ignore(Event, event):
                return False
            _aggregate(event=event, post_incs=post_incs, creator_incs=creator_incs)
    except IntegrityError:
        # The post or creator was deleted between the request and now: nothing to count.
        logger.info("analytics event for a deleted post or creator skipped", extra={"post_id": str(event["post"])})
        return False
    return True


def _increments(kind: str, count: int) -> tuple[dict[str, int], dict[str, int]]:
    """What one event adds to its post's and its creator's daily row (unique visitors aside)."""
    if kind == Kind.VIEW:
        return {"views": 1}, {"views": 1}
    field = {
        Kind.COMMENT: "comments",
        Kind.EMAIL_SENT: "emails_sent",
        Kind.EMAIL_CLICK: "clicks",
        Kind.SUBSCRIBE: "subscribers_gained",
        Kind.UNSUBSCRIBE: "subscribers_lost",
    }[Kind(kind)]
    creator_incs = {field: count}
    return ({} if kind in (Kind.SUBSCRIBE, Kind.UNSUBSCRIBE) else {field: count}), creator_incs


def _aggregate(*, event: dict[str, Any], post_incs: dict[str, int], creator_incs: dict[str, int]) -> None:
    """The portable path (SQLite): one statement per table, inside the caller's transaction."""
    post_id, creator_id, day = event["post"], event["creator"], event["day"]
    if event["kind"] == Kind.VIEW:
        visitor = event["visitor_hash"]
        new_for_post = _insert_ignore(PostVisitor, {"post": post_id, "day": day, "visitor_hash": visitor})
        new_for_creator = _insert_ignore(CreatorVisitor, {"creator": creator_id, "day": day, "visitor_hash": visitor})
        post_incs = {**post_incs, "unique_visitors": int(new_for_post)}
        creator_incs = {**creator_incs, "unique_visitors": int(new_for_creator)}
        _upsert(
            DailyReferrer,
            keys={"post": post_id, "day": day, "domain": event["referrer_domain"]},
            extra={"creator": creator_id},
            incs={"count": 1},
        )
        _upsert(
            DailyCreatorReferrer,
            keys={"creator": creator_id, "day": day, "domain": event["referrer_domain"]},
            incs={"count": 1},
        )
    if post_id is not None and post_incs:
        _upsert(DailyPostStats, keys={"post": post_id, "day": day}, extra={"creator": creator_id}, incs=post_incs)
    _upsert(DailyCreatorStats, keys={"creator": creator_id, "day": day}, incs=creator_incs)


# --- Maintenance -----------------------------------------------------------------------


def delete_expired_events(*, now: dt.datetime | None = None) -> int:
    """Retention: drop raw events older than ANALYTICS_RETENTION_DAYS, and the dedup rows and salts
    of days that are over. The daily aggregates stay. Returns the number of raw events deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
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
