from django import template

from subscriptions import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def subscription_state(context: template.Context, creator: object) -> dict:
    """For the subscribe button: {"subscribed", "count", "is_self"} for the current user."""
    return selectors.button_state(user=context["request"].user, creator=creator)
