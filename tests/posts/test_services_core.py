"""The core post rules every other feature relies on: drafts, versions, publishing once, scheduling."""

import datetime as dt

import pytest
from django.utils import timezone

from posts import services
from posts.models import Post, PostRevision
from publishing.errors import ConflictError

pytestmark = pytest.mark.django_db


def test_only_creators_can_write(bob):
    with pytest.raises(services.PostError) as e:
        services.create_post(creator=bob, title="Mine")
    assert e.value.status == 403


def test_draft_slug_follows_title_until_published_then_stays(alice):
    post = services.create_post(creator=alice, title="First title", content="Body")
    assert post.slug == "first-title"
    post = services.update_post(post=post, by=alice, title="Second title")
    assert post.slug == "second-title"
    post = services.publish_post(post=post, by=alice)
    post = services.update_post(post=post, by=alice, title="Third title")
    assert post.slug == "second-title"


def test_slugs_are_unique_per_creator(alice, carol):
    a = services.create_post(creator=alice, title="Same")
    b = services.create_post(creator=alice, title="Same")
    c = services.create_post(creator=carol, title="Same")
    assert (a.slug, b.slug, c.slug) == ("same", "same-2", "same")


def test_content_is_rendered_and_sanitised_at_save(alice):
    post = services.create_post(creator=alice, title="T", content="# Hi\n\n<script>alert(1)</script>")
    assert '<h1 id="hi">' in post.content_html
    assert "<script" not in post.content_html


def test_stale_version_is_refused_and_nothing_is_written(alice):
    post = services.create_post(creator=alice, title="T", content="one")
    loaded = post.version
    services.update_post(post=post, by=alice, expected_version=loaded, content="from tab A")
    with pytest.raises(services.VersionConflict):
        services.update_post(post=Post.objects.get(pk=post.pk), by=alice, expected_version=loaded, content="tab B")
    assert Post.objects.get(pk=post.pk).content == "from tab A"


def test_publishing_twice_is_refused_and_emits_one_event(alice, django_capture_on_commit_callbacks):
    post = services.create_post(creator=alice, title="T", content="Body")
    with django_capture_on_commit_callbacks() as callbacks:
        services.publish_post(post=post, by=alice)
    first = len(callbacks)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ConflictError):
        services.publish_post(post=post, by=alice)
    assert first >= 1
    assert len(callbacks) == 0
    assert PostRevision.objects.filter(post=post, reason="publish").count() == 1


def test_scheduled_post_is_published_when_due_even_if_missed(alice):
    post = services.create_post(creator=alice, title="Later", content="Body")
    services.schedule_post(post=post, by=alice, when=timezone.now() + dt.timedelta(minutes=5))
    assert services.publish_due_posts() == []
    published = services.publish_due_posts(now=timezone.now() + dt.timedelta(hours=3))
    assert published == [str(post.pk)]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED


def test_cannot_schedule_in_the_past(alice):
    post = services.create_post(creator=alice, title="T", content="Body")
    with pytest.raises(services.PostError) as e:
        services.schedule_post(post=post, by=alice, when=timezone.now() - dt.timedelta(minutes=1))
    assert e.value.field == "scheduled_for"
