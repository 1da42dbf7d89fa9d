"""Analytics: raw events (append-only, trimmed by retention) and the daily aggregates dashboards read.

No IP address and no full referring URL is ever stored: a visitor is a salted hash that
changes every day, a referrer is its domain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    VIEW = "view", "Post view"
    COMMENT = "comment", "Comment"
    SUBSCRIBE = "subscribe", "Subscribe"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe"
    EMAIL_SENT = "email_sent", "Email sent"
    EMAIL_CLICK = "email_click", "Email click"


class Event(models.Model):
    """One thing that happened. Stored in bulk by the worker, folded into the daily figures by the
    aggregator (which then sets `aggregated`, its only update); deleted by retention."""

    # Chosen when the event happens, so a redelivered message is recognised and counted once.
    id = models.UUIDField(primary_key=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # HMAC of (the day's salt, IP, user agent), truncated: counts unique visitors, identifies nobody.
    visitor_hash = models.CharField(max_length=32, blank=True)
    day = models.DateField()
    referrer_domain = models.CharField(max_length=253, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    # e.g. one "email_sent" event for a newsletter sent to 500 subscribers.
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    # False until the aggregator has added the event to the daily figures (set-based, in bulk).
    aggregated = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            # The aggregator's work list: small (only what is not folded in yet), whatever the table's size.
            models.Index(
                fields=["created_at"], condition=models.Q(aggregated=False), name="analytics_event_pending_idx"
            ),
            models.Index(fields=["post", "created_at"], name="analytics_event_post_idx"),
            models.Index(fields=["creator", "created_at"], name="analytics_event_creator_idx"),
            models.Index(fields=["created_at"], name="analytics_event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"


class DailyPostStats(models.Model):
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0, db_default=0)
    unique_visitors = models.PositiveIntegerField(default=0, db_default=0)
    comments = models.PositiveIntegerField(default=0, db_default=0)
    emails_sent = models.PositiveIntegerField(default=0, db_default=0)
    clicks = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="analytics_post_day_unique")]
        indexes = [models.Index(fields=["creator", "day"], name="analytics_post_creator_day_idx")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}"


class DailyCreatorStats(models.Model):
    """Per creator and day: the sums over their posts, plus what belongs to the creator (subscribers).

    Unique visitors here are distinct per creator and day (one reader of three posts is one).
    """

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0, db_default=0)
    unique_visitors = models.PositiveIntegerField(default=0, db_default=0)
    comments = models.PositiveIntegerField(default=0, db_default=0)
    subscribers_gained = models.PositiveIntegerField(default=0, db_default=0)
    subscribers_lost = models.PositiveIntegerField(default=0, db_default=0)
    emails_sent = models.PositiveIntegerField(default=0, db_default=0)
    clicks = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["creator", "day"], name="analytics_creator_day_unique")]
        indexes = [models.Index(fields=["day"], name="analytics_cstats_day_idx")]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.day}"


class DailyReferrer(models.Model):
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # "" = no referrer (direct, or from our own site).
    domain = models.CharField(max_length=253, blank=True)
    count = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "day", "domain"], name="analytics_referrer_unique"),
        ]
        indexes = [models.Index(fields=["creator", "day"], name="analytics_ref_creator_day_idx")]

    def __str__(self) -> str:
        return f"{self.domain or '(direct)'} {self.day}"


class DailyCreatorReferrer(models.Model):
    """DailyReferrer summed over a creator's posts, so the dashboard reads ~days × domains rows, not × posts."""

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    domain = models.CharField(max_length=253, blank=True)
    count = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "day", "domain"], name="analytics_creator_referrer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.domain or '(direct)'} {self.day}"


class PostVisitor(models.Model):
    """Who has been counted as a unique visitor of a post on a day (insert-or-ignore); kept two days."""

    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor_hash = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "day", "visitor_hash"], name="analytics_post_visitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}"


class CreatorVisitor(models.Model):
    """The same per creator, so a reader of three posts is one unique visitor of the creator."""

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor_hash = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "day", "visitor_hash"], name="analytics_creator_visitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} {self.day}"


class DailySalt(models.Model):
    """The random salt of a day's visitor hashes. Deleted once the day is over, so no stored hash
    can ever again be matched to an IP address and user agent (not even with SECRET_KEY)."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)
