from __future__ import annotations

from django import template

from crossposting.panel import panel_context

register = template.Library()


@register.inclusion_tag("crossposting/_panel.html", takes_context=True)
def crosspost_panel(context: template.Context, post: object) -> dict[str, object]:
    return {**panel_context(post=post), "csrf_token": context.get("csrf_token"), "request": context.get("request")}
