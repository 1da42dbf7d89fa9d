"""Counts post views server-side, from the response the post page produced (cached or not)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from analytics import services


class PostViewMiddleware:
    """A 200/304 GET carrying `X-Post-Id` (and `X-Creator-Id`) is a view of that post.

    Runs after the view (and the page cache), so cache hits count too. The headers are
    set by posts.views.post_detail; the decision and the hand-off to the worker live in
    `analytics.services.track_post_view`, which never raises.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        post_id = response.get("X-Post-Id")
        creator_id = response.get("X-Creator-Id")
        if post_id and creator_id and request.method == "GET" and response.status_code in (200, 304):
            services.track_post_view(request=request, post_id=post_id, creator_id=creator_id)
        return response
