from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from comments import thread_html
from comments.selectors import Node
from posts.models import Post

register = template.Library()


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context: template.Context, post: Post) -> dict[str, Any]:
    """The thread under a post page; `?comments=newest|oldest` picks the order (and its cache key)."""
    from comments.views import thread_context

    request = context["request"]
    return thread_context(request, post=post, order=request.GET.get("comments", "oldest"))


@register.simple_tag(takes_context=True)
def comment_nodes(context: template.Context, nodes: Node | Iterable[Node]) -> SafeString:
    """`{% comment_nodes thread.roots %}`: each comment and its replies (comments.thread_html).

    Context: post, user, can_comment, is_moderator, htmx_ok, back (as comments.views builds it).
    """
    user = context.get("user")
    csrf_token = context.get("csrf_token")

    def csrf_input() -> SafeString:
        # Evaluated only when a form is written (never for logged-out readers), as {% csrf_token %}.
        if not csrf_token or csrf_token == "NOTPROVIDED":  # noqa: S105 (Django's "no token" marker)
            return mark_safe("")
        return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)

    viewer = thread_html.Viewer(
        user_id=user.pk if getattr(user, "is_authenticated", False) else None,
        post_creator_id=context["post"].creator_id,
        can_comment=bool(context.get("can_comment")),
        is_moderator=bool(context.get("is_moderator")),
        htmx_ok=bool(context.get("htmx_ok")),
        back=str(context.get("back", "")),
        csrf_input=csrf_input,
    )
    return thread_html.render_nodes([nodes] if isinstance(nodes, Node) else nodes, viewer)


@register.simple_tag
def comment_counts(posts: Iterable[Post]) -> dict[Any, int]:
    """`{% comment_counts posts as counts %}` then `{{ counts|count_for:post }}`: one query for a list of cards."""
    from comments import selectors

    return selectors.comment_counts(post_ids=[p.pk for p in posts])


@register.filter
def count_for(counts: dict[Any, int], post: Post) -> int:
    return counts.get(post.pk, 0)
