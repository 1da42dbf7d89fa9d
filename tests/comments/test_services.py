"""The rules of commenting, each refusal included."""

import pytest

from comments import services
from comments.models import Comment, CommentBan, CommentReport
from notifications.models import Notification
from publishing import pagecache
from publishing.errors import ConflictError, RateLimitedError
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


class TestPostComment:
    def test_a_reader_comments_and_the_markdown_is_rendered_and_sanitised(self, post, bob):
        comment = services.post_comment(
            post=post, user=bob, content="Lovely *tulips*! [see](https://example.com) <script>alert(1)</script>"
        )
        assert comment.status == Comment.Status.VISIBLE
        assert "<em>tulips</em>" in comment.content_html
        assert 'rel="nofollow ugc noopener"' in comment.content_html
        assert "<script" not in comment.content_html

    def test_javascript_links_are_dropped(self, post, bob):
        comment = services.post_comment(post=post, user=bob, content="[x](javascript:alert(1))")
        assert "javascript:" not in comment.content_html

    def test_a_draft_is_refused(self, alice, bob):
        draft = PostFactory(creator=alice)
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=draft, user=bob, content="Hi")
        assert e.value.code == "not_published"

    def test_a_post_with_comments_off_is_refused(self, post, bob):
        services.set_comments_enabled(post=post, by=post.creator, enabled=False)
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=post, user=bob, content="Hi")
        assert (e.value.code, e.value.status) == ("comments_off", 403)

    def test_a_banned_user_is_refused(self, post, bob, staff):
        services.ban_user(user=bob, by=staff, reason="spam")
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=post, user=bob, content="Hi")
        assert (e.value.code, e.value.status) == ("banned", 403)

    @pytest.mark.parametrize("content", ["", "   \n  "])
    def test_empty_content_is_refused(self, post, bob, content):
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=post, user=bob, content=content)
        assert (e.value.code, e.value.field) == ("empty", "content")

    def test_too_long_content_is_refused(self, post, bob):
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=post, user=bob, content="x" * (services.MAX_LENGTH + 1))
        assert e.value.code == "too_long"
        services.post_comment(post=post, user=bob, content="x" * services.MAX_LENGTH)

    def test_a_reply_to_another_posts_comment_is_refused(self, post, alice, bob):
        other = PostFactory(creator=alice, published=True)
        elsewhere = services.post_comment(post=other, user=bob, content="There")
        with pytest.raises(services.CommentError) as e:
            services.post_comment(post=post, user=bob, content="Here", parent=elsewhere)
        assert e.value.field == "parent_comment_id"

    def test_the_sixth_comment_in_a_minute_is_rate_limited(self, post, bob, carol):
        for i in range(5):
            services.post_comment(post=post, user=bob, content=f"Comment {i}")
        with pytest.raises(RateLimitedError) as e:
            services.post_comment(post=post, user=bob, content="One too many")
        assert e.value.status == 429
        assert e.value.retry_after >= 1
        assert "too fast" in e.value.message
        services.post_comment(post=post, user=carol, content="Others are not limited")  # per user

    def test_a_burst_across_a_minute_boundary_is_still_limited(self, post, bob, monkeypatch):
        boundary = 60 * 29_000_000  # a whole minute
        clock = iter([boundary - 0.5] * 5 + [boundary + 0.1, boundary + 50])
        monkeypatch.setattr(services, "_clock", lambda: next(clock))
        for i in range(5):
            services.post_comment(post=post, user=bob, content=f"Late in the minute {i}")
        with pytest.raises(RateLimitedError):
            services.post_comment(post=post, user=bob, content="Just after the minute turned")
        # 50 s into the new minute, only a sixth of the last minute's comments still weigh.
        services.post_comment(post=post, user=bob, content="A minute after the burst")

    def test_every_change_invalidates_the_anonymous_page_cache(self, post, bob, staff):
        before = pagecache.current_version()
        comment = services.post_comment(post=post, user=bob, content="Hi")
        after_post = pagecache.current_version()
        services.edit_comment(comment=comment, by=bob, content="Hello")
        after_edit = pagecache.current_version()
        services.hide_comment(comment=comment, by=post.creator)
        after_hide = pagecache.current_version()
        services.remove_comment(comment=comment, by=staff)
        assert before < after_post < after_edit < after_hide < pagecache.current_version()


class TestNotifications:
    def test_a_comment_notifies_the_creator_and_a_reply_notifies_the_parents_writer(self, post, alice, bob, carol):
        first = services.post_comment(post=post, user=bob, content="First")
        services.post_comment(post=post, user=carol, content="Reply", parent=first)
        assert Notification.objects.filter(recipient=alice, kind="comment").count() == 2
        reply_note = Notification.objects.get(recipient=bob)
        assert reply_note.kind == "reply"
        assert reply_note.actor == carol
        assert reply_note.url.startswith("/comments/")

    def test_the_creator_is_not_notified_of_their_own_comment(self, post, alice, bob):
        first = services.post_comment(post=post, user=bob, content="First")
        services.post_comment(post=post, user=alice, content="Thanks", parent=first)
        assert not Notification.objects.filter(recipient=alice).exclude(actor=bob).exists()
        assert Notification.objects.filter(recipient=bob, kind="reply").count() == 1

    def test_a_reply_to_the_creator_notifies_them_once(self, post, alice, bob):
        mine = services.post_comment(post=post, user=alice, content="Ask me anything")
        services.post_comment(post=post, user=bob, content="Why tulips?", parent=mine)
        assert list(Notification.objects.filter(recipient=alice).values_list("kind", flat=True)) == ["reply"]


