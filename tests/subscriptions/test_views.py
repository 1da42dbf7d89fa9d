"""The subscription pages: the button in place, the feed, the reader's settings, the creator's dashboard."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from subscriptions import services
from subscriptions.models import Subscription
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory
from tests.subscriptions.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_logged_out_readers_get_a_login_link_and_no_per_user_content(client, alice):
    post = PostFactory(creator=alice, published=True)
    SubscriptionFactory.create_batch(2, creator=alice)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="/accounts/login/?next={post.get_absolute_url().replace("@", "%40")}"' in page
    assert "2 subscribers" not in page  # the anonymous page is cached: no count to go stale


def test_the_button_subscribes_and_unsubscribes_in_place(client, alice, bob):
    SubscriptionFactory.create_batch(2, creator=alice)
    client.force_login(bob)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Subscribe to alice" in page
    assert "2 subscribers" in page

    r = client.post(reverse("subscriptions:subscribe", args=[alice.pk]), {"next": "/@alice/"}, headers=HTMX)
    body = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in body
    assert 'class="subscribe"' in body
    assert "Unsubscribe" in body
    assert "3 subscribers" in body
    assert Subscription.objects.get(subscriber=bob).status == "active"

    r = client.post(reverse("subscriptions:unsubscribe_creator", args=[alice.pk]), headers=HTMX)
    assert "Subscribe to alice" in r.content.decode()
    assert "2 subscribers" in r.content.decode()
    assert Subscription.objects.get(subscriber=bob).status == "cancelled"


def test_without_javascript_the_button_redirects_back_with_a_message(client, alice, bob):
    client.force_login(bob)
    r = client.post(reverse("subscriptions:subscribe", args=[alice.pk]), {"next": "/@alice/"}, follow=True)
    assert r.redirect_chain[-1][0] == "/@alice/"
    assert "You subscribed to alice." in r.content.decode()
    r = client.post(reverse("subscriptions:subscribe", args=[alice.pk]), {"next": "https://evil.example/"})
    assert r["Location"] == alice.get_absolute_url()


def test_the_button_refuses_wrong_method_anonymous_and_non_creators(client, alice, bob, carol):
    url = reverse("subscriptions:subscribe", args=[alice.pk])
    assert client.get(url).status_code == 405
    assert client.post(url)["Location"].startswith("/accounts/login/")
    client.force_login(carol)
    assert client.post(reverse("subscriptions:subscribe", args=[bob.pk])).status_code == 404
    assert not Subscription.objects.exists()


def test_a_creator_sees_their_own_count_not_a_button(client, alice):
    SubscriptionFactory(creator=alice)
    client.force_login(alice)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "1 subscriber" in page
    assert "Subscribe to" not in page


def _feed_world(reader, creators: int, posts_each: int) -> None:
    for _ in range(creators):
        creator = UserFactory(role="creator")
        services.subscribe(subscriber=reader, creator=creator)
        PostFactory.create_batch(posts_each, creator=creator, published=True)


@pytest.mark.parametrize(("creators", "posts_each"), [(1, 2), (6, 8)])
def test_feed_runs_a_fixed_number_of_queries(client, bob, creators, posts_each, django_assert_max_num_queries):
    _feed_world(bob, creators, posts_each)
    client.force_login(bob)
    with django_assert_max_num_queries(8):
        r = client.get(reverse("subscriptions:feed"))
    assert r.status_code == 200
    assert r.content.decode().count('class="card post-card"') == min(20, creators * posts_each)


def test_feed_is_newest_first_paginated_and_htmx_gets_the_list(client, bob):
    _feed_world(bob, 1, 25)
    client.force_login(bob)
    first = client.get(reverse("subscriptions:feed")).content.decode()
    assert "Page 1 of 2" in first
    r = client.get(reverse("subscriptions:feed") + "?page=2", headers=HTMX)
    body = r.content.decode()
    assert "<html" not in body
    assert 'id="feed-list"' in body
    assert body.count("post-card") == 5


def test_settings_list_turns_email_off_and_unsubscribes_in_place(client, alice, bob, carol):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    other, _ = services.subscribe(subscriber=carol, creator=alice)
    client.force_login(bob)
    page = client.get(reverse("subscriptions:settings")).content.decode()
    assert "alice" in page
    assert "Turn emails off" in page

    r = client.post(reverse("subscriptions:set_email", args=[sub.pk]), headers=HTMX)
    assert "Turn emails on" in r.content.decode()
    assert "<html" not in r.content.decode()
    assert not Subscription.objects.get(pk=sub.pk).email_enabled
    r = client.post(reverse("subscriptions:set_email", args=[sub.pk]), {"email_enabled": "on"}, headers=HTMX)
    assert Subscription.objects.get(pk=sub.pk).email_enabled

    r = client.post(reverse("subscriptions:cancel", args=[sub.pk]), headers=HTMX)
    assert "Unsubscribed" in r.content.decode()
    assert Subscription.objects.get(pk=sub.pk).status == "cancelled"
    # someone else's subscription is a 404
    assert client.post(reverse("subscriptions:cancel", args=[other.pk])).status_code == 404
    assert Subscription.objects.get(pk=other.pk).status == "active"


@pytest.mark.parametrize("n", [3, 30])
def test_dashboard_lists_searches_and_charts_in_fixed_queries(client, alice, n, django_assert_max_num_queries):
    SubscriptionFactory.create_batch(n, creator=alice)
    SubscriptionFactory(creator=alice, subscriber=UserFactory(username="zelda", email="zelda@example.com"))
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        r = client.get(reverse("subscriptions:dashboard"))
    page = r.content.decode()
    assert f"{n + 1} active subscribers" in page
    assert "<svg" in page
    r = client.get(reverse("subscriptions:dashboard") + "?q=zeld", headers=HTMX)
    assert "zelda" in r.content.decode()
    assert r.content.decode().count("<tr>") == 2


def test_dashboard_is_for_creators_only(client, bob):
    client.force_login(bob)
    assert client.get(reverse("subscriptions:dashboard")).status_code == 404
    assert client.get(reverse("subscriptions:dashboard_csv")).status_code == 404


def test_csv_export_has_every_subscriber_and_defuses_formulas(client, alice):
    SubscriptionFactory.create_batch(3, creator=alice)
    SubscriptionFactory(creator=alice, subscriber=UserFactory(first_name="=HYPERLINK(1)"))
    client.force_login(alice)
    r = client.get(reverse("subscriptions:dashboard_csv"))
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0][:3] == ["username", "name", "email"]
    assert len(rows) == 5
    assert any(row[1].startswith("'=HYPERLINK") for row in rows)


def test_unsubscribe_link_asks_one_click_then_unsubscribes_without_login(client, alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    url = reverse("subscriptions:unsubscribe", args=[services.unsubscribe_token(sub)])
    page = client.get(url).content.decode()
    assert "Unsubscribe from alice?" in page
    assert page.count('type="submit"') == 1  # one click, nothing to fill in
    assert Subscription.objects.get().status == "active"  # a GET (a link scanner) changes nothing
    r = client.post(url)
    assert "You are unsubscribed" in r.content.decode()
    assert Subscription.objects.get().status == "cancelled"


def test_one_click_endpoint_is_post_only_needs_no_csrf_and_checks_the_token(alice, bob):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    url = reverse("subscriptions:one_click", args=[services.unsubscribe_token(sub)])
    assert client.get(url).status_code == 405
    assert client.post(reverse("subscriptions:one_click", args=["forged:token"])).status_code == 404
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get().status == "cancelled"
