"""The comments API: every endpoint, its errors in the envelope, and the 429."""

import pytest

from comments import services
from comments.models import Comment, CommentReport
from tests.comments.factories import CommentFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def url(post):
    return f"/api/v1/posts/{post.pk}/comments"


def _envelope(r, status, code=None):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"detail", "code", "field_errors"}
    if code:
        assert body["code"] == code
    return body


class TestCreate:
    def test_a_reader_comments(self, api_as, post, bob):
        r = api_as(bob).post(url(post), {"content": "Via *the app*"}, format="json")
        assert r.status_code == 201
        body = r.json()
        assert body["post_id"] == str(post.pk)
        assert body["user_id"] == str(bob.pk)
        assert body["content"] == "Via *the app*"
        assert "<em>the app</em>" in body["content_html"]
        assert {"id", "created_at", "parent_comment_id"} <= set(body)

    def test_a_reply(self, api_as, post, bob, carol):
        parent = services.post_comment(post=post, user=carol, content="Q")
        r = api_as(bob).post(url(post), {"content": "A", "parent_comment_id": str(parent.pk)}, format="json")
        assert r.status_code == 201
        assert r.json()["parent_comment_id"] == str(parent.pk)

    def test_a_parent_on_another_post_is_a_400_field_error(self, api_as, post, alice, bob):
        elsewhere = CommentFactory(post=PostFactory(creator=alice, published=True))
        r = api_as(bob).post(url(post), {"content": "A", "parent_comment_id": str(elsewhere.pk)}, format="json")
        body = _envelope(r, 400, "wrong_post")
        assert "parent_comment_id" in body["field_errors"]

    def test_an_unknown_parent_is_a_400_field_error(self, api_as, post, bob):
        r = api_as(bob).post(
            url(post), {"content": "A", "parent_comment_id": "00000000-0000-0000-0000-000000000000"}, format="json"
        )
        assert "parent_comment_id" in _envelope(r, 400)["field_errors"]

    def test_empty_and_too_long_are_400_on_content(self, api_as, post, bob):
        client = api_as(bob)
        assert _envelope(client.post(url(post), {"content": " "}, format="json"), 400, "empty")["field_errors"] == {
            "content": "Write something first: the comment is empty."
        }
        r = client.post(url(post), {"content": "x" * 5001}, format="json")
        assert "content" in _envelope(r, 400, "too_long")["field_errors"]
        assert "content" in _envelope(client.post(url(post), {}, format="json"), 400)["field_errors"]

    def test_anonymous_is_401(self, api, post):
        _envelope(api.post(url(post), {"content": "x"}, format="json"), 401)

    def test_comments_off_and_banned_are_403(self, api_as, post, bob, carol, staff):
        services.ban_user(user=carol, by=staff)
        _envelope(api_as(carol).post(url(post), {"content": "x"}, format="json"), 403, "banned")
        services.set_comments_enabled(post=post, by=post.creator, enabled=False)
        _envelope(api_as(bob).post(url(post), {"content": "x"}, format="json"), 403, "comments_off")

    def test_others_drafts_and_unknown_posts_are_404(self, api_as, alice, bob):
        draft = PostFactory(creator=alice)
        _envelope(api_as(bob).post(url(draft), {"content": "x"}, format="json"), 404)
        # The creator's own draft: the rule, explained.
        _envelope(api_as(alice).post(url(draft), {"content": "x"}, format="json"), 400, "not_published")

    def test_the_sixth_in_a_minute_is_429_with_retry_after(self, api_as, post, bob):
        client = api_as(bob)
        for i in range(5):
            assert client.post(url(post), {"content": f"c{i}"}, format="json").status_code == 201
        r = client.post(url(post), {"content": "too many"}, format="json")
        body = _envelope(r, 429, "throttled")
        assert "too fast" in body["detail"]
        assert int(r["Retry-After"]) >= 1
        assert Comment.objects.count() == 5


