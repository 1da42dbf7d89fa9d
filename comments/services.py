"""Every write to comments: post, edit, delete, report, moderate, ban, and comments on/off."""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from comments.models import Comment, CommentBan, CommentReport
from notifications import services as notifications
from notifications.models import Notification
from posts.models import Post
from posts.rendering import render_markdown
from publishing import pagecache
from publishing.errors import ConflictError, DomainError, RateLimitedError

MAX_LENGTH = 5000
MAX_REASON_LENGTH = 500
# A spam rule: a comment with more links than this is held ("pending") until the creator or staff approve it.
MAX_LINKS = 3
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


class CommentError(DomainError):
    code = "comment_invalid"


def _forbidden(message: str, code: str = "permission_denied") -> CommentError:
    return CommentError(message, code=code, status=403)


def _content_changed() -> None:
    """Logged-out readers get whole cached pages: forget them now and again once committed."""
    pagecache.invalidate()
    transaction.on_commit(pagecache.invalidate)


def _rate() -> tuple[int, int]:
    """(comments, seconds) from the one knob `API_COMMENT_RATE`, e.g. "5/min"; the web form obeys it too."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("comment") or "5/min"
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _clock() -> float:
    return time.time()


def _check_rate_limit(user: User) -> None:
    # A sliding window: this window's count plus the previous window's, weighted by how much of
    # it still lies within the last `period` seconds. A fixed window alone would reset on the
    # boundary and let 2 × limit through in a burst that straddles it.
    limit, period = _rate()
    now = _clock()
    window = int(now // period)
    key = f"comments:rate:{user.pk}:{window}"
    cache.add(key, 0, timeout=2 * period + 5)
    try:
        in_window = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * period + 5)
        in_window = 1
    in_previous = cache.get(f"comments:rate:{user.pk}:{window - 1}", 0)
    used = in_window + in_previous * (1 - (now % period) / period)
    if used > limit:
        retry_after = max(1, period - int(now) % period)
        raise RateLimitedError(
            f"You are commenting too fast: at most {limit} comments per {period} seconds. "
            f"Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


def _clean_content(content: str) -> str:
    text = (content or "").strip()
    if not text:
        raise CommentError("Write something first: the comment is empty.", code="empty", field="content")
    if len(text) > MAX_LENGTH:
        raise CommentError(
            f"That is {len(text)} characters; a comment may have at most {MAX_LENGTH}.",
            code="too_long",
            field="content",
        )
    return text


def is_banned(*, user: User) -> bool:
    return CommentBan.objects.filter(user=user).exists()


def check_can_comment(*, post: Post, user: User) -> None:
    """Raise CommentError if `user` may not comment on `post` at all (whatever they write)."""
    if not post.is_published:
        raise CommentError("You can comment only on published posts.", code="not_published")
    if not post.comments_enabled:
        raise _forbidden("Comments are turned off for this post.", code="comments_off")
    if is_banned(user=user):
        raise _forbidden("You may not comment: your commenting has been suspended.", code="banned")


@transaction.atomic
def post_comment(*, post: Post, user: User, content: str, parent: Comment | None = None) -> Comment:
    """Add a comment (or a reply to `parent`) and notify the creator and the parent's writer."""
    check_can_comment(post=post, user=user)
    text = _clean_content(content)
    if parent is not None:
        if parent.post_id != post.pk:
            raise CommentError(
                "You can reply only to a comment on the same post.", code="wrong_post", field="parent_comment_id"
            )
        if not parent.is_visible:
            raise CommentError("That comment can no longer be replied to.", code="gone", field="parent_comment_id")
    _check_rate_limit(user)
    held = len(_LINK.findall(text)) > MAX_LINKS
    comment = Comment.objects.create(
        post=post,
        user=user,
        parent=parent,
        content=text,
        content_html=render_markdown(text, profile="comment"),
        status=Comment.Status.PENDING if held else Comment.Status.VISIBLE,
    )
    if not held:
        _notify_new_comment(comment)
        _content_changed()
        _count_comment(comment)
    return comment


def _count_comment(comment: Comment) -> None:
    """The post's analytics count a comment once readers can see it (after the commit); keyed by the
    comment, so one made visible again (unhidden, restored) is not counted twice."""
    from analytics import services as analytics

    analytics.track_event(
        kind="comment", creator_id=comment.post.creator_id, post_id=comment.post_id, key=f"comment:{comment.pk}"
    )


def _notify_new_comment(comment: Comment) -> None:
    post, writer = comment.post, comment.user
    url = comment.get_absolute_url()
    excerpt = comment.content[:200]
    told: set[object] = {writer.pk}
    parent = comment.parent
    if parent is not None and parent.user_id not in told:
        notifications.notify(
            recipient=parent.user,
            actor=writer,
            kind=Notification.Kind.REPLY,
            title=f"{writer.display_name} replied to your comment on “{post.display_title}”",
            body=excerpt,
            url=url,
            dedupe_key=f"comment:{comment.pk}:{parent.user_id}",
        )
        told.add(parent.user_id)
    if post.creator_id not in told:
        notifications.notify(
            recipient=post.creator,
            actor=writer,
            kind=Notification.Kind.COMMENT,
            title=f"{writer.display_name} commented on “{post.display_title}”",
            body=excerpt,
            url=url,
            dedupe_key=f"comment:{comment.pk}:{post.creator_id}",
        )


