"""Demo analytics for `make run`: 30 days of reading for the demo creators, so the dashboards
show a chart on the first visit.

Raw events are made up (views with referrers, plus the demo subscriptions and comments on the
days they happened) and stored through `services.import_events`, which recomputes the daily
figures from them. Ids are derived from a fixed name, so running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import TextIO

from django.utils import timezone

from analytics import services
from analytics.models import Event, Kind
from comments.models import Comment
from posts.models import Post
from subscriptions.models import Subscription

CREATORS = ["ada", "grace", "linus"]
DAYS = 30
NAMESPACE = uuid.UUID("5f0c1d2e-8d3b-4c55-9a59-6b1f3c0de1a5")
REFERRERS = ["", "", "", "news.ycombinator.com", "bsky.app", "mastodon.social", "www.google.com", "duckduckgo.com"]


def _event(name: str, **fields: object) -> Event:
    return Event(id=uuid.uuid5(NAMESPACE, name), **fields)


def _views(post: Post, now: dt.datetime, rng: random.Random) -> list[Event]:
    """A launch spike that settles into a slow tail, with weekends a little quieter."""
    events = []
    start = max(post.published_at, now - dt.timedelta(days=DAYS - 1))
    day = timezone.localdate(start)
    while day <= timezone.localdate(now):
        since_publish = (day - timezone.localdate(post.published_at)).days
        expected = 4 + 40 / (1 + since_publish) * (1.3 if post.cover_image else 1)
        expected *= 0.7 if day.weekday() >= 5 else 1
        visitors = [f"{rng.getrandbits(128):032x}" for _ in range(max(1, int(expected * 0.8)))]
        for n in range(rng.randint(int(expected * 0.7), int(expected * 1.3) + 1)):
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(6, 23), rng.randint(0, 59))))
            if at > now:
                at = now - dt.timedelta(minutes=n + 1)
            events.append(
                _event(
                    f"view:{post.pk}:{day}:{n}",
                    kind=Kind.VIEW,
                    post_id=post.pk,
                    creator_id=post.creator_id,
                    visitor_hash=rng.choice(visitors),
                    day=timezone.localdate(at),
                    referrer_domain=rng.choice(REFERRERS),
                    created_at=at,
                )
            )
        day += dt.timedelta(days=1)
    return events


def seed(stdout: TextIO) -> int:
    posts = list(Post.objects.filter(creator__username__in=CREATORS, status=Post.Status.PUBLISHED).order_by("pk"))
    if not posts:
        return 0
    if Event.objects.filter(id=uuid.uuid5(NAMESPACE, f"post:{posts[0].pk}")).exists():
        stdout.write("Demo analytics already there.")
        return 0
    now = timezone.now()
    events: list[Event] = []
    for post in posts:
        rng = random.Random(f"analytics-{post.title}")
        events.append(  # the marker the check above looks for, and the post's first reader
            _event(
                f"post:{post.pk}",
                kind=Kind.VIEW,
                post_id=post.pk,
                creator_id=post.creator_id,
                visitor_hash=f"{rng.getrandbits(128):032x}",
                day=timezone.localdate(post.published_at),
                created_at=post.published_at,
            )
        )
        events += _views(post, now, rng)
    for sub in Subscription.objects.filter(creator__username__in=CREATORS, status=Subscription.Status.ACTIVE):
        events.append(
            _event(
                f"subscribe:{sub.pk}",
                kind=Kind.SUBSCRIBE,
                creator_id=sub.creator_id,
                day=timezone.localdate(sub.subscribed_at),
                created_at=sub.subscribed_at,
            )
        )
    for comment in Comment.objects.filter(post__in=posts, status=Comment.Status.VISIBLE).select_related("post"):
        events.append(
            _event(
                f"comment:{comment.pk}",
                kind=Kind.COMMENT,
                post_id=comment.post_id,
                creator_id=comment.post.creator_id,
                day=timezone.localdate(comment.created_at),
                created_at=comment.created_at,
            )
        )
    services.import_events(events=events)
    views = sum(1 for e in events if e.kind == Kind.VIEW)
    stdout.write(f"Demo analytics: {views} views over the last {DAYS} days for {', '.join(CREATORS)}.")
    return len(events)
