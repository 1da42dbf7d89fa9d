"""Reads about accounts that carry a rule."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User


def get_user_by_username(*, username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


def can_see_email(*, viewer: object, user: User) -> bool:
    """A user's email is theirs: shown to themself and to staff only."""
    return bool(getattr(viewer, "is_authenticated", False) and (viewer == user or viewer.is_staff))
