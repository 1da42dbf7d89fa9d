"""Reader pages and the editor (the posts issue fills these in; names are fixed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from posts import selectors
from posts.models import Tag


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "posts/home.html", {"posts": selectors.published_posts()[:20]})


def post_detail(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    post = selectors.get_published_post(username=username, slug=slug)
    response = render(request, "posts/post_detail.html", {"post": post})
    # Read by analytics' middleware, so a view counts even when the page comes from the page cache.
    response["X-Post-Id"] = str(post.pk)
    response["X-Creator-Id"] = str(post.creator_id)
    return response


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return render(request, "posts/home.html", {"posts": selectors.published_posts().filter(tags=tag)[:20]})


# The editor lives in posts/editor_views.py; these names are what posts/urls.py routes to.
from posts.editor_views import post_edit, post_write  # noqa: E402, F401
