"""Every write to posts: drafts, autosave, publishing, scheduling, revisions, tags, deletion.

HTML views, the API, the admin and the workers all call these. Callers have already
checked that `by` may edit the post (posts.selectors.get_post_for_editor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from posts import tasks
from posts.models import Post, PostRevision, Tag
from posts.rendering import render_post
from publishing import pagecache
from publishing.errors import ConflictError, DomainError
from uploads.selectors import with_srcset


class PostError(DomainError):
    pass


class VersionConflict(ConflictError):
    code = "version_conflict"


def _require_creator(user: User) -> None:
    if not user.is_creator:
        raise PostError(
            "Only creators can write posts. Become a creator from your settings.",
            code="not_creator",
            status=403,
        )


def _unique_slug(post: Post) -> str:
    base = slugify(post.title, allow_unicode=True)[:200].strip("-") or "post"
    taken = set(
        Post.objects.filter(creator_id=post.creator_id, slug__startswith=base)
        .exclude(pk=post.pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


RENDERED_FIELDS = ["content_html", "word_count", "reading_time"]  # what _render_into sets


def _render_into(post: Post) -> None:
    rendered = render_post(post.content)
    post.content_html = with_srcset(rendered.html)
    post.word_count = rendered.word_count
    post.reading_time = rendered.reading_time


def _snapshot(post: Post, *, by: User | None, reason: str) -> PostRevision:
    return PostRevision.objects.create(
        post=post, author=by, title=post.title, subtitle=post.subtitle, content=post.content, reason=reason
    )


def set_tags(*, post: Post, names: Iterable[str]) -> list[Tag]:
    """Replace the post's tags by name, creating tags that do not exist yet."""
    tags: list[Tag] = []
    for raw in names:
        name = " ".join(str(raw).split())[:50]
        slug = slugify(name, allow_unicode=True)[:60]
        if not slug:
            continue
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name=name, slug=slug)
        if tag not in tags:
            tags.append(tag)
    post.tags.set(tags)
    return tags


@transaction.atomic
def create_post(
    *,
    creator: User,
    title: str = "",
    content: str = "",
    subtitle: str = "",
    tags: Iterable[str] | None = None,
    visibility: str = Post.Visibility.PUBLIC,
) -> Post:
    _require_creator(creator)
    post = Post(creator=creator, title=title, subtitle=subtitle, content=content, visibility=visibility)
    _render_into(post)
    post.slug = _unique_slug(post) if title else ""
    post.save()
    if tags:
        set_tags(post=post, names=tags)
    return post


@transaction.atomic
def update_post(
    *,
    post: Post,
    by: User,
    expected_version: int | None = None,
    snapshot: bool = False,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Post:
    """Change a post's fields (title, subtitle, content, visibility, comments_enabled, cover_image).

    `expected_version` is the version the editor loaded: if someone saved since (another
    tab), nothing is written and VersionConflict says so. `snapshot=True` is an explicit
    save and keeps a revision; a change to a published post always keeps one.
    """
    allowed = {"title", "subtitle", "content", "visibility", "comments_enabled", "cover_image"}
    unknown = set(fields) - allowed
    if unknown:
        raise PostError(f"Cannot change {', '.join(sorted(unknown))}.", code="invalid_field")
    if expected_version is not None:
        # Compare-and-swap: only one writer can move the version on from what it loaded.
        moved = Post.objects.filter(pk=post.pk, version=expected_version).update(version=F("version") + 1)
        if not moved:
            raise VersionConflict(
                "This post was changed somewhere else (another tab or device) since you opened it. "
                "Reload to see the latest version; your text here has not been saved."
            )
        post.version = expected_version + 1
    else:
        Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
        post.refresh_from_db(fields=["version"])

    text_changed = any(k in fields and fields[k] != getattr(post, k) for k in ("title", "subtitle", "content"))
    for name, value in fields.items():
        if value is not None:
            setattr(post, name, value)
    if "content" in fields:
        _render_into(post)
    if not post.is_published and post.title:
        post.slug = _unique_slug(post)  # follows the title until published, then fixed
    post.save()
    if tags is not None:
        set_tags(post=post, names=tags)
    if snapshot or (post.is_published and text_changed):
        _snapshot(post, by=by, reason=PostRevision.Reason.EDIT if post.is_published else PostRevision.Reason.SAVE)
    if post.is_published:
        transaction.on_commit(pagecache.invalidate)
    return post


@transaction.atomic
def publish_post(*, post: Post, by: User | None, at: dt.datetime | None = None) -> Post:
    """Publish now. Emits one `post published` event (notifications, cross-posting, analytics).

    Publishing an already published post is refused (409) and emits nothing. `at` backdates the
    publication (imports, demo content); readers and feeds then order the post by that date.
    """
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status == Post.Status.PUBLISHED:
        raise ConflictError("This post is already published.", code="already_published")
    if not locked.title.strip():
        raise PostError("Give the post a title before publishing.", code="title_required", field="title")
    if not locked.content.strip():
        raise PostError("Write something before publishing.", code="content_required", field="content")
    locked.status = Post.Status.PUBLISHED
    locked.published_at = at or timezone.now()
    locked.scheduled_for = None
    locked.slug = _unique_slug(locked)
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "published_at", "scheduled_for", "slug", "version", "updated_at"])
    locked.refresh_from_db()
    _snapshot(locked, by=by, reason=PostRevision.Reason.PUBLISH)
    post_id = str(locked.pk)
    transaction.on_commit(lambda: tasks.announce_post_published.send(post_id))
    transaction.on_commit(pagecache.invalidate)
    return locked