class TestEditDelete:
    def test_the_writer_edits_and_it_is_marked_edited(self, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Helo")
        services.edit_comment(comment=comment, by=bob, content="Hello **all**")
        comment.refresh_from_db()
        assert comment.edited_at is not None
        assert "<strong>all</strong>" in comment.content_html

    def test_nobody_else_may_edit_or_delete(self, post, alice, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Mine")
        for who in (alice, carol):
            with pytest.raises(services.CommentError) as e:
                services.edit_comment(comment=comment, by=who, content="Theirs")
            assert e.value.status == 403
            with pytest.raises(services.CommentError):
                services.delete_comment(comment=comment, by=who)

    def test_an_edit_to_empty_is_refused(self, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Mine")
        with pytest.raises(services.CommentError):
            services.edit_comment(comment=comment, by=bob, content=" ")

    def test_deleting_a_comment_without_replies_removes_it(self, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Oops")
        assert services.delete_comment(comment=comment, by=bob) is None
        assert not Comment.objects.filter(pk=comment.pk).exists()

    def test_deleting_a_comment_with_replies_keeps_a_placeholder(self, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Secret")
        services.post_comment(post=post, user=carol, content="Reply", parent=comment)
        services.delete_comment(comment=comment, by=bob)
        comment.refresh_from_db()
        assert comment.status == Comment.Status.DELETED
        assert comment.content == ""
        assert comment.content_html == ""
        assert comment.replies.count() == 1


class TestReportAndModeration:
    def test_a_report_needs_a_reason_and_is_once_per_reporter(self, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Buy pills")
        with pytest.raises(services.CommentError) as e:
            services.report_comment(comment=comment, by=carol, reason="  ")
        assert e.value.field == "reason"
        services.report_comment(comment=comment, by=carol, reason="Spam")
        with pytest.raises(ConflictError):
            services.report_comment(comment=comment, by=carol, reason="Spam again")
        assert CommentReport.objects.filter(comment=comment).count() == 1

    def test_reporting_ones_own_comment_is_refused(self, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Mine")
        with pytest.raises(services.CommentError):
            services.report_comment(comment=comment, by=bob, reason="Bad")

    def test_the_creator_hides_and_unhides_on_their_own_post_only(self, post, alice, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Rude")
        with pytest.raises(services.CommentError) as e:
            services.hide_comment(comment=comment, by=carol)
        assert e.value.status == 403
        services.hide_comment(comment=comment, by=alice)
        assert comment.status == Comment.Status.HIDDEN
        services.unhide_comment(comment=comment, by=alice)
        assert comment.status == Comment.Status.VISIBLE

    def test_only_staff_remove_restore_and_ban(self, post, alice, bob, staff):
        comment = services.post_comment(post=post, user=bob, content="Awful")
        for action in (services.remove_comment, services.restore_comment):
            with pytest.raises(services.CommentError):
                action(comment=comment, by=alice)
        with pytest.raises(services.CommentError):
            services.ban_user(user=bob, by=alice)
        services.remove_comment(comment=comment, by=staff)
        assert comment.status == Comment.Status.REMOVED
        services.restore_comment(comment=comment, by=staff)
        assert comment.status == Comment.Status.VISIBLE
        services.ban_user(user=bob, by=staff)
        assert CommentBan.objects.filter(user=bob).exists()
        services.unban_user(user=bob, by=staff)
        services.post_comment(post=post, user=bob, content="Back again")

    def test_only_the_creator_turns_comments_off_and_old_ones_stay(self, post, alice, bob, carol):
        services.post_comment(post=post, user=bob, content="Before")
        with pytest.raises(services.CommentError):
            services.set_comments_enabled(post=post, by=carol, enabled=False)
        services.set_comments_enabled(post=post, by=alice, enabled=False)
        post.refresh_from_db()
        assert post.comments_enabled is False
        assert Comment.objects.filter(post=post, status="visible").count() == 1


class TestSpamHold:
    LINKY = "Buy now https://a.example https://b.example https://c.example https://d.example"

    def test_a_comment_with_many_links_is_held_unseen_and_unannounced(self, client, post, alice, bob, carol):
        held = services.post_comment(post=post, user=bob, content=self.LINKY)
        assert held.status == Comment.Status.PENDING
        assert not Notification.objects.filter(recipient=alice).exists()
        assert "b.example" not in client.get(post.get_absolute_url()).content.decode()
        client.force_login(bob)  # its writer sees it, marked
        assert "Awaiting review" in client.get(post.get_absolute_url()).content.decode()
        with pytest.raises(services.CommentError):
            services.approve_comment(comment=held, by=carol)
        services.approve_comment(comment=held, by=alice)
        assert held.status == Comment.Status.VISIBLE
        assert Notification.objects.filter(recipient=alice, kind="comment").count() == 1
        client.logout()
        assert "b.example" in client.get(post.get_absolute_url()).content.decode()

    def test_three_links_are_fine(self, post, bob):
        text = "See https://a.example https://b.example https://c.example"
        assert services.post_comment(post=post, user=bob, content=text).status == Comment.Status.VISIBLE
