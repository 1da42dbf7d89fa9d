from __future__ import annotations

import dramatiq

from notifications.models import Notification


@dramatiq.actor(max_retries=8, min_backoff=10_000)
def send_notification_email(notification_id: str) -> None:
    from notifications import services

    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return
    services.send_notification_email(notification=notification)