@transaction.atomic
def schedule_post(*, post: Post, by: User, when: dt.datetime) -> Post:
    if post.is_published:
        raise ConflictError("This post is already published.", code="already_published")
    if when <= timezone.now():
        raise PostError("Pick a time in the future.", code="schedule_in_past", field="scheduled_for")
    if not post.title.strip() or not post.content.strip():
        raise PostError("A scheduled post needs a title and some text.", code="incomplete", field="title")
    post.status = Post.Status.SCHEDULED
    post.scheduled_for = when
    post.version += 1
    post.save(update_fields=["status", "scheduled_for", "version", "updated_at"])
    return post


@transaction.atomic
def unpublish_post(*, post: Post, by: User) -> Post:
    """Back to draft (or cancel a schedule). The slug is kept, so republishing restores links."""
    if post.status == Post.Status.DRAFT:
        raise ConflictError("This post is already a draft.", code="already_draft")
    was_published = post.is_published
    post.status = Post.Status.DRAFT
    post.scheduled_for = None
    post.version += 1
    post.save(update_fields=["status", "scheduled_for", "version", "updated_at"])
    if was_published:
        transaction.on_commit(pagecache.invalidate)
    return post


@transaction.atomic
def delete_post(*, post: Post, by: User) -> None:
    was_published = post.is_published
    post.delete()
    if was_published:
        transaction.on_commit(pagecache.invalidate)


@transaction.atomic
def restore_revision(*, post: Post, revision: PostRevision, by: User) -> Post:
    """Bring back a revision's text. The text it replaces is kept as a revision first
    (autosaves keep none), so a restore can itself be undone."""
    if revision.post_id != post.pk:
        raise PostError("That revision belongs to another post.", code="wrong_revision")
    latest = post.revisions.first()
    if latest is None or (latest.title, latest.subtitle, latest.content) != (post.title, post.subtitle, post.content):
        _snapshot(post, by=by, reason=PostRevision.Reason.SAVE)
    post = update_post(post=post, by=by, title=revision.title, subtitle=revision.subtitle, content=revision.content)
    _snapshot(post, by=by, reason=PostRevision.Reason.RESTORE)
    return post


def publish_due_posts(*, now: dt.datetime | None = None) -> list[str]:
    """Publish every scheduled post whose time has come (also ones missed while no worker ran)."""
    now = now or timezone.now()
    published: list[str] = []
    due = Post.objects.filter(status=Post.Status.SCHEDULED, scheduled_for__lte=now).order_by("scheduled_for")
    for post in due.select_related("creator"):
        try:
            publish_post(post=post, by=None)
        except ConflictError:
            continue  # published meanwhile by another scheduler run
        published.append(str(post.pk))
    return published


def post_published_actors() -> list[str]:
    """Dotted paths of the actors that react to a publish (settings.POST_PUBLISHED_ACTORS)."""
    return list(getattr(settings, "POST_PUBLISHED_ACTORS", []))


def rerender_posts_showing(*, url: str) -> int:
    """Render again the posts whose text shows this image (its narrower copies now exist)."""
    posts = list(Post.objects.filter(content__contains=url).only("pk", "content", *RENDERED_FIELDS))
    for post in posts:
        _render_into(post)
    if posts:
        Post.objects.bulk_update(posts, RENDERED_FIELDS)
        transaction.on_commit(pagecache.invalidate)
    return len(posts)


def rerender_all_posts(*, batch_size: int = 200) -> int:
    """Render every post's Markdown again (after the renderer changed); returns how many.

    Works in primary-key batches so memory stays flat, and does not touch `version` or
    `updated_at`: the text is the same, only its HTML is renewed.
    """
    count, last_pk = 0, None
    while True:
        batch_qs = Post.objects.order_by("pk").only("pk", "content", *RENDERED_FIELDS)
        if last_pk is not None:
            batch_qs = batch_qs.filter(pk__gt=last_pk)
        batch = list(batch_qs[:batch_size])
        if not batch:
            break
        for post in batch:
            _render_into(post)
        with transaction.atomic():
            Post.objects.bulk_update(batch, RENDERED_FIELDS)
        count += len(batch)
        last_pk = batch[-1].pk
    if count:
        pagecache.invalidate()
    return count
