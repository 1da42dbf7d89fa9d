from __future__ import annotations

from typing import Any

from django import template

from posts.models import Post

register = template.Library()


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context: template.Context, post: Post) -> dict[str, Any]:
    """The thread under a post page; `?comments=newest|oldest` picks the order (and its cache key)."""
    from comments.views import thread_context

    request = context["request"]
    return thread_context(request, post=post, order=request.GET.get("comments", "oldest"))
