"""notify(): the one way any feature tells a user something (in-app, and by email if they want)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from notifications import tasks
from notifications.models import Notification, NotificationPreference


def preferences_for(*, user: User) -> NotificationPreference:
    prefs, _ = NotificationPreference.objects.get_or_create(user=user)
    return prefs


def update_preferences(*, user: User, **choices: bool) -> NotificationPreference:
    prefs = preferences_for(user=user)
    for name, value in choices.items():
        if not hasattr(prefs, name) or not name.startswith("email_"):
            raise ValueError(f"unknown preference {name}")
        setattr(prefs, name, bool(value))
    prefs.save()
    return prefs


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    actor: User | None = None,
    dedupe_key: str | None = None,
    email: bool = True,
) -> Notification | None:
    """Record an in-app notification and, if the recipient wants it, email it (by a worker).

    With a `dedupe_key`, a second call for the same thing does nothing and returns None.
    Pass email=False where the caller sends its own email (new-post emails go in bulk).
    """
    if actor is not None and actor.pk == recipient.pk:
        return None  # nobody is notified of their own actions
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                actor=actor,
                kind=kind,
                title=title[:300],
                body=body,
                url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if email and preferences_for(user=recipient).wants_email(kind):
        notification_id = str(notification.pk)
        transaction.on_commit(lambda: tasks.send_notification_email.send(notification_id))
    return notification


def notify_in_app_many(
    *,
    recipient_ids: Iterable[object],
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    actor: User | None = None,
    dedupe_prefix: str | None = None,
) -> int:
    """The same in-app notification for many users, in one bulk insert (no email: the caller sends its own).

    With a `dedupe_prefix`, each row's key is "<prefix>:<recipient id>", so running it again
    (a retried job) adds nothing for those already notified. Returns the rows offered.
    """
    rows = [
        Notification(
            recipient_id=pk,
            actor=actor,
            kind=kind,
            title=title[:300],
            body=body,
            url=url,
            dedupe_key=f"{dedupe_prefix}:{pk}" if dedupe_prefix else None,
        )
        for pk in recipient_ids
        if actor is None or str(pk) != str(actor.pk)  # nobody is notified of their own actions
    ]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def send_notification_email(*, notification: Notification) -> bool:
    """Send the email for one notification, once (emailed_at marks it sent)."""
    if notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    link = notification.url if notification.url.startswith("http") else f"{settings.SITE_URL}{notification.url}"
    context = {
        "notification": notification,
        "recipient": recipient,
        "link": link,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("notifications/email/notification.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    message.send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def mark_read(*, user: User, notification_ids: list[str] | None = None) -> int:
    """Mark some (or all) of the user's unread notifications as read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
