"""What each adapter really sends, as the network's fake API received it."""

from __future__ import annotations

import pytest

from crossposting import networks, services
from crossposting.models import Connection, CrossPost
from tests.crossposting import fakes

pytestmark = pytest.mark.django_db


def send(post, network: str) -> CrossPost:
    row = next(r for r in services.start_crossposts(post=post) if r.network == network)
    services.send_crosspost(crosspost_id=row.pk)
    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    return row


def test_bluesky_posts_a_link_card_with_thumbnail_and_a_facet_at_utf8_byte_offsets(fake_api, connect, publish):
    connect("bluesky")
    post = publish("Gärten 🌷 im Herbst")
    row = send(post, "bluesky")

    record = fake_api.calls("POST", "/xrpc/com.atproto.repo.createRecord")[0].json()
    assert record["repo"] == fakes.BSKY_DID
    assert record["collection"] == "app.bsky.feed.post"
    text = record["record"]["text"]
    assert text.startswith("Gärten 🌷 im Herbst\n")
    facet = record["record"]["facets"][0]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == post.full_url  # bytes, not characters (ä and 🌷 are multi-byte)
    assert facet["features"][0] == {"$type": "app.bsky.richtext.facet#link", "uri": post.full_url}
    external = record["record"]["embed"]["external"]
    assert record["record"]["embed"]["$type"] == "app.bsky.embed.external"
    assert external["uri"] == post.full_url
    assert external["title"] == "Gärten 🌷 im Herbst"
    assert external["description"] == "What to plant now"
    assert external["thumb"]["ref"]["$link"].startswith("bafkrei")
    blob = fake_api.calls("POST", "/xrpc/com.atproto.repo.uploadBlob")[0]
    assert blob.body.startswith(b"\x89PNG")
    assert row.remote_url.startswith(f"https://bsky.app/profile/{fakes.BSKY_DID}/post/3kpost")


def test_bluesky_text_is_cut_to_300_with_the_link(fake_api, connect, publish):
    connect("bluesky")
    post = publish()
    # The publish fan-out has not run yet (no worker here): the plan is still editable.
    services.save_plan(post=post, choices={"bluesky": services.Choice(chosen=True, text="word " * 200)})
    send(post, "bluesky")

    text = fake_api.calls("POST", "/xrpc/com.atproto.repo.createRecord")[0].json()["record"]["text"]
    assert len(text) <= 300
    assert text.endswith(post.full_url)
    assert "…" in text


def test_mastodon_takes_the_instance_limit_and_sends_an_idempotency_key(fake_api, connect, publish):
    connection = connect("mastodon")
    assert connection.options["char_limit"] == 1000
    assert connection.handle.startswith("@alice@127.0.0.1")
    post = publish()
    row = send(post, "mastodon")

    call = fake_api.calls("POST", "/api/v1/statuses")[0]
    assert call.headers["Authorization"] == f"Bearer {fakes.MASTODON_TOKEN}"
    assert call.headers["Idempotency-Key"] == f"inkwell-crosspost-{row.pk}"
    body = call.json() if call.body.startswith(b"{") else call.form()
    assert body["status"] == f"Autumn in the garden\n\n{post.full_url}"
    assert networks.get("mastodon").text_limit(account=services.account_for(connection), link="x") == 1000 - 25


def test_reddit_submits_a_link_post_to_the_chosen_subreddit(fake_api, connect, publish):
    connect("reddit")
    post = publish()
    row = send(post, "reddit")

    form = fake_api.calls("POST", "/api/submit")[0].form()
    assert form["sr"] == "gardening"
    assert form["kind"] == "link"
    assert form["url"] == post.full_url
    assert form["title"] == "Autumn in the garden"
    assert row.remote_id.startswith("1x")
    token_call = fake_api.calls("POST", "/api/v1/access_token")[0].form()
    assert token_call["grant_type"] == "password"


