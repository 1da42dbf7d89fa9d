from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:tag", kwargs={"slug": self.slug})


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        SUBSCRIBERS = "subscribers", "Subscribers only"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200, blank=True)
    # Unique per creator; follows the title while a draft, fixed once published (links stay valid).
    slug = models.SlugField(max_length=220, allow_unicode=True, blank=True)
    subtitle = models.CharField(max_length=300, blank=True)
    content = models.TextField(blank=True, help_text="Markdown source.")
    # Rendered and sanitised once, when the content is saved; never at read time.
    content_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    published_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    cover_image = models.ImageField(upload_to="covers/%Y/%m/", blank=True)
    reading_time = models.PositiveSmallIntegerField(default=0, help_text="Minutes.")
    word_count = models.PositiveIntegerField(default=0)
    comments_enabled = models.BooleanField(default=True)
    # Bumped on every save: two tabs editing one draft detect each other instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "slug"],
                condition=~models.Q(slug=""),
                name="post_slug_unique_per_creator",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="post_published_idx"),
            models.Index(fields=["creator", "status", "-published_at"], name="post_creator_idx"),
            models.Index(fields=["status", "scheduled_for"], name="post_scheduled_idx"),
        ]

    def __str__(self) -> str:
        return self.title or "Untitled draft"

    def get_absolute_url(self) -> str:
        if self.is_published and self.slug:
            return reverse("posts:detail", kwargs={"username": self.creator.username, "slug": self.slug})
        return reverse("posts:edit", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def display_title(self) -> str:
        return self.title or "Untitled draft"

    @property
    def full_url(self) -> str:
        return f"{settings.SITE_URL}{self.get_absolute_url()}"


class PostRevision(models.Model):
    """A snapshot of a post's text: at each explicit save, at publish, and when a published post changes."""

    class Reason(models.TextChoices):
        SAVE = "save", "Saved"
        PUBLISH = "publish", "Published"
        EDIT = "edit", "Edited after publishing"
        RESTORE = "restore", "Restored"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    subtitle = models.CharField(max_length=300, blank=True)
    content = models.TextField(blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.SAVE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title or 'Untitled'} ({self.get_reason_display()}, {self.created_at:%Y-%m-%d %H:%M})"
