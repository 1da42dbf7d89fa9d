"""RSS and Atom feeds: site-wide, per creator and per tag, each item with the full sanitised HTML."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from accounts import selectors as account_selectors
from accounts.models import User
from posts import selectors
from posts.models import Post, Tag

FEED_SIZE = 20


class FullRssFeed(Rss201rev2Feed):
    """RSS whose items also carry the whole article in <content:encoded>."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class FullAtomFeed(Atom1Feed):
    """Atom whose entries carry the whole article in <content type="html">."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestPosts(Feed):
    feed_type = FullRssFeed
    description_template = None

    def title(self, obj: Any = None) -> str:
        return settings.SITE_NAME

    def link(self, obj: Any = None) -> str:
        return "/"

    def description(self, obj: Any = None) -> str:
        return f"The latest posts on {settings.SITE_NAME}."

    def get_queryset(self, obj: Any) -> QuerySet[Post]:
        return selectors.published_posts()

    def items(self, obj: Any = None) -> list[Post]:
        return list(self.get_queryset(obj)[:FEED_SIZE])

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return item.subtitle or item.title

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Post) -> str:
        return f"{settings.SITE_URL}/posts/{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Post) -> str:
        return item.creator.display_name

    def item_author_link(self, item: Post) -> str:
        return f"{settings.SITE_URL}{item.creator.get_absolute_url()}"

    def item_pubdate(self, item: Post) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Post) -> list[str]:
        return [t.name for t in item.tags.all()]

    def item_extra_kwargs(self, item: Post) -> dict[str, Any]:
        return {"content_html": item.content_html}


class LatestPostsAtom(LatestPosts):
    feed_type = FullAtomFeed
    subtitle = LatestPosts.description


class CreatorPosts(LatestPosts):
    def get_object(self, request: HttpRequest, username: str) -> User:
        return account_selectors.get_user_by_username(username=username)

    def title(self, obj: User) -> str:
        return f"{obj.display_name} · {settings.SITE_NAME}"

    def link(self, obj: User) -> str:
        return obj.get_absolute_url()

    def description(self, obj: User) -> str:
        return obj.bio or f"Posts by {obj.display_name}."

    def get_queryset(self, obj: User) -> QuerySet[Post]:
        return selectors.posts_by(creator=obj)


class CreatorPostsAtom(CreatorPosts):
    feed_type = FullAtomFeed
    subtitle = CreatorPosts.description


class TagPosts(LatestPosts):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return selectors.get_tag(slug=slug)

    def title(self, obj: Tag) -> str:
        return f"#{obj.name} · {settings.SITE_NAME}"

    def link(self, obj: Tag) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Tag) -> str:
        return f"Posts tagged {obj.name}."

    def get_queryset(self, obj: Tag) -> QuerySet[Post]:
        return selectors.published_posts().filter(tags=obj)


class TagPostsAtom(TagPosts):
    feed_type = FullAtomFeed
    subtitle = TagPosts.description
