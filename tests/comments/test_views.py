"""The HTML side: posting in place with htmx, plain-form fallbacks, permissions, the page cache."""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from comments import services
from comments.models import Comment, CommentReport
from posts import views as post_views
from publishing import pagecache

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _create(client, post, headers=None, **data):
    return client.post(reverse("comments:create", args=[post.pk]), data, headers=headers or {})


class TestPosting:
    def test_htmx_post_returns_the_refreshed_thread_with_the_comment(self, client, post, bob):
        client.force_login(bob)
        r = _create(client, post, HX, content="In place, *please*")
        body = r.content.decode()
        assert r.status_code == 200
        assert "<html" not in body
        assert 'id="comments"' in body
        assert "In place, <em>please</em>" in body
        assert "1 comment" in body
        assert "Your comment is posted." in r["HX-Trigger"]

    def test_a_failed_htmx_post_shows_the_error_and_keeps_the_text(self, client, post, bob):
        client.force_login(bob)
        text = "x" * (services.MAX_LENGTH + 1)
        r = _create(client, post, HX, content=text)
        body = r.content.decode()
        assert r.status_code == 200  # so htmx swaps it in
        assert r["HX-Retarget"] == "#comment-form"
        assert r["HX-Reswap"] == "outerHTML"
        assert 'role="alert"' in body
        assert "at most 5000" in body
        assert f">{text}</textarea>" in body
        assert not Comment.objects.exists()

    def test_a_failed_reply_retargets_its_own_form(self, client, post, bob, carol):
        parent = services.post_comment(post=post, user=carol, content="Hi")
        client.force_login(bob)
        r = _create(client, post, HX, content="  ", parent=str(parent.pk))
        assert r["HX-Retarget"] == f"#reply-{parent.pk}"
        assert "empty" in r.content.decode()

    def test_the_rate_limit_shows_a_clear_message_in_the_form(self, client, post, bob):
        client.force_login(bob)
        for i in range(5):
            assert _create(client, post, HX, content=f"c{i}").status_code == 200
        r = _create(client, post, HX, content="the sixth")
        assert "too fast" in r.content.decode()
        assert ">the sixth</textarea>" in r.content.decode()
        plain = _create(client, post, content="the seventh")
        assert plain.status_code == 429
        assert ">the seventh</textarea>" in plain.content.decode()

    def test_without_htmx_a_post_redirects_to_the_comment(self, client, post, bob):
        client.force_login(bob)
        r = _create(client, post, content="Plain form")
        comment = Comment.objects.get()
        assert r.status_code == 302
        assert r["Location"].endswith(f"#comment-{comment.pk}")

    def test_without_htmx_a_failure_keeps_the_text_on_a_form_page(self, client, post, bob):
        services.set_comments_enabled(post=post, by=post.creator, enabled=False)
        client.force_login(bob)
        r = _create(client, post, content="Kept text")
        assert r.status_code == 403
        assert "Comments are turned off" in r.content.decode()
        assert ">Kept text</textarea>" in r.content.decode()

    def test_logged_out_posting_goes_to_log_in(self, client, post):
        r = _create(client, post, content="Anon")
        assert r.status_code == 302
        assert "/accounts/login/" in r["Location"]
        assert client.get(reverse("comments:create", args=[post.pk])).status_code in (302, 405)

    def test_someone_elses_draft_is_a_404(self, client, carol, bob):
        from tests.posts.factories import PostFactory

        draft = PostFactory(creator=carol)
        client.force_login(bob)
        assert _create(client, draft, content="x").status_code == 404


