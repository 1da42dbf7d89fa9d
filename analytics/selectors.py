"""Analytics reads: who may see which figures, and the figures themselves (aggregates only).

Every function here runs a fixed number of queries, whatever the number of events, posts or days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from analytics.models import DailyCreatorReferrer, DailyCreatorStats, DailyPostStats, DailyReferrer
from posts.models import Post

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
MAX_API_RANGE_DAYS = 366
CREATOR_FIELDS = (
    "views",
    "unique_visitors",
    "comments",
    "subscribers_gained",
    "subscribers_lost",
    "emails_sent",
    "clicks",
)
POST_FIELDS = ("views", "unique_visitors", "comments", "emails_sent", "clicks")


# --- Who may see what --------------------------------------------------------------


def may_see_creator(*, user: Any, creator_id: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or str(user.pk) == str(creator_id)))


def get_post_for_analytics(*, user: Any, pk: object) -> Post:
    """The post, for its creator or staff; 404 for anyone else (its figures are private)."""
    post = get_object_or_404(Post.objects.select_related("creator"), pk=pk)
    if not may_see_creator(user=user, creator_id=post.creator_id):
        raise Http404("No such post.")
    return post


def get_post_for_analytics_api(*, user: Any, pk: object) -> Post:
    """The API's rule: unknown → 404, someone else's → 403."""
    post = get_object_or_404(Post.objects.select_related("creator"), pk=pk)
    if not may_see_creator(user=user, creator_id=post.creator_id):
        raise PermissionDenied("Only the post's creator and staff can see its analytics.")
    return post


def get_creator_for_analytics_api(*, user: Any, creator_id: object) -> User:
    if not may_see_creator(user=user, creator_id=creator_id):
        raise PermissionDenied("Only the creator and staff can see these analytics.")
    return get_object_or_404(User, pk=creator_id)


# --- Figures ------------------------------------------------------------------------------


@dataclass
class Summary:
    start: dt.date
    end: dt.date
    days: list[dict[str, Any]]  # one per day, zero-filled, oldest first
    totals: dict[str, int]
    previous: dict[str, int] = field(default_factory=dict)  # the period before, for trends
    top_posts: list[dict[str, Any]] = field(default_factory=list)
    referrers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def trends(self) -> dict[str, int | None]:
        """Per cent change against the previous period (None when there was nothing before)."""
        return {
            k: (round((v - self.previous.get(k, 0)) * 100 / self.previous[k]) if self.previous.get(k) else None)
            for k, v in self.totals.items()
        }


def period_days(value: object) -> int:
    try:
        days = int(str(value))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def period_range(days: int, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    end = today or timezone.localdate()
    return end - dt.timedelta(days=days - 1), end


def _series(rows: list[dict[str, Any]], *, start: dt.date, end: dt.date, fields: tuple[str, ...]) -> list[dict]:
    by_day = {r["day"]: r for r in rows}
    out = []
    day = start
    while day <= end:
        row = by_day.get(day, {})
        out.append({"date": day, **{f: row.get(f, 0) or 0 for f in fields}})
        day += dt.timedelta(days=1)
    return out


def _totals(series: list[dict], fields: tuple[str, ...]) -> dict[str, int]:
    return {f: sum(d[f] for d in series) for f in fields}


def creator_summary(
    *, creator_id: object, start: dt.date, end: dt.date, with_previous: bool = True, top: int = 10
) -> Summary:
    """A creator's daily figures in [start, end], the previous period of the same length, top posts
    and top referrers: three queries."""
    length = (end - start).days + 1
    since = start - dt.timedelta(days=length) if with_previous else start
    rows = list(
        DailyCreatorStats.objects.filter(creator_id=creator_id, day__gte=since, day__lte=end).values(
            "day", *CREATOR_FIELDS
        )
    )
    days = _series([r for r in rows if r["day"] >= start], start=start, end=end, fields=CREATOR_FIELDS)
    previous = _series(
        [r for r in rows if r["day"] < start], start=since, end=start - dt.timedelta(days=1), fields=CREATOR_FIELDS
    )
    summary = Summary(start=start, end=end, days=days, totals=_totals(days, CREATOR_FIELDS))
    if with_previous:
        summary.previous = _totals(previous, CREATOR_FIELDS)
    if top:
        summary.top_posts = list(
            DailyPostStats.objects.filter(creator_id=creator_id, day__gte=start, day__lte=end)
            .values("post_id", "post__title", "post__slug")
            .annotate(views=Sum("views"), unique_visitors=Sum("unique_visitors"), comments=Sum("comments"))
            .order_by("-views", "post__title")[:top]
        )
        summary.referrers = list(
            DailyCreatorReferrer.objects.filter(creator_id=creator_id, day__gte=start, day__lte=end)
            .values("domain")
            .annotate(visits=Sum("count"))
            .order_by("-visits", "domain")[:top]
        )
    return summary


def post_summary(*, post: Post, start: dt.date, end: dt.date, top: int = 10) -> Summary:
    """One post's daily figures in [start, end] and its top referrers: two queries."""
    rows = list(DailyPostStats.objects.filter(post=post, day__gte=start, day__lte=end).values("day", *POST_FIELDS))
    days = _series(rows, start=start, end=end, fields=POST_FIELDS)
    summary = Summary(start=start, end=end, days=days, totals=_totals(days, POST_FIELDS))
    if top:
        summary.referrers = list(
            DailyReferrer.objects.filter(post=post, day__gte=start, day__lte=end)
            .values("domain")
            .annotate(visits=Sum("count"))
            .order_by("-visits", "domain")[:top]
        )
    return summary


def site_summary(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Site-wide, for staff: views per day, active creators (read in the period), posts published. Three queries."""
    sums = ("views", "unique_visitors", "comments", "subscribers_gained")
    rows = [
        {"day": r["day"], "creators": r["creators"], **{f: r[f"sum_{f}"] for f in sums}}
        for r in DailyCreatorStats.objects.filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(**{f"sum_{f}": Sum(f) for f in sums}, creators=Count("creator", filter=Q(views__gt=0)))
        .order_by("day")
    ]
    fields = ("views", "unique_visitors", "comments", "subscribers_gained", "creators")
    days = _series(rows, start=start, end=end, fields=fields)
    active = (
        DailyCreatorStats.objects.filter(day__gte=start, day__lte=end, views__gt=0)
        .values("creator_id")
        .distinct()
        .count()
    )
    published = Post.objects.filter(
        status=Post.Status.PUBLISHED,
        published_at__date__gte=start,
        published_at__date__lte=end,
    ).count()
    totals = _totals(days, fields)
    totals.update(active_creators=active, posts_published=published)
    return {"start": start, "end": end, "days": days, "totals": totals}
