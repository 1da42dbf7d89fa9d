from __future__ import annotations

from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    """One COUNT on the inbox index; only rendered for logged-in users (the nav slot)."""
    user = context.get("user")
    if not getattr(user, "is_authenticated", False):
        return 0
    return selectors.unread_count(user=user)
