"""Reads about comments that carry a rule: who sees what, and the thread as a tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from comments.models import Comment
from posts.models import Post

MAX_DEPTH = 3  # levels shown inline; deeper replies are behind "continue this thread"
ORDERS = ("oldest", "newest")


@dataclass
class Node:
    comment: Comment
    depth: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def placeholder(self) -> bool:
        """Shown as "[removed]" (its text and writer withheld) to keep its replies in place."""
        return not self.comment.shows_text and not self.moderator_view

    moderator_view: bool = False

    @property
    def continues(self) -> bool:
        """Has replies deeper than the thread shows inline."""
        return self.depth >= MAX_DEPTH - 1 and bool(self.children)


@dataclass
class Thread:
    post: Post
    roots: list[Node]
    count: int  # visible comments
    order: str


def _viewer_id(viewer: Any) -> Any:
    return viewer.pk if getattr(viewer, "is_authenticated", False) else None


def _shown(comment: Comment, viewer_id: Any, is_moderator: bool) -> bool:
    """May this comment appear at all, before placeholder pruning?"""
    if comment.status == Comment.Status.PENDING:
        return comment.user_id == viewer_id or is_moderator
    return True


def build_tree(comments: Iterable[Comment], *, viewer: Any, post: Post, order: str = "oldest") -> list[Node]:
    """Turn one flat list (oldest first) into nested nodes, in Python: no query per reply.

    Comments whose text is withheld are kept only if something visible hangs under them.
    The post's creator (and staff) see hidden comments, marked, so they can unhide them.
    """
    viewer_id = _viewer_id(viewer)
    is_moderator = viewer_id is not None and (viewer_id == post.creator_id or getattr(viewer, "is_staff", False))
    nodes: dict[Any, Node] = {}
    roots: list[Node] = []
    for comment in comments:
        if not _shown(comment, viewer_id, is_moderator):
            continue
        node = Node(comment=comment)
        node.moderator_view = is_moderator and comment.status == Comment.Status.HIDDEN
        nodes[comment.pk] = node
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        if parent is not None:
            parent.children.append(node)
        elif node.comment.parent_id is None:
            roots.append(node)

    def prune(items: list[Node], depth: int) -> list[Node]:
        kept = []
        for node in items:
            node.depth = depth
            node.children = prune(node.children, depth + 1)
            if not node.placeholder or node.children:
                kept.append(node)
        return kept

    roots = prune(roots, 0)
    if order == "newest":
        roots.reverse()
    return roots


# What the thread shows: not the Markdown source, nor the writers' passwords, emails and bios.
_COMMENT_FIELDS = ("id", "post_id", "user_id", "parent_id", "content_html", "status", "created_at", "edited_at")
_WRITER_FIELDS = ("username", "first_name", "last_name")


class ThreadComment:
    """A comment as a thread shows it: the row's fields, without a model instance per row.

    A thread can hold hundreds of comments, and building a `Comment` and a `User` for each
    row cost more than the query itself. Writers are real (partly loaded) `User`
    instances, one per distinct writer; `shows_text` and `get_absolute_url` are Comment's own.
    """

    __slots__ = (*_COMMENT_FIELDS, "user")
    Status = Comment.Status
    shows_text = Comment.shows_text
    get_absolute_url = Comment.get_absolute_url

    def __init__(self, row: tuple, user: User) -> None:
        for name, value in zip(_COMMENT_FIELDS, row, strict=False):
            setattr(self, name, value)
        self.user = user

    @property
    def pk(self) -> Any:
        return self.id


def thread_comments(*, post: Post) -> list[ThreadComment]:
    """THE one query for a whole thread, oldest first."""
    rows = (
        Comment.objects.filter(post=post)
        .order_by("created_at", "pk")
        .values_list(*_COMMENT_FIELDS, *(f"user__{f}" for f in _WRITER_FIELDS))
    )
    writer_fields = [f.attname for f in User._meta.concrete_fields if f.attname in {"id", *_WRITER_FIELDS}]
    writers: dict[Any, User] = {}
    comments = []
    n = len(_COMMENT_FIELDS)
    for row in rows:
        user = writers.get(row[2])
        if user is None:
            known = {"id": row[2], **dict(zip(_WRITER_FIELDS, row[n:], strict=True))}
            user = writers[row[2]] = User.from_db("default", writer_fields, [known[f] for f in writer_fields])
        comments.append(ThreadComment(row, user))
    return comments


def get_thread(*, post: Post, viewer: Any, order: str = "oldest") -> Thread:
    order = order if order in ORDERS else "oldest"
    comments = thread_comments(post=post)
    roots = build_tree(comments, viewer=viewer, post=post, order=order)  # type: ignore[arg-type]
    count = sum(1 for c in comments if c.status == Comment.Status.VISIBLE)
    return Thread(post=post, roots=roots, count=count, order=order)


def find_node(roots: list[Node], pk: Any) -> Node | None:
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.comment.pk == pk:
            return node
        stack.extend(node.children)
    return None


def rebase(node: Node, depth: int = 0) -> Node:
    """Re-number depths so a sub-thread shown on its own page nests from the top again."""
    node.depth = depth
    for child in node.children:
        rebase(child, depth + 1)
    return node


def visible_comment_count() -> Coalesce:
    """The outer Post's visible comments, for `.annotate(comment_count=...)` on a list of cards.

    A correlated subquery rather than a JOIN + GROUP BY: it is evaluated only for the rows a page
    returns, and it leaves the post query's other joins (creator) and prefetches (tags) alone.
    """
    per_post = (
        Comment.objects.filter(post=OuterRef("pk"), status=Comment.Status.VISIBLE)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_post, output_field=IntegerField()), 0)


def comment_counts(*, post_ids: Iterable[Any]) -> dict[Any, int]:
    """Visible comments per post, in one query (for post cards)."""
    rows = (
        Comment.objects.filter(post_id__in=list(post_ids), status=Comment.Status.VISIBLE)
        .values("post_id")
        .annotate(n=Count("pk"))
    )
    return {row["post_id"]: row["n"] for row in rows}


def get_comment_for_reader(*, pk: Any, viewer: Any) -> Comment:
    """A comment on a published post (or on the viewer's own post); 404 otherwise."""
    comment = get_object_or_404(Comment.objects.select_related("post", "post__creator", "user", "parent"), pk=pk)
    post = comment.post
    if not (post.is_published or post.creator_id == _viewer_id(viewer)):
        raise Http404("No such comment.")
    held_from_viewer = _viewer_id(viewer) not in (comment.user_id, post.creator_id) and not getattr(
        viewer, "is_staff", False
    )
    if comment.status == Comment.Status.PENDING and held_from_viewer:
        raise Http404("No such comment.")
    return comment


def get_comment_for_writer(*, pk: Any, user: User) -> Comment:
    """The reader's own comment: 404 if unknown, 403 if someone else's (comments are public anyway)."""
    comment = get_comment_for_reader(pk=pk, viewer=user)
    if comment.user_id != user.pk:
        raise PermissionDenied("You can change only your own comments.")
    return comment


def get_commentable_post(*, pk: Any, viewer: Any) -> Post:
    """A published post (or the viewer's own draft, so the service can explain the refusal); 404 otherwise."""
    post = get_object_or_404(Post.objects.select_related("creator"), pk=pk)
    if post.is_published or post.creator_id == _viewer_id(viewer):
        return post
    raise Http404("No such post.")


def comments_for_creator(*, creator: User) -> QuerySet[Comment]:
    """Every comment on the creator's posts: reported ones first, then those held for review, then newest."""
    return (
        Comment.objects.filter(post__creator=creator)
        .exclude(status=Comment.Status.DELETED)
        .select_related("post", "post__creator", "user")
        .annotate(
            report_count=Count("reports"),
            held=Case(When(status=Comment.Status.PENDING, then=1), default=0, output_field=IntegerField()),
        )
        .order_by("-report_count", "-held", "-created_at")
    )


def api_comments(*, post: Post, viewer: Any) -> QuerySet[Comment]:
    """The API's flat list: everything but others' held comments, oldest first (text withheld by the serializer)."""
    qs = Comment.objects.filter(post=post).select_related("user", "post").order_by("created_at", "pk")
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return qs.exclude(status=Comment.Status.PENDING)
    return qs.exclude(~Q(user_id=viewer_id), status=Comment.Status.PENDING)
