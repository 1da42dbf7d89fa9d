"""/settings/connections/ and the editor's cross-post panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crossposting import services
from crossposting.models import Connection, CrossPost
from tests.crossposting import fakes
from tests.crossposting.conftest import CASES
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db
URL = "/settings/connections/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_readers_cannot_connect_networks(client, bob):
    client.force_login(bob)
    assert client.get(URL).status_code == 403


def test_a_creator_connects_mastodon_and_the_token_is_never_shown_again(client, alice, fake_api):
    client.force_login(alice)
    response = client.post(
        reverse("crossposting:connect", args=["mastodon"]),
        {"mastodon-instance_url": fake_api.url, "mastodon-access_token": fakes.MASTODON_TOKEN},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Connected Mastodon as @alice@" in page
    assert fakes.MASTODON_TOKEN not in page
    assert "••••9876" in page
    assert Connection.objects.get(creator=alice).network == "mastodon"


def test_bad_credentials_show_the_error_and_keep_the_other_fields(client, alice, fake_api):
    client.force_login(alice)
    response = client.post(
        reverse("crossposting:connect", args=["mastodon"]),
        {"mastodon-instance_url": fake_api.url, "mastodon-access_token": "not-the-token"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "did not accept these credentials" in page
    assert fake_api.url in page  # the instance address is kept
    assert "not-the-token" not in page  # a secret is never echoed back
    assert not Connection.objects.exists()


def test_test_and_disconnect_work_on_your_own_connection_only(client, alice, carol, connect):
    connection = connect("bluesky")
    client.force_login(carol)
    assert client.post(reverse("crossposting:test", args=[connection.pk])).status_code == 404
    assert client.post(reverse("crossposting:disconnect", args=[connection.pk])).status_code == 404

    client.force_login(alice)
    response = client.post(reverse("crossposting:test", args=[connection.pk]), follow=True)
    assert "Bluesky works" in response.content.decode()
    client.post(reverse("crossposting:disconnect", args=[connection.pk]))
    assert not Connection.objects.exists()


def test_a_failing_test_marks_the_connection_for_reauthorisation(client, alice, connect, fake_api):
    connection = connect("mastodon")
    fake_api.script("GET", "/api/v1/accounts/verify_credentials", (401, {"error": "The access token is invalid"}, {}))
    client.force_login(alice)
    response = client.post(reverse("crossposting:test", args=[connection.pk]), follow=True)
    assert "Needs re-authorisation" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH


def test_the_connections_page_runs_a_fixed_number_of_queries(client, alice, connect, django_assert_max_num_queries):
    client.force_login(alice)
    connect("mastodon")
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
    for network in CASES:
        connect(network)
    for _ in range(5):
        row = CrossPost.objects.create(
            creator=alice, network="mastodon", status=CrossPost.Status.SENT, remote_id="1", post_title="Gone"
        )
        del row
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.content.decode().count("Delete from Mastodon") == 5


def test_the_editor_panel_lists_connected_networks_with_their_limits(client, alice, connect):
    connect("mastodon")
    connect("bluesky")
    post = PostFactory(creator=alice)
    client.force_login(alice)

    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()

    assert 'id="crosspost-panel"' in page
    assert 'name="chosen_mastodon"' in page
    assert 'name="chosen_bluesky"' in page
    assert 'data-crosspost-limit="975"' in page  # the instance's 1000, minus the 23-character link and a gap
    assert "js/crosspost.js" in page
    assert "onclick" not in page
    assert "hx-on" not in page


def test_per_network_text_and_choices_are_saved(client, alice, connect):
    connect("mastodon")
    connect("bluesky")
    post = PostFactory(creator=alice)
    client.force_login(alice)

    response = client.post(
        reverse("crossposting:plan", args=[post.pk]),
        {
            "present_mastodon": "1",
            "chosen_mastodon": "1",
            "text_mastodon": "Toot about bulbs",
            "present_bluesky": "1",
            "text_bluesky": "not going",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Toot about bulbs" in response.content.decode()
    rows = {r.network: r for r in CrossPost.objects.filter(post=post)}
    assert rows["mastodon"].chosen
    assert rows["mastodon"].text == "Toot about bulbs"
    assert not rows["bluesky"].chosen


def test_someone_elses_post_panel_is_a_404(client, alice, carol):
    post = PostFactory(creator=alice)
    client.force_login(carol)
    assert client.post(reverse("crossposting:plan", args=[post.pk]), {}).status_code == 404


def test_retry_a_failed_crosspost_from_the_panel(
    client, alice, carol, connect, publish, django_capture_on_commit_callbacks
):
    connect("mastodon")
    post = publish()
    row = CrossPost.objects.create(
        post=post, creator=alice, network="mastodon", status=CrossPost.Status.FAILED, error="Mastodon answered 500."
    )
    client.force_login(carol)
    assert client.post(reverse("crossposting:retry", args=[row.pk])).status_code == 404

    client.force_login(alice)
    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert "Retry Mastodon" in page
    assert "Mastodon answered 500." in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("crossposting:retry", args=[row.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Sending to Mastodon again" in response.content.decode()
    row.refresh_from_db()
    assert row.status == CrossPost.Status.PENDING
    assert len(callbacks) >= 1  # the task is queued once the transaction commits


def test_the_editor_panel_runs_a_fixed_number_of_queries(client, alice, connect, django_assert_max_num_queries):
    post = PostFactory(creator=alice)
    client.force_login(alice)
    connect("mastodon")
    with django_assert_max_num_queries(10):
        client.get(reverse("posts:edit", args=[post.pk]))
    for network in CASES:
        connect(network)
    services.save_plan(post=post, choices={n: services.Choice(chosen=True, text=n) for n in CASES})
    with django_assert_max_num_queries(10):
        page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert page.count('class="crosspost-row"') == len(CASES)


def test_an_unpublished_post_offers_to_delete_its_remote_copies(
    client, alice, connect, publish, django_capture_on_commit_callbacks
):
    from posts import services as post_services

    connect("mastodon")
    connect("instagram")
    post = publish()
    for network in ("mastodon", "instagram"):
        CrossPost.objects.create(
            post=post,
            creator=alice,
            network=network,
            status=CrossPost.Status.SENT,
            remote_id="42",
            remote_url=f"https://{network}.example/42",
        )
    post_services.unpublish_post(post=post, by=alice)
    client.force_login(alice)

    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert "Delete it from Mastodon" in page
    assert "Delete it on Instagram itself" in page
    listing = client.get(URL).content.decode()
    assert "https://mastodon.example/42" in listing
    assert "Delete from Mastodon" in listing

    row = CrossPost.objects.get(network="mastodon")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("crossposting:remote_delete", args=[row.pk]), follow=True)
    assert "Deleting the post on Mastodon" in response.content.decode()
    assert len(callbacks) == 1


def test_the_panel_polls_while_crossposts_are_in_flight_and_stops_after(client, alice, connect, publish):
    connect("mastodon")
    post = publish()
    row = CrossPost.objects.create(post=post, creator=alice, network="mastodon", status=CrossPost.Status.PENDING)
    client.force_login(alice)
    url = reverse("crossposting:plan", args=[post.pk])

    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 5s"' in page

    CrossPost.objects.filter(pk=row.pk).update(
        status=CrossPost.Status.SENT, remote_url="https://mastodon.example/@alice/1"
    )
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "See it on Mastodon" in partial
    assert "every 5s" not in partial
