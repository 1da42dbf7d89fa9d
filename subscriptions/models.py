"""Who follows whom, and the ledger of new-post emails."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from posts.models import Post


class Subscription(models.Model):
    """A reader following a creator. One row per pair: subscribing again reactivates it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscribers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    email_enabled = models.BooleanField("Email me new posts", default=True)
    subscribed_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-subscribed_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "creator"], name="subscription_unique_pair"),
            models.CheckConstraint(condition=~models.Q(subscriber=models.F("creator")), name="subscription_not_self"),
        ]
        indexes = [
            models.Index(fields=["creator", "status", "email_enabled"], name="subscription_fanout_idx"),
            models.Index(fields=["subscriber", "status"], name="subscription_reader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} → {self.creator_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Delivery(models.Model):
    """One new-post email to one subscriber. The unique pair is what makes sending exactly-once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed before sending)"

    id = models.BigAutoField(primary_key=True)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # A worker claims a queued row until this time (and a retry waits until it); a crashed
    # worker's claim simply expires and the periodic job hands the row to another worker.
    locked_until = models.DateTimeField(null=True, blank=True)
    # Which claim holds the row: set by one UPDATE for a whole batch, then read back.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["post", "subscriber"], name="delivery_once_per_post")]
        indexes = [models.Index(fields=["status", "locked_until"], name="delivery_pending_idx")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.subscriber_id} ({self.status})"


class PostDeliveryStats(Post):
    """Admin only: posts with their new-post email counts (queued/sent/failed), to spot a stalled send."""

    class Meta:
        proxy = True
        verbose_name = "new-post email send"
        verbose_name_plural = "new-post email sends"
