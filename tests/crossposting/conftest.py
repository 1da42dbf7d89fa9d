"""Each network's fake API (a real HTTP server on 127.0.0.1) and the settings that point the site at it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from crossposting import services
from crossposting.models import Connection
from posts import services as post_services
from tests.crossposting import fakes


@dataclass
class Case:
    network: str
    install: Callable[[fakes.FakeAPI], None]
    values: Callable[[fakes.FakeAPI], dict[str, str]]
    post_route: tuple[str, str]
    # The answer that says "your token is no good", on the route the adapter calls first when posting.
    auth_route: tuple[str, str]
    auth_answer: fakes.Answer
    needs_image: bool = False


UNAUTHORIZED_JSON = (401, {"error": "InvalidToken", "message": "Token has been revoked"}, {})

CASES = {
    "bluesky": Case(
        "bluesky",
        fakes.install_bluesky,
        lambda api: {"handle": "alice.bsky.test", "app_password": fakes.BSKY_PASSWORD, "instance_url": api.url},
        ("POST", "/xrpc/com.atproto.repo.createRecord"),
        ("POST", "/xrpc/com.atproto.server.createSession"),
        (401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, {}),
    ),
    "mastodon": Case(
        "mastodon",
        fakes.install_mastodon,
        lambda api: {"instance_url": api.url, "access_token": fakes.MASTODON_TOKEN},
        ("POST", "/api/v1/statuses"),
        ("POST", "/api/v1/statuses"),
        (401, {"error": "The access token was revoked"}, {}),
    ),
    "reddit": Case(
        "reddit",
        fakes.install_reddit,
        lambda api: {
            "client_id": "client-id-123",
            "client_secret": "client-secret-456",
            "username": "alice_writes",
            "password": fakes.REDDIT_PASSWORD,
            "subreddit": "r/gardening",
        },
        ("POST", "/api/submit"),
        ("POST", "/api/v1/access_token"),
        (401, {"message": "Unauthorized", "error": 401}, {}),
    ),
    "facebook": Case(
        "facebook",
        fakes.install_facebook,
        lambda api: {"page_id": "1234567890", "access_token": fakes.GRAPH_TOKEN},
        ("POST", "/v21.0/1234567890/feed"),
        ("POST", "/v21.0/1234567890/feed"),
        fakes.graph_auth_error(),
    ),
    "instagram": Case(
        "instagram",
        fakes.install_instagram,
        lambda api: {"ig_user_id": "17841400000000001", "access_token": fakes.GRAPH_TOKEN},
        ("POST", "/v21.0/17841400000000001/media_publish"),
        ("POST", "/v21.0/17841400000000001/media"),
        fakes.graph_auth_error(),
        needs_image=True,
    ),
    "threads": Case(
        "threads",
        fakes.install_threads,
        lambda api: {"user_id": "25000000000000001", "access_token": fakes.GRAPH_TOKEN},
        ("POST", "/v1.0/25000000000000001/threads_publish"),
        ("POST", "/v1.0/25000000000000001/threads"),
        (401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}),
    ),
}


REFUSALS: dict[str, tuple[tuple[str, str], fakes.Answer]] = {
    "bluesky": (
        ("POST", "/xrpc/com.atproto.repo.createRecord"),
        (400, {"error": "InvalidRequest", "message": "Record/text must not be longer than 300 graphemes"}, {}),
    ),
    "mastodon": (
        ("POST", "/api/v1/statuses"),
        (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, {}),
    ),
    "reddit": (
        ("POST", "/api/submit"),
        (200, {"json": {"errors": [["SUBREDDIT_NOEXIST", "Hmm, that community doesn't exist.", "sr"]]}}, {}),
    ),
    "facebook": (
        ("POST", "/v21.0/1234567890/feed"),
        (400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}, {}),
    ),
    "instagram": (
        ("POST", "/v21.0/17841400000000001/media"),
        (
            400,
            {
                "error": {
                    "message": "Only photo or video can be accepted as media type.",
                    "type": "OAuthException",
                    "code": 9004,
                    "error_subcode": 2207052,
                }
            },
            {},
        ),
    ),
    "threads": (
        ("POST", "/v1.0/25000000000000001/threads"),
        (400, {"error": {"message": "Param text must be at most 500 characters long.", "code": 100}}, {}),
    ),
}


@pytest.fixture
def fake_api(settings) -> Iterator[fakes.FakeAPI]:
    """One local server speaking every network's API; the site's API addresses point at it."""
    with fakes.Server() as api:
        for install in (fakes.install_bluesky, fakes.install_mastodon, fakes.install_reddit):
            install(api)
        fakes.install_facebook(api)
        fakes.install_instagram(api)
        fakes.install_threads(api)
        settings.CROSSPOST_BLUESKY_URL = api.url
        settings.CROSSPOST_REDDIT_URL = api.url
        settings.CROSSPOST_REDDIT_OAUTH_URL = api.url
        settings.CROSSPOST_GRAPH_URL = f"{api.url}/v21.0"
        settings.CROSSPOST_THREADS_URL = f"{api.url}/v1.0"
        settings.CROSSPOST_RETRY_BASE_SECONDS = 0.05
        settings.CROSSPOST_ALLOW_PRIVATE_HOSTS = True  # the fakes live on 127.0.0.1
        yield api


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def connect(fake_api, alice) -> Callable[[str], Connection]:
    def make(network: str) -> Connection:
        return services.connect_network(creator=alice, network=network, values=CASES[network].values(fake_api))

    return make


@pytest.fixture
def publish(alice):
    """Publish a new post of alice's through the real service (with a cover image if asked)."""

    def make(title: str = "Autumn in the garden", *, cover: bool = True):
        post = post_services.create_post(
            creator=alice, title=title, subtitle="What to plant now", content="Bulbs, mostly. **Lots** of bulbs."
        )
        if cover:
            post.cover_image.save("cover.png", ContentFile(png_bytes()))
        return post_services.publish_post(post=post, by=alice)

    return make
