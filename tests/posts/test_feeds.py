"""RSS and Atom feeds, as a feed reader (feedparser) sees them."""

import feedparser
import pytest

from posts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(alice, carol):
    a = services.create_post(
        creator=alice,
        title="Tomatoes & <friends>",
        subtitle="A gardener's notes",
        content="## Soil\n\nFull text with **bold**.\n\n<script>alert(1)</script>\n\n```python\nx = 1\n```",
        tags=["Gardening"],
    )
    b = services.create_post(creator=carol, title="Compilers", content="Parsing is fun.", tags=["Code"])
    return [services.publish_post(post=p, by=p.creator) for p in (a, b)]


def parse(client, url):
    r = client.get(url)
    assert r.status_code == 200
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return r, feed


@pytest.mark.parametrize(("url", "kind"), [("/feed/rss/", "rss20"), ("/feed/atom/", "atom10")])
def test_site_feed_carries_every_post_with_full_sanitised_html(client, posts, url, kind):
    _, feed = parse(client, url)
    assert feed.version == kind
    titles = [e.title for e in feed.entries]
    assert titles == ["Compilers", "Tomatoes & <friends>"]
    entry = feed.entries[1]
    assert entry.link == "http://testserver/@alice/tomatoes-friends/"
    html = entry.content[0].value
    assert "<strong>bold</strong>" in html
    assert '<h2 id="soil">' in html
    assert "<script" not in html
    assert entry.content[0].type == "text/html"
    assert [t.term for t in entry.tags] == ["Gardening"]
    assert entry.author == "alice"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_creator_feed_has_only_their_posts(client, posts, fmt):
    _, feed = parse(client, f"/@carol/feed/{fmt}/")
    assert [e.title for e in feed.entries] == ["Compilers"]
    assert "carol" in feed.feed.title


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_tag_feed_has_only_tagged_posts(client, posts, fmt):
    _, feed = parse(client, f"/tags/gardening/feed/{fmt}/")
    assert [e.title for e in feed.entries] == ["Tomatoes & <friends>"]
    assert "#Gardening" in feed.feed.title


def test_drafts_never_appear_in_feeds(client, posts, alice):
    services.create_post(creator=alice, title="Unfinished", content="x")
    _, feed = parse(client, "/feed/atom/")
    assert "Unfinished" not in [e.title for e in feed.entries]


def test_unknown_creator_or_tag_feed_is_404(client, db):
    assert client.get("/@nobody/feed/rss/").status_code == 404
    assert client.get("/tags/nothing/feed/atom/").status_code == 404


def test_pages_advertise_their_feeds(client, posts):
    body = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in body
    assert 'href="/feed/atom/"' in body