class TestOnDemandForms:
    def test_reply_edit_and_report_forms_load_on_demand(self, client, post, bob, carol):
        mine = services.post_comment(post=post, user=bob, content="Mine")
        theirs = services.post_comment(post=post, user=carol, content="Theirs")
        client.force_login(bob)
        page = client.get(post.get_absolute_url()).content.decode()
        assert f'hx-get="/comments/{theirs.pk}/reply/"' in page
        assert f'hx-target="#slot-{theirs.pk}"' in page
        assert f'id="reply-{theirs.pk}"' not in page  # not in the page until asked for
        reply = client.get(reverse("comments:reply", args=[theirs.pk]), headers=HX).content.decode()
        assert f'id="reply-{theirs.pk}"' in reply
        assert "<html" not in reply
        assert 'hx-post="' in reply
        edit = client.get(reverse("comments:edit", args=[mine.pk]), headers=HX).content.decode()
        assert f'id="edit-{mine.pk}"' in edit
        assert ">Mine</textarea>" in edit
        assert "<html" not in edit
        report = client.get(reverse("comments:report", args=[theirs.pk]), headers=HX).content.decode()
        assert f'id="report-{theirs.pk}"' in report
        assert "<html" not in report

    def test_without_js_the_reply_link_is_a_page_with_the_form(self, client, post, bob, carol):
        theirs = services.post_comment(post=post, user=carol, content="Theirs")
        client.force_login(bob)
        page = client.get(reverse("comments:reply", args=[theirs.pk])).content.decode()
        assert "<html" in page
        assert f'id="reply-{theirs.pk}"' in page
        assert "hx-post" not in page
        assert 'name="csrfmiddlewaretoken"' in page


