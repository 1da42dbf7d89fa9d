"""Reads that carry a rule: a creator sees and changes only their own connections and cross-posts."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from crossposting.models import Connection, CrossPost
from posts.models import Post


def connections_of(*, creator: User) -> QuerySet[Connection]:
    return Connection.objects.filter(creator=creator)


def get_connection_for_owner(*, user: User, pk: object) -> Connection:
    return get_object_or_404(Connection.objects.select_related("creator"), pk=pk, creator=user)


def get_crosspost_for_owner(*, user: User, pk: object) -> CrossPost:
    return get_object_or_404(CrossPost.objects.select_related("post", "connection"), pk=pk, creator=user)


def crossposts_of(*, post: Post) -> QuerySet[CrossPost]:
    return CrossPost.objects.filter(post=post).select_related("connection")


def orphaned_remote_posts(*, creator: User) -> QuerySet[CrossPost]:
    """Sent cross-posts whose post was unpublished or deleted: the creator may want them gone too."""
    return (
        CrossPost.objects.filter(creator=creator, status=CrossPost.Status.SENT)
        .filter(Q(post__isnull=True) | ~Q(post__status=Post.Status.PUBLISHED))
        .order_by("-sent_at")
    )
