"""sitemap.xml: every published post, every creator with posts, every tag in use."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet

from accounts.models import User
from posts.models import Post, Tag


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.filter(status=Post.Status.PUBLISHED)
            .select_related("creator")
            .only("slug", "status", "updated_at", "creator__username")
            .order_by("-published_at", "pk")
        )

    def lastmod(self, item: Post) -> dt.datetime:
        return item.updated_at


class CreatorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[User]:
        return (
            User.objects.filter(is_active=True, posts__status=Post.Status.PUBLISHED)
            .annotate(last_post=Max("posts__updated_at"))
            .only("username")
            .order_by("username")
        )

    def lastmod(self, item: User) -> dt.datetime:
        return item.last_post


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self) -> QuerySet[Tag]:
        return Tag.objects.filter(posts__status=Post.Status.PUBLISHED).distinct().order_by("slug")


SITEMAPS = {"posts": PostSitemap, "creators": CreatorSitemap, "tags": TagSitemap}