class TestEditDeleteReportHide:
    def test_the_writer_edits_in_place(self, client, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Before")
        client.force_login(bob)
        r = client.post(reverse("comments:edit", args=[comment.pk]), {"content": "After"}, headers=HX)
        assert "After" in r.content.decode()
        assert "(edited)" in r.content.decode()

    def test_a_failed_edit_keeps_the_form(self, client, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Before")
        client.force_login(bob)
        r = client.post(reverse("comments:edit", args=[comment.pk]), {"content": ""}, headers=HX)
        assert r["HX-Retarget"] == f"#edit-{comment.pk}"
        assert 'role="alert"' in r.content.decode()

    def test_others_cannot_edit_or_delete(self, client, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Bob's")
        client.force_login(carol)
        assert client.post(reverse("comments:edit", args=[comment.pk]), {"content": "x"}).status_code == 403
        assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 403
        comment.refresh_from_db()
        assert comment.content == "Bob's"

    def test_delete_with_a_plain_form_goes_back_with_a_message(self, client, post, bob):
        comment = services.post_comment(post=post, user=bob, content="Bye")
        client.force_login(bob)
        r = client.post(reverse("comments:delete", args=[comment.pk]), {"next": "https://evil.example/"})
        assert r.status_code == 302
        assert r["Location"] == f"{post.get_absolute_url()}#comments"
        assert not Comment.objects.exists()

    def test_report_with_a_reason(self, client, post, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Spam spam")
        client.force_login(carol)
        url = reverse("comments:report", args=[comment.pk])
        r = client.post(url, {"reason": ""}, headers=HX)
        assert r["HX-Retarget"] == f"#report-{comment.pk}"
        r = client.post(url, {"reason": "It is spam"}, headers=HX)
        assert "Thank you" in r["HX-Trigger"]
        assert CommentReport.objects.get().reason == "It is spam"

    def test_only_the_creator_hides_on_their_post(self, client, post, alice, bob, carol):
        comment = services.post_comment(post=post, user=bob, content="Rude")
        client.force_login(carol)
        assert client.post(reverse("comments:hide", args=[comment.pk])).status_code == 403
        client.force_login(alice)
        r = client.post(reverse("comments:hide", args=[comment.pk]), headers=HX)
        assert "Hidden from readers" in r.content.decode()
        comment.refresh_from_db()
        assert comment.status == Comment.Status.HIDDEN

    def test_the_creator_turns_comments_off_and_on(self, client, post, alice, bob):
        services.post_comment(post=post, user=bob, content="Still readable")
        client.force_login(alice)
        r = client.post(reverse("comments:toggle", args=[post.pk]), {"enabled": "0"}, headers=HX)
        body = r.content.decode()
        assert "Comments are closed" in body
        assert "Still readable" in body
        assert "Turn comments on" in body
        client.force_login(bob)
        html = client.get(post.get_absolute_url()).content.decode()
        assert "Comments are closed" in html
        assert 'id="comment-form"' not in html
        assert client.post(reverse("comments:toggle", args=[post.pk]), {"enabled": "1"}).status_code == 403


class TestPageCache:
    def test_a_new_comment_shows_at_once_on_the_cached_anonymous_page(self, client, post, bob, rf: RequestFactory):
        """Serve the post page through the anonymous whole-page cache, as the site does."""
        from django.contrib.auth.models import AnonymousUser

        cached_view = pagecache.cache_for_anonymous(timeout=600)(post_views.post_detail)

        def anonymous_get():
            request = rf.get(post.get_absolute_url())
            request.user = AnonymousUser()
            request.htmx = False
            return cached_view(request, username="alice", slug=post.slug)

        first = anonymous_get()
        assert first["X-Page-Cache"] == "miss"
        assert b"No comments yet" in first.content
        assert anonymous_get()["X-Page-Cache"] == "hit"
        client.force_login(bob)
        _create(client, post, HX, content="Fresh off the press")
        fresh = anonymous_get()
        assert fresh["X-Page-Cache"] == "miss"
        assert b"Fresh off the press" in fresh.content


class TestDashboard:
    def test_reported_comments_come_first_and_can_be_hidden(self, client, post, alice, bob, carol):
        calm = services.post_comment(post=post, user=bob, content="Calm words")
        services.post_comment(post=post, user=carol, content="Angry words")
        angry = Comment.objects.get(content="Angry words")
        services.report_comment(comment=angry, by=bob, reason="Abusive")
        client.force_login(alice)
        html = client.get(reverse("comments:dashboard")).content.decode()
        assert html.index("Angry words") < html.index("Calm words")
        r = client.post(reverse("comments:hide", args=[calm.pk]), {"next": "/dashboard/comments/?page=1"})
        assert r["Location"] == "/dashboard/comments/?page=1"

    def test_the_dashboard_shows_only_ones_own_posts(self, client, post, bob, carol):
        services.post_comment(post=post, user=bob, content="On alice's post")
        client.force_login(carol)
        assert "On alice's post" not in client.get(reverse("comments:dashboard")).content.decode()

    def test_the_dashboard_runs_a_fixed_number_of_queries(self, client, post, alice, django_assert_max_num_queries):
        from tests.comments.factories import CommentFactory

        client.force_login(alice)
        CommentFactory.create_batch(3, post=post)
        with django_assert_max_num_queries(8) as small:
            client.get(reverse("comments:dashboard"))
        CommentFactory.create_batch(30, post=post)
        with django_assert_max_num_queries(len(small.captured_queries)):
            r = client.get(reverse("comments:dashboard"))
        assert r.content.decode().count("<tr id=") == 25


def test_the_htmx_error_json_header_is_well_formed(client, post, bob):
    client.force_login(bob)
    r = _create(client, post, HX, content="ok")
    assert json.loads(r["HX-Trigger"])["messages"][0]["level"] == "success"


def test_held_comments_come_after_reported_ones_on_the_dashboard_and_can_be_approved(client, post, alice, bob):
    held = services.post_comment(
        post=post, user=bob, content="Links https://a.example https://b.example https://c.example https://d.example"
    )
    services.post_comment(post=post, user=bob, content="Plain and newer")
    client.force_login(alice)
    html = client.get(reverse("comments:dashboard")).content.decode()
    assert html.index("a.example") < html.index("Plain and newer")
    r = client.post(reverse("comments:approve", args=[held.pk]), headers=HX)
    assert "approved" in r["HX-Trigger"]
    held.refresh_from_db()
    assert held.status == Comment.Status.VISIBLE


def test_an_expired_session_on_htmx_gets_a_full_page_redirect_to_log_in(client, post):
    r = _create(client, post, {**HX, "HX-Current-URL": f"http://testserver{post.get_absolute_url()}"}, content="x")
    assert r.status_code == 200
    assert r["HX-Redirect"] == "/accounts/login/?next=%2F%40alice%2Fspring-planting%2F%23comments"


class TestPermalink:
    def test_a_hidden_comment_is_no_longer_shown_on_its_page(self, client, post, alice, bob):
        comment = services.post_comment(post=post, user=bob, content="Hidden soon")
        services.hide_comment(comment=comment, by=alice)
        html = client.get(reverse("comments:detail", args=[comment.pk])).content.decode()
        assert "no longer shown" in html
        assert "Hidden soon" not in html

    def test_a_comment_on_a_draft_is_a_404(self, client, alice, bob):
        from tests.comments.factories import CommentFactory
        from tests.posts.factories import PostFactory

        comment = CommentFactory(post=PostFactory(creator=alice), user=bob)
        assert client.get(reverse("comments:detail", args=[comment.pk])).status_code == 404