def _require_writer(comment: Comment, by: User) -> None:
    if comment.user_id != by.pk:
        raise _forbidden("You can change only your own comments.")
    if comment.status not in (Comment.Status.VISIBLE, Comment.Status.PENDING):
        raise _forbidden("This comment can no longer be changed.", code="gone")


@transaction.atomic
def edit_comment(*, comment: Comment, by: User, content: str) -> Comment:
    _require_writer(comment, by)
    if is_banned(user=by):
        raise _forbidden("You may not comment: your commenting has been suspended.", code="banned")
    text = _clean_content(content)
    if text != comment.content:
        comment.content = text
        comment.content_html = render_markdown(text, profile="comment")
        comment.edited_at = timezone.now()
        comment.save(update_fields=["content", "content_html", "edited_at"])
        _content_changed()
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment, by: User) -> Comment | None:
    """Delete one's own comment. With replies it stays as a "[removed]" placeholder; returns it then."""
    _require_writer(comment, by)
    _content_changed()
    if comment.replies.exists():
        comment.status = Comment.Status.DELETED
        comment.content = comment.content_html = ""
        comment.save(update_fields=["status", "content", "content_html"])
        return comment
    comment.delete()
    return None


@transaction.atomic
def report_comment(*, comment: Comment, by: User, reason: str) -> CommentReport:
    reason = (reason or "").strip()
    if not reason:
        raise CommentError("Say why you are reporting this comment.", code="reason_required", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise CommentError(f"Keep the reason under {MAX_REASON_LENGTH} characters.", code="too_long", field="reason")
    if comment.user_id == by.pk:
        raise CommentError("You cannot report your own comment.", code="own_comment")
    if not comment.shows_text:
        raise CommentError("This comment is no longer shown.", code="gone")
    try:
        with transaction.atomic():
            return CommentReport.objects.create(comment=comment, reporter=by, reason=reason)
    except IntegrityError:
        raise ConflictError("You have already reported this comment.", code="already_reported") from None


def _require_moderator(comment: Comment, by: User) -> None:
    """The post's creator moderates their own threads; staff moderate everywhere."""
    if not (by.is_staff or comment.post.creator_id == by.pk):
        raise _forbidden("Only the post's creator can moderate comments on it.")


def _set_status(comment: Comment, status: str) -> Comment:
    if comment.status != status:
        comment.status = status
        comment.save(update_fields=["status"])
        _content_changed()
    return comment


@transaction.atomic
def hide_comment(*, comment: Comment, by: User) -> Comment:
    _require_moderator(comment, by)
    if comment.status not in (Comment.Status.VISIBLE, Comment.Status.HIDDEN):
        raise CommentError("Only a visible comment can be hidden.", code="not_visible")
    return _set_status(comment, Comment.Status.HIDDEN)


@transaction.atomic
def unhide_comment(*, comment: Comment, by: User) -> Comment:
    _require_moderator(comment, by)
    if comment.status not in (Comment.Status.VISIBLE, Comment.Status.HIDDEN):
        raise CommentError("Only a hidden comment can be shown again.", code="not_hidden")
    return _set_status(comment, Comment.Status.VISIBLE)


@transaction.atomic
def approve_comment(*, comment: Comment, by: User) -> Comment:
    """Let a held comment through; its notifications go out now."""
    _require_moderator(comment, by)
    if comment.status != Comment.Status.PENDING:
        raise CommentError("Only a comment held for review can be approved.", code="not_pending")
    _set_status(comment, Comment.Status.VISIBLE)
    _notify_new_comment(comment)
    _count_comment(comment)
    return comment


def _require_staff(by: User) -> None:
    if not by.is_staff:
        raise _forbidden("Only staff can do this.")


@transaction.atomic
def remove_comment(*, comment: Comment, by: User) -> Comment:
    """Staff removal: the text disappears for everyone; replies stay, under "[removed]"."""
    _require_staff(by)
    if comment.status == Comment.Status.DELETED:
        return comment
    return _set_status(comment, Comment.Status.REMOVED)


@transaction.atomic
def restore_comment(*, comment: Comment, by: User) -> Comment:
    """Staff: make a removed, hidden or held comment visible again (a writer's own deletion is final)."""
    _require_staff(by)
    if comment.status == Comment.Status.DELETED:
        raise CommentError("Its writer deleted this comment; it cannot be restored.", code="deleted")
    was_held = comment.status == Comment.Status.PENDING
    _set_status(comment, Comment.Status.VISIBLE)
    if was_held:
        _notify_new_comment(comment)
    _count_comment(comment)  # once per comment: not again if it had been visible before its removal
    return comment


@transaction.atomic
def ban_user(*, user: User, by: User, reason: str = "") -> CommentBan:
    _require_staff(by)
    ban, _ = CommentBan.objects.get_or_create(user=user, defaults={"banned_by": by, "reason": reason[:500]})
    return ban


@transaction.atomic
def unban_user(*, user: User, by: User) -> bool:
    _require_staff(by)
    deleted, _ = CommentBan.objects.filter(user=user).delete()
    return bool(deleted)


@transaction.atomic
def set_comments_enabled(*, post: Post, by: User, enabled: bool) -> Post:
    """The creator opens or closes a post's comments; existing comments stay readable."""
    if post.creator_id != by.pk:
        raise _forbidden("Only the post's creator can turn its comments on or off.")
    if post.comments_enabled != enabled:
        Post.objects.filter(pk=post.pk).update(comments_enabled=enabled)
        post.comments_enabled = enabled
        _content_changed()
    return post
