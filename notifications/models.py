"""The one place for notifications: in-app items and each user's email preferences.

Comments, subscriptions and cross-posting all notify through notifications.services.notify.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "New comment on your post"
        REPLY = "reply", "Reply to your comment"
        NEW_POST = "new_post", "New post from a creator you follow"
        NEW_SUBSCRIBER = "new_subscriber", "New subscriber"
        CONNECTION = "connection", "A social connection needs attention"
        SYSTEM = "system", "Account"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Makes notify() idempotent when an actor runs twice (e.g. "new_post:<post>:<user>").
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """What a user wants by email. In-app notifications are always kept."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    email_comments = models.BooleanField("Email me when someone comments on my posts", default=True)
    email_replies = models.BooleanField("Email me when someone replies to my comments", default=True)
    email_new_posts = models.BooleanField("Email me new posts from creators I subscribe to", default=True)
    email_account = models.BooleanField("Email me about my account and connections", default=True)

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    def wants_email(self, kind: str) -> bool:
        field = {
            Notification.Kind.COMMENT: "email_comments",
            Notification.Kind.REPLY: "email_replies",
            Notification.Kind.NEW_POST: "email_new_posts",
        }.get(kind, "email_account")
        return bool(getattr(self, field))