def test_facebook_posts_the_message_and_link_to_the_page_feed(fake_api, connect, publish):
    connect("facebook")
    post = publish()
    row = send(post, "facebook")

    call = fake_api.calls("POST", "/v21.0/1234567890/feed")[0]
    assert call.form() == {"message": "Autumn in the garden", "link": post.full_url}
    assert call.headers["Authorization"] == f"Bearer {fakes.GRAPH_TOKEN}"
    assert row.remote_url == f"https://www.facebook.com/{row.remote_id}"


def test_instagram_creates_a_media_container_from_the_cover_then_publishes(fake_api, connect, publish):
    connect("instagram")
    post = publish()
    row = send(post, "instagram")

    form = fake_api.calls("POST", "/v21.0/17841400000000001/media")[0].form()
    assert form["image_url"].startswith("http")
    assert form["image_url"].endswith(".png")
    assert form["caption"] == f"Autumn in the garden\n\n{post.full_url}"
    assert row.remote_id == "17920238422030506"
    assert row.remote_url == "https://www.instagram.com/p/Cabc123/"


def test_threads_creates_a_text_container_with_the_link_then_publishes(fake_api, connect, publish):
    connect("threads")
    post = publish()
    row = send(post, "threads")

    form = fake_api.calls("POST", "/v1.0/25000000000000001/threads")[0].form()
    assert form["media_type"] == "TEXT"
    assert form["link_attachment"] == post.full_url
    assert row.remote_url == "https://www.threads.net/@alice.gardens/post/C1"


@pytest.mark.parametrize(
    ("network", "bad"),
    [
        ("bluesky", {"app_password": "wrong"}),
        ("mastodon", {"access_token": "wrong"}),
        ("reddit", {"password": "wrong"}),
        ("facebook", {"access_token": "wrong"}),
    ],
)
def test_connecting_with_bad_credentials_is_refused_and_stores_nothing(network, bad, fake_api, alice):
    from tests.crossposting.conftest import CASES

    with pytest.raises(services.CrossPostError, match="did not accept"):
        services.connect_network(creator=alice, network=network, values={**CASES[network].values(fake_api), **bad})
    assert not Connection.objects.exists()


def test_deleting_a_remote_post_calls_the_network(
    fake_api, connect, publish, alice, django_capture_on_commit_callbacks
):
    from posts import services as post_services

    connect("bluesky")
    post = publish()
    row = send(post, "bluesky")
    post_services.unpublish_post(post=post, by=alice)

    from crossposting import selectors

    assert list(selectors.orphaned_remote_posts(creator=alice)) == [row]
    services.delete_remote(crosspost_id=row.pk)

    row.refresh_from_db()
    assert row.status == CrossPost.Status.DELETED
    deleted = fake_api.calls("POST", "/xrpc/com.atproto.repo.deleteRecord")[0].json()
    assert deleted["rkey"] == row.remote_id.rsplit("/", 1)[-1]
    assert list(selectors.orphaned_remote_posts(creator=alice)) == []


def test_instagram_remote_posts_cannot_be_deleted_and_the_creator_is_told(fake_api, connect, publish):
    connect("instagram")
    row = send(publish(), "instagram")
    with pytest.raises(services.CrossPostError, match="cannot delete"):
        services.request_remote_delete(crosspost=row)


@pytest.mark.parametrize(
    "address", ["http://127.0.0.1:9", "https://127.0.0.1", "https://169.254.169.254", "https://10.0.0.5", "ftp://x.org"]
)
def test_private_or_plain_http_instance_addresses_are_refused(address, fake_api, alice, settings):
    settings.CROSSPOST_ALLOW_PRIVATE_HOSTS = False
    before = len(fake_api.seen)
    with pytest.raises(services.CrossPostError) as refused:
        services.connect_network(
            creator=alice, network="mastodon", values={"instance_url": address, "access_token": "t"}
        )
    assert refused.value.field == "instance_url"
    assert len(fake_api.seen) == before
