"""Analytics fixtures: a published post of alice's and a reader's browser."""

from __future__ import annotations

import pytest

from tests.posts.factories import PostFactory

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari"


@pytest.fixture
def post(alice):
    """One of alice's published posts."""
    return PostFactory(creator=alice, published=True, title="Winter bulbs", slug="winter-bulbs")


def read(client, post, *, ip: str = "203.0.113.7", ua: str = FIREFOX, **headers):
    """A reader opening the post page."""
    return client.get(post.get_absolute_url(), headers={"User-Agent": ua, **headers}, REMOTE_ADDR=ip)
