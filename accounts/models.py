from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class UserManager(DjangoUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Log-in is case-insensitive, like the uniqueness rules below.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """Everyone who signs in: readers, creators, and staff (Django's `is_staff`)."""

    class Role(models.TextChoices):
        READER = "reader", "Reader"
        CREATOR = "creator", "Creator"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text="Up to 30 characters: letters, digits and @/./+/-/_ only. Your page is /@username.",
        error_messages={"unique": "That username is taken."},
    )
    email = models.EmailField(
        "email address", unique=True, error_messages={"unique": "That email is already registered."}
    )
    bio = models.TextField(blank=True, max_length=2000)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.READER, db_index=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="user_email_ci_unique", violation_error_message="That email is already registered."
            ),
            models.UniqueConstraint(
                Lower("username"), name="user_username_ci_unique", violation_error_message="That username is taken."
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_creator(self) -> bool:
        return self.role == self.Role.CREATOR

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
