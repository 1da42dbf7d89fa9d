"""The page cache as a browser meets it: gzip on a hit, one cache read per hit, stale entries ignored."""

import gzip

import pytest
from django.core.cache import cache

from posts import services
from publishing import pagecache

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def url(alice):
    post = services.create_post(creator=alice, title="Growing tomatoes", content="Start with *good* soil.")
    return services.publish_post(post=post, by=alice).get_absolute_url()


def test_a_browser_gets_the_cached_page_gzipped_and_anyone_else_plain(client, url):
    plain = client.get(url)
    assert plain["X-Page-Cache"] == "miss"
    assert "Content-Encoding" not in plain
    hit = client.get(url, headers=GZIP)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit["Vary"]
    assert gzip.decompress(hit.content) == plain.content
    assert int(hit["Content-Length"]) == len(hit.content) < len(plain.content) / 2
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert "Content-Encoding" not in again
    assert again.content == plain.content
    assert b"<em>good</em>" in again.content


def test_the_first_visit_is_gzipped_too_when_the_browser_accepts_it(client, url):
    first = client.get(url, headers=GZIP)
    assert first["X-Page-Cache"] == "miss"
    assert first["Content-Encoding"] == "gzip"
    assert b"<em>good</em>" in gzip.decompress(first.content)


def test_a_cache_hit_reads_the_cache_once(client, url, monkeypatch):
    client.get(url)
    reads, depth = [], [0]

    def counting(name, real):
        def call(*args, **kwargs):
            if not depth[0]:  # LocMemCache.get_many calls get(); Redis sends one MGET
                reads.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many"):
        monkeypatch.setattr(cache, name, counting(name, getattr(cache, name)))
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert reads == ["get_many"]


def test_a_page_stored_before_a_change_is_never_served_after_it(client, url):
    client.get(url)
    pagecache.invalidate()
    r = client.get(url, headers=GZIP)
    assert r["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
