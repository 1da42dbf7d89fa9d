"""A new comment emails the creator through the real Dramatiq worker and a real SMTP server."""

import pytest

from comments import services
from notifications.models import Notification
from tests.posts.factories import PostFactory


@pytest.mark.django_db(transaction=True)
def test_a_comment_emails_the_creator_through_the_worker(jobs, smtp_server, alice, bob):
    post = PostFactory(creator=alice, published=True, title="Spring planting", slug="spring-planting")
    comment = services.post_comment(post=post, user=bob, content="What a *lovely* garden")
    jobs.drain()
    (message,) = smtp_server.to("alice@example.com")
    assert message["Subject"] == "bob commented on “Spring planting”"
    text = message.get_body(("plain",)).get_content()
    assert "What a *lovely* garden" in text
    assert f"/comments/{comment.pk}/" in text
    assert Notification.objects.get(recipient=alice).emailed_at is not None
    assert smtp_server.to("bob@example.com") == []


@pytest.mark.django_db(transaction=True)
def test_a_reply_respects_the_preference(jobs, smtp_server, alice, bob, carol):
    from notifications import services as notifications

    notifications.update_preferences(user=bob, email_replies=False)
    post = PostFactory(creator=alice, published=True)
    first = services.post_comment(post=post, user=bob, content="First")
    services.post_comment(post=post, user=carol, content="Reply to bob", parent=first)
    jobs.drain()
    assert smtp_server.to("bob@example.com") == []
    assert Notification.objects.filter(recipient=bob, kind="reply").exists()
    assert len(smtp_server.to("alice@example.com")) == 2