class TestList:
    def test_paged_with_hidden_and_removed_text_withheld(self, api, post, alice, bob, staff):
        shown = services.post_comment(post=post, user=bob, content="Fine words")
        hidden = services.post_comment(post=post, user=bob, content="Hidden words")
        removed = services.post_comment(post=post, user=bob, content="Removed words")
        services.hide_comment(comment=hidden, by=alice)
        services.remove_comment(comment=removed, by=staff)
        r = api.get(url(post), {"limit": 2, "offset": 0})
        body = r.json()
        assert r.status_code == 200
        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert body["next"] is not None
        everything = api.get(url(post), {"limit": 10}).json()["results"]
        by_id = {row["id"]: row for row in everything}
        assert by_id[str(shown.pk)]["content"] == "Fine words"
        for c in (hidden, removed):
            row = by_id[str(c.pk)]
            assert row["content"] == ""
            assert row["content_html"] == ""
            assert row["user_id"] is None
        assert "words" not in str([by_id[str(hidden.pk)], by_id[str(removed.pk)]])

    def test_a_draft_is_404_to_others(self, api, alice):
        _envelope(api.get(url(PostFactory(creator=alice))), 404)

    def test_the_page_runs_fixed_queries(self, api, post, django_assert_max_num_queries):
        CommentFactory.create_batch(5, post=post)
        with django_assert_max_num_queries(4) as small:
            api.get(url(post), {"limit": 100})
        CommentFactory.create_batch(95, post=post)
        with django_assert_max_num_queries(len(small.captured_queries)):
            r = api.get(url(post), {"limit": 100})
        assert len(r.json()["results"]) == 100


class TestEditDelete:
    def test_own_comment_patch_and_delete(self, api_as, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Old")
        client = api_as(bob)
        r = client.patch(f"/api/v1/comments/{comment.pk}", {"content": "New"}, format="json")
        assert r.status_code == 200
        assert r.json()["content"] == "New"
        assert r.json()["edited_at"]
        assert client.delete(f"/api/v1/comments/{comment.pk}").status_code == 204
        assert not Comment.objects.exists()

    def test_others_comments_are_403_and_unknown_404(self, api_as, api, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Bob's")
        client = api_as(carol)
        _envelope(client.patch(f"/api/v1/comments/{comment.pk}", {"content": "x"}, format="json"), 403)
        _envelope(client.delete(f"/api/v1/comments/{comment.pk}"), 403)
        _envelope(client.delete("/api/v1/comments/00000000-0000-0000-0000-000000000000"), 404)
        _envelope(api.patch(f"/api/v1/comments/{comment.pk}", {"content": "x"}, format="json"), 401)
        comment.refresh_from_db()
        assert comment.content == "Bob's"

    def test_an_empty_edit_is_400(self, api_as, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Old")
        _envelope(api_as(bob).patch(f"/api/v1/comments/{comment.pk}", {"content": ""}, format="json"), 400, "empty")


class TestReport:
    def test_report_once_with_a_reason(self, api_as, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Spam")
        client = api_as(carol)
        report_url = f"/api/v1/comments/{comment.pk}/report"
        assert "reason" in _envelope(client.post(report_url, {"reason": ""}, format="json"), 400)["field_errors"]
        r = client.post(report_url, {"reason": "Spam"}, format="json")
        assert r.status_code == 201
        assert r.json()["comment_id"] == str(comment.pk)
        _envelope(client.post(report_url, {"reason": "Again"}, format="json"), 409, "already_reported")
        assert CommentReport.objects.count() == 1

    def test_own_comment_is_400_and_anonymous_401(self, api_as, api, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Mine")
        _envelope(api_as(bob).post(f"/api/v1/comments/{comment.pk}/report", {"reason": "x"}, format="json"), 400)
        _envelope(api.post(f"/api/v1/comments/{comment.pk}/report", {"reason": "x"}, format="json"), 401)
