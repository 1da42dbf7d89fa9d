"""Reads about subscriptions that carry a rule."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from posts import selectors as posts
from posts.models import Post
from subscriptions.models import Delivery, Subscription


def get_creator(*, pk: object) -> User:
    """A creator one can follow; anyone else is a 404."""
    return get_object_or_404(User, pk=pk, role=User.Role.CREATOR, is_active=True)


def feed(*, user: User) -> QuerySet[Post]:
    """Published posts from the creators `user` actively follows, newest first."""
    followed = Subscription.objects.filter(subscriber=user, status=Subscription.Status.ACTIVE).values("creator_id")
    return posts.with_comment_counts(posts.published_posts().filter(creator_id__in=followed))


def subscriptions_of(*, user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(subscriber=user).select_related("creator").order_by("status", "-subscribed_at")


def subscribers_of(*, creator: User, q: str = "", status: str | None = Subscription.Status.ACTIVE):
    qs = Subscription.objects.filter(creator=creator).select_related("subscriber").order_by("-subscribed_at")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(subscriber__username__icontains=q)
            | Q(subscriber__email__icontains=q)
            | Q(subscriber__first_name__icontains=q)
            | Q(subscriber__last_name__icontains=q)
        )
    return qs


def get_own_subscription(*, user: User, pk: object) -> Subscription:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(Subscription.objects.select_related("creator"), pk=pk, subscriber=user)


def active_count(*, creator: User) -> int:
    return Subscription.objects.filter(creator=creator, status=Subscription.Status.ACTIVE).count()


def button_state(*, user: object, creator: User) -> dict:
    """What the subscribe button shows: two queries whatever the page."""
    subscribed = False
    if getattr(user, "is_authenticated", False) and user.pk != creator.pk:
        subscribed = Subscription.objects.filter(
            subscriber=user, creator=creator, status=Subscription.Status.ACTIVE
        ).exists()
    return {"subscribed": subscribed, "count": active_count(creator=creator), "is_self": user == creator}


def count_over_time(*, creator: User, weeks: int = 12, now: dt.datetime | None = None) -> list[tuple[dt.date, int]]:
    """Active subscribers at the end of each of the last `weeks` weeks, in one query.

    A cancelled-then-renewed subscription counts from its latest start (one row per pair keeps
    only that), so the history is exact for everyone who never came back.
    """
    now = now or timezone.now()
    points = [now - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    aggregates = {
        f"w{i}": Count(
            "pk",
            filter=Q(subscribed_at__lte=at)
            & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=at))
            & (Q(status=Subscription.Status.ACTIVE) | Q(cancelled_at__isnull=False)),
        )
        for i, at in enumerate(points)
    }
    counts = Subscription.objects.filter(creator=creator).aggregate(**aggregates)
    return [(at.date(), counts[f"w{i}"]) for i, at in enumerate(points)]


def delivery_counts(*, post_ids: list[object]) -> dict[object, dict[str, int]]:
    """Queued/sent/failed/skipped per post, for staff."""
    rows = Delivery.objects.filter(post_id__in=post_ids).values("post_id", "status").annotate(n=Count("pk")).order_by()
    out: dict[object, dict[str, int]] = {pk: {s: 0 for s in Delivery.Status.values} for pk in post_ids}
    for row in rows:
        out.setdefault(row["post_id"], {s: 0 for s in Delivery.Status.values})[row["status"]] = row["n"]
    return out
