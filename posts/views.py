"""Reader pages (home, post, tag, feeds, sitemap, robots) and the editor entry points."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from posts import selectors
from posts.models import Post
from publishing.pagecache import reader_page

# What json_script escapes: the JSON can then never close the <script> it sits in.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_safe
@reader_page
def home(request: HttpRequest) -> HttpResponse:
    page = selectors.page_of(selectors.post_cards(), request.GET.get("page"))
    return render(request, "posts/home.html", {"page": page})


@require_safe
@reader_page
def post_detail(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    post = selectors.get_published_post(username=username, slug=slug)
    context = {
        "post": post,
        "json_ld": article_json_ld(post),
        "canonical": post.full_url,
        "cover_url": absolute(post.cover_image.url) if post.cover_image else "",
        "description": post.subtitle or Truncator(strip_tags(post.content_html[:4000])).chars(200),
    }
    response = render(request, "posts/post_detail.html", context)
    # Read by analytics' middleware, so a view counts even when the page comes from the page cache.
    response["X-Post-Id"] = str(post.pk)
    response["X-Creator-Id"] = str(post.creator_id)
    return response


@require_safe
@reader_page
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.get_tag(slug=slug)
    page = selectors.page_of(selectors.tagged_posts(tag=tag), request.GET.get("page"))
    return render(request, "posts/tag_detail.html", {"tag": tag, "page": page})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {p}" for p in ("/write/", "/dashboard/", "/api/", "/admin/", "/accounts/", "/settings/")),
        "",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def article_json_ld(post: Post) -> SafeString:
    """schema.org Article for search engines, safe to place inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title,
        "description": post.subtitle,
        "url": post.full_url,
        "mainEntityOfPage": post.full_url,
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat(),
        "wordCount": post.word_count,
        "keywords": [t.name for t in post.tags.all()],
        "author": {
            "@type": "Person",
            "name": post.creator.display_name,
            "url": f"{settings.SITE_URL}{post.creator.get_absolute_url()}",
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
    }
    if post.cover_image:
        data["image"] = absolute(post.cover_image.url)
    return mark_safe(json.dumps(data).translate(_JSON_ESCAPES))  # noqa: S308 (escaped just above)


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


# The editor lives in posts/editor_views.py; these names are what posts/urls.py routes to.
from posts.editor_views import post_edit, post_write  # noqa: E402, F401
