"""Comments under posts: threads, reports and commenting bans."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by the creator"
        REMOVED = "removed", "Removed by staff"
        PENDING = "pending", "Held for review"
        # Deleted by its writer while it had replies: the row keeps the replies in place.
        DELETED = "deleted", "Deleted by its writer"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    content = models.TextField(blank=True, help_text="Plain text with a small Markdown subset.")
    # Rendered and sanitised at save (posts.rendering, "comment" profile); never at read time.
    content_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The thread read: every comment of one post, in time order.
            models.Index(fields=["post", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["user", "-created_at"], name="comment_user_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.post}: {self.content[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("comments:detail", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE

    @property
    def shows_text(self) -> bool:
        """Hidden, removed and deleted comments never show their text or writer to readers."""
        return self.status in (self.Status.VISIBLE, self.Status.PENDING)


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once_per_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.reporter} reported {self.comment_id}: {self.reason[:40]}"


class CommentBan(models.Model):
    """A user staff have stopped from commenting (anywhere on the site)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_ban")
    reason = models.CharField(max_length=500, blank=True)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} may not comment"
