from __future__ import annotations

import dramatiq

from accounts.models import User


@dramatiq.actor(max_retries=5, min_backoff=5_000)
def send_welcome_email(user_id: str) -> None:
    from accounts import services

    user = User.objects.filter(pk=user_id).first()
    if user is None:  # deleted meanwhile; nothing to say
        return
    services.send_welcome_email(user=user)


@dramatiq.actor(max_retries=8, min_backoff=5_000)
def send_email(payload: dict) -> None:
    """An account email rendered in the request (allauth's confirmation, password reset)."""
    from accounts import services

    services.send_email_payload(payload=payload)
