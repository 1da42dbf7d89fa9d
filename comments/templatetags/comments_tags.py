from __future__ import annotations

from collections.abc import Iterable
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


@register.simple_tag
def comment_counts(posts: Iterable[Post]) -> dict[Any, int]:
    """`{% comment_counts posts as counts %}` then `{{ counts|count_for:post }}`: one query for a list of cards."""
    from comments import selectors

    return selectors.comment_counts(post_ids=[p.pk for p in posts])


@register.filter
def count_for(counts: dict[Any, int], post: Post) -> int:
    return counts.get(post.pk, 0)
