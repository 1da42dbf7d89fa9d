"""Reads about posts that carry a rule: who may see or edit what."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from posts.models import Post, Tag

PAGE_SIZE = 12


def published_posts() -> QuerySet[Post]:
    """What any reader may read, newest first, with what a post card shows."""
    return (
        Post.objects.filter(status=Post.Status.PUBLISHED)
        .select_related("creator")
        .prefetch_related("tags")
        .order_by("-published_at")
    )


def posts_by(*, creator: User) -> QuerySet[Post]:
    return published_posts().filter(creator=creator)


def post_cards() -> QuerySet[Post]:
    """Published posts as list pages show them: without the (long) text, with `comment_count`."""
    return with_comment_counts(published_posts().defer("content", "content_html"))


def with_comment_counts(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Adds `comment_count` (visible comments) to each post, in the same query."""
    from comments import selectors as comments  # comments builds on posts, so imported when called

    return posts.annotate(comment_count=comments.visible_comment_count())


def page_of(posts: QuerySet[Post], number: object, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of a list; a bad or too-large page number gives the nearest real page."""
    return Paginator(posts, per_page).get_page(number)


def get_tag(*, slug: str) -> Tag:
    return get_object_or_404(Tag, slug=slug)


def tagged_posts(*, tag: Tag) -> QuerySet[Post]:
    return post_cards().filter(tags=tag)


def get_post_for_editor(*, user: User, pk: object) -> Post:
    """The post, if `user` wrote it; 404 otherwise (a draft's existence is private)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such post.")
    return get_object_or_404(Post.objects.select_related("creator"), pk=pk, creator=user)


def get_post_for_reader(*, user: object, pk: object) -> Post:
    """A published post, or the reader's own unpublished one; 404 otherwise."""
    post = get_object_or_404(Post.objects.select_related("creator").prefetch_related("tags"), pk=pk)
    if post.is_published or (getattr(user, "is_authenticated", False) and post.creator_id == user.pk):
        return post
    raise Http404("No such post.")


def get_published_post(*, username: str, slug: str) -> Post:
    return get_object_or_404(published_posts(), creator__username__iexact=username, slug=slug)


def posts_for_listing(*, creator: User, viewer: object, status: str | None = None) -> QuerySet[Post]:
    """A creator's posts as a list: all of them for the creator, only published ones for anyone else."""
    posts = Post.objects.filter(creator=creator).only("id", "title", "status", "published_at", "created_at")
    if getattr(viewer, "pk", None) != creator.pk:
        posts = posts.filter(status=Post.Status.PUBLISHED)
    if status:
        posts = posts.filter(status=status)
    return posts.order_by("-published_at", "-created_at")
