"""Comments, subscriptions and API reads reach the creator's dashboard through the real worker."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.models import DailyPostStats, Event
from comments import services as comments
from subscriptions import services as subscriptions
from tests.analytics.conftest import FIREFOX

LINKS = "see https://a.example https://b.example https://c.example https://d.example"  # held for review


def totals(client, creator) -> dict[str, int]:
    """The creator's 7-day figures, as their dashboard shows them."""
    client.force_login(creator)
    response = client.get(reverse("analytics:dashboard") + "?days=7")
    assert response.status_code == 200
    client.logout()
    return response.context["summary"].totals


class TestComments:
    def test_a_visible_comment_counts_once_whatever_moderation_does_afterwards(
        self, jobs, client, alice, bob, staff, post
    ):
        comment = comments.post_comment(post=post, user=bob, content="Lovely tulips.")
        comments.hide_comment(comment=comment, by=alice)
        comments.unhide_comment(comment=comment, by=alice)
        comments.remove_comment(comment=comment, by=staff)
        comments.restore_comment(comment=comment, by=staff)
        jobs.drain()
        assert totals(client, alice)["comments"] == 1
        assert DailyPostStats.objects.get(post=post).comments == 1

    def test_a_held_comment_counts_when_approved_not_before(self, jobs, client, alice, bob, post):
        held = comments.post_comment(post=post, user=bob, content=LINKS)
        jobs.drain()
        assert totals(client, alice)["comments"] == 0
        comments.approve_comment(comment=held, by=alice)
        jobs.drain()
        assert totals(client, alice)["comments"] == 1

    def test_a_held_comment_restored_by_staff_counts_and_a_removed_held_one_does_not(
        self, jobs, client, alice, bob, staff, post
    ):
        restored = comments.post_comment(post=post, user=bob, content=LINKS)
        comments.remove_comment(comment=restored, by=staff)
        removed = comments.post_comment(post=post, user=bob, content=LINKS + " again")
        comments.remove_comment(comment=removed, by=staff)
        jobs.drain()
        assert totals(client, alice)["comments"] == 0
        comments.restore_comment(comment=restored, by=staff)
        jobs.drain()
        assert totals(client, alice)["comments"] == 1

    def test_a_comment_posted_through_the_api_is_counted(self, jobs, client, api_as, alice, bob, post):
        response = api_as(bob).post(f"/api/v1/posts/{post.pk}/comments", {"content": "Nice."}, format="json")
        assert response.status_code == 201, response.content
        jobs.drain()
        assert totals(client, alice)["comments"] == 1


class TestSubscriptions:
    def test_subscribers_gained_and_lost_including_a_return_and_the_one_click_link(
        self, jobs, client, api_as, alice, bob, carol
    ):
        assert api_as(bob).post(f"/api/v1/creators/{alice.pk}/subscribe").status_code in (200, 201)
        assert api_as(bob).post(f"/api/v1/creators/{alice.pk}/subscribe").status_code in (200, 201)  # no change
        assert api_as(bob).post(f"/api/v1/creators/{alice.pk}/unsubscribe").status_code in (200, 204)
        assert api_as(bob).post(f"/api/v1/creators/{alice.pk}/unsubscribe").status_code in (200, 204, 404)
        subscriptions.subscribe(subscriber=bob, creator=alice)  # reactivated
        sub, _ = subscriptions.subscribe(subscriber=carol, creator=alice)
        token = subscriptions.unsubscribe_token(sub)
        one_click = reverse("subscriptions:one_click", args=[token])
        assert client.post(one_click, {"List-Unsubscribe": "One-Click"}).status_code == 200
        assert client.post(one_click, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: no change
        jobs.drain()
        t = totals(client, alice)
        assert (t["subscribers_gained"], t["subscribers_lost"]) == (3, 2)
        assert set(Event.objects.values_list("post", flat=True)) == {None}


class TestApiReads:
    URL = "/api/v1/posts/{}"

    def test_readers_count_and_the_creator_bots_and_drafts_do_not(self, jobs, client, api, api_as, alice, bob, post):
        from tests.posts.factories import PostFactory

        draft = PostFactory(creator=alice, title="Not yet")
        url = self.URL.format(post.pk)
        assert api.get(url, headers={"User-Agent": FIREFOX}, REMOTE_ADDR="203.0.113.5").status_code == 200
        assert api.get(url, headers={"User-Agent": FIREFOX}, REMOTE_ADDR="203.0.113.5").status_code == 200
        assert api_as(bob).get(url, headers={"User-Agent": "Inkwell/2.1 okhttp/4.12.0"}).status_code == 200
        assert api.get(url, headers={"User-Agent": "python-requests/2.32.3"}).status_code == 200  # a script
        assert api.get(url, headers={"User-Agent": FIREFOX, "Sec-Purpose": "prefetch"}).status_code == 200
        assert api_as(alice).get(url, headers={"User-Agent": FIREFOX}).status_code == 200  # the creator
        assert api_as(alice).get(self.URL.format(draft.pk), headers={"User-Agent": FIREFOX}).status_code == 200
        jobs.drain()
        t = totals(client, alice)
        assert (t["views"], t["unique_visitors"]) == (3, 2)
        assert not Event.objects.filter(post=draft).exists()

    @pytest.mark.parametrize("repeat", [1, 5])
    def test_counting_adds_no_query(self, api, post, django_assert_max_num_queries, repeat):
        url = self.URL.format(post.pk)
        api.get(url, headers={"User-Agent": FIREFOX})  # today's visitor salt, read once per process and day
        with django_assert_max_num_queries(2 * repeat):  # the post and its tags; counting the read adds none
            for _ in range(repeat):
                assert api.get(url, headers={"User-Agent": FIREFOX}).status_code == 200
