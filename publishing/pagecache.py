"""Whole-page cache for logged-out readers, invalidated whenever published content changes.

Cached pages are keyed by a site-wide content version: any change readers could see
(publish, edit, unpublish, delete, profile edit, a comment) calls `invalidate()`, which
bumps the version so every older page is ignored (and then evicted by the cache's LRU).
Coarse, but never stale, and O(1) to invalidate. Logged-in readers are never served a
cached page, so nobody sees a page rendered for someone else.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "pagecache:version"


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def invalidate() -> None:
    """Forget every cached page. Call after any change a logged-out reader could see."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"pagecache:{current_version()}:{path}"


def cacheable(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"} and not request.user.is_authenticated and not getattr(request, "htmx", False)
    )


def cache_for_anonymous(timeout: int | None = None) -> Callable:
    """Serve logged-out GETs from the cache; render (and store) on a miss."""
    ttl = timeout if timeout is not None else getattr(settings, "PAGE_CACHE_SECONDS", 300)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request)
            cached = cache.get(key)
            if cached is not None:
                cached["X-Page-Cache"] = "hit"
                return cached
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                cache.set(key, response, ttl)
                response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorator
