"""Whole-page cache for logged-out readers, invalidated whenever published content changes.

Cached pages are keyed by a site-wide content version: any change readers could see
(publish, edit, unpublish, delete, profile edit, a comment) calls `invalidate()`, which
bumps the version so every older page is ignored (and then evicted by the cache's LRU).
Coarse, but never stale, and O(1) to invalidate. Logged-in readers are never served a
cached page, so nobody sees a page rendered for someone else.

A stored page carries the version it was rendered at, and the version and the page are
read together (one MGET), so a hit costs one round trip to the cache. The body is
stored gzip-compressed and sent that way to clients that accept gzip (every browser);
anyone else gets it decompressed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.csp import CSP, build_policy
from django.utils.http import http_date, parse_http_date_safe

VERSION_KEY = "pagecache:version"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


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


def _request_version(request: HttpRequest) -> int:
    """The content version, read once per request (the ETag and the cache key both need it)."""
    version = getattr(request, "_pagecache_version", None)
    if version is None:
        version = request._pagecache_version = current_version()  # type: ignore[attr-defined]
    return version


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"pagecache:page:{path}"


def _lookup(request: HttpRequest, key: str) -> tuple | None:
    """The stored page if it is current, and the content version: one round trip for both."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    version = request._pagecache_version = int(version) if version is not None else current_version()  # type: ignore[attr-defined]
    entry = found.get(key)
    return entry if entry is not None and entry[0] == version else None


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _from_entry(request: HttpRequest, entry: tuple) -> HttpResponse:
    _version, status, headers, body = entry
    if _accepts_gzip(request):
        response = HttpResponse(body, status=status, headers=headers)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(body), status=status, headers=headers)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cacheable(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and not getattr(request, "htmx", False)
        # A flash message ("You have signed out.") is for this visitor only: never store or hide it.
        and not (hasattr(request, "_messages") and len(messages.get_messages(request)))
    )


def _pin_csp(request: HttpRequest, response: HttpResponse) -> None:
    """Store the CSP header that matches the nonce baked into the cached HTML.

    Otherwise the middleware would send each later hit a fresh nonce that the page's
    <script nonce> tags don't carry, and the browser would block every script.
    """
    for header, config in (
        (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
        (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
    ):
        if config and header not in response:
            response.headers[str(header)] = build_policy(config, get_nonce(request))


def cache_for_anonymous(timeout: int | None = None) -> Callable:
    """Serve logged-out GETs from the cache; render (and store) on a miss."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            ttl = timeout if timeout is not None else getattr(settings, "PAGE_CACHE_SECONDS", 300)
            if ttl <= 0 or not cacheable(request):  # PAGE_CACHE_SECONDS=0 turns the cache off
                return view(request, *args, **kwargs)
            key = _key(request)
            entry = _lookup(request, key)
            if entry is not None:
                response = _from_entry(request, entry)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            # A page holding a CSRF token (a form) belongs to one visitor's cookie: never share it.
            csrf_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code == 200 and not response.streaming and not response.cookies and not csrf_used:
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                _pin_csp(request, response)
                response.setdefault("Last-Modified", http_date())
                # Stamped with the version read before rendering: a change made meanwhile makes it stale at once.
                entry = (
                    _request_version(request),
                    response.status_code,
                    dict(response.headers),
                    gzip.compress(response.content, mtime=0),
                )
                cache.set(key, entry, ttl)
                response = _from_entry(request, entry)  # this visitor too gets it compressed if they can
                response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorator


def _etag(request: HttpRequest, version: int) -> str:
    # The content version + URL say everything a logged-out page depends on, and they are
    # known before rendering, so they hold whether or not the page cache is on.
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:20]
    return f'W/"{version}-{path}"'


def reader_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page: cached whole for logged-out readers, with ETag/Last-Modified (304 on a repeat visit)."""
    cached_view = cache_for_anonymous()(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        anonymous = cacheable(request)
        if anonymous and getattr(settings, "PAGE_CACHE_SECONDS", 300) <= 0:
            _request_version(request)  # before rendering; with the cache on, its lookup reads it
        response = cached_view(request, *args, **kwargs)
        version = _request_version(request) if anonymous else 0
        if response.status_code != 200 or response.streaming:
            return response
        if callable(getattr(response, "render", None)):
            response = response.render()  # a TemplateResponse (the sitemap): the ETag needs the body
        # Browsers may keep the page but must ask again each time (a cheap 304), never guess freshness.
        if anonymous:
            response["ETag"] = _etag(request, version)
            patch_cache_control(response, no_cache=True)
        else:
            set_response_etag(response)  # content-based; a logged-in page carries a fresh CSRF token
            patch_cache_control(response, no_cache=True, private=True)
        response.setdefault("Last-Modified", http_date())
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response["Last-Modified"]),
            response=response,
        )
        if conditional is not response:
            # The browser keeps its stored CSP (whose nonce matches its stored HTML) only if
            # the 304 carries none; analytics still needs to know which post was viewed.
            conditional._csp_config = {}
            conditional._csp_ro_config = {}
            if "X-Post-Id" in response:
                conditional["X-Post-Id"] = response["X-Post-Id"]
        return conditional

    return wrapped
