"""The pages readers read: content, SEO tags, conditional GET, the page cache, query budgets."""

import json
import re

import pytest
from django.core.files.base import ContentFile

from accounts import services as account_services
from posts import services
from posts.models import Post, Tag
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(alice):
    post = services.create_post(
        creator=alice,
        title="Growing tomatoes",
        subtitle="Sun, water & patience",
        content="## Soil\n\nStart with <b>good</b> soil.\n\n```python\nprint('hi')\n```\n",
        tags=["Gardening", "Food"],
    )
    return services.publish_post(post=post, by=alice)


def make_posts(n: int) -> None:
    """n published posts from several creators, each with two tags."""
    creators = [UserFactory(role="creator") for _ in range(3)]
    tags = [Tag.objects.get_or_create(slug=f"t{i}", defaults={"name": f"T{i}"})[0] for i in range(4)]
    for i in range(n):
        post = PostFactory(creator=creators[i % 3], published=True)
        post.tags.set([tags[i % 4], tags[(i + 1) % 4]])


class TestPages:
    def test_home_lists_published_posts_not_drafts(self, client, published, alice):
        services.create_post(creator=alice, title="Secret draft", content="x")
        r = client.get("/")
        body = r.content.decode()
        assert "Growing tomatoes" in body
        assert "Sun, water &amp; patience" in body
        assert "1 min read" in body
        assert alice.display_name in body
        assert "Secret draft" not in body

    def test_home_is_paginated(self, client):
        make_posts(15)
        first = client.get("/").content.decode()
        second = client.get("/?page=2").content.decode()
        assert 'href="?page=2"' in first
        assert first.count('class="card post-card"') == 12
        assert second.count('class="card post-card"') == 3

    def test_post_page_has_article_seo_and_slots(self, client, published):
        published.cover_image.save("cover.png", ContentFile(b"x"), save=True)
        r = client.get(published.get_absolute_url())
        body = r.content.decode()
        assert r["X-Post-Id"] == str(published.pk)
        assert "<title>Growing tomatoes · Inkwell</title>" in body
        assert '<meta name="description" content="Sun, water &amp; patience">' in body
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{published.get_absolute_url()}">' in body
        assert '<meta property="og:title" content="Growing tomatoes">' in body
        assert re.search(r'<meta property="og:image" content="http://127\.0\.0\.1:8000/media/covers/.+\.png">', body)
        assert '<meta name="twitter:card" content="summary_large_image">' in body
        assert 'href="/tags/gardening/"' in body
        assert "About the author" in body
        assert '<h2 id="soil">' in body
        assert '<span class="nb">print</span>' in body
        match = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', body, re.S)
        data = json.loads(match.group(2))
        assert data["@type"] == "Article"
        assert data["headline"] == "Growing tomatoes"
        assert data["author"]["name"] == "alice"
        assert data["keywords"] == ["Food", "Gardening"]
        assert f"'nonce-{match.group(1)}'" in r["Content-Security-Policy"]

    def test_json_ld_cannot_break_out_of_its_script(self, client, alice):
        post = services.create_post(creator=alice, title="</script><script>alert(1)</script>", content="x")
        post = services.publish_post(post=post, by=alice)
        body = client.get(post.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in body
        assert "\\u003C/script\\u003E" in body

    def test_drafts_and_unknown_posts_are_404(self, client, alice):
        draft = services.create_post(creator=alice, title="Draft", content="x")
        assert client.get(f"/@alice/{draft.slug}/").status_code == 404
        assert client.get("/@alice/nothing-here/").status_code == 404
        assert client.get("/tags/nope/").status_code == 404

    def test_tag_page_lists_only_tagged_posts(self, client, published, alice):
        other = services.publish_post(post=services.create_post(creator=alice, title="Cars", content="x"), by=alice)
        body = client.get("/tags/gardening/").content.decode()
        assert "#Gardening" in body
        assert "Growing tomatoes" in body
        assert other.title not in body

    def test_creator_page_lists_their_posts_with_bio(self, client, published, carol):
        services.publish_post(post=services.create_post(creator=carol, title="Carol's post", content="x"), by=carol)
        body = client.get("/@alice/").content.decode()
        assert "I write about gardens." in body
        assert "Growing tomatoes" in body
        assert "Carol&#x27;s post" not in body
        assert "/@alice/feed/rss/" in body

    def test_reader_profile_has_no_post_list(self, client, bob):
        body = client.get("/@bob/").content.decode()
        assert "bob" in body
        assert 'id="post-list"' not in body

    def test_robots_points_at_sitemap_and_disallows_private_areas(self, client):
        body = client.get("/robots.txt").content.decode()
        assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in body
        for path in ("/write/", "/dashboard/", "/api/", "/admin/", "/accounts/"):
            assert f"Disallow: {path}" in body

    def test_sitemap_lists_posts_creators_and_tags(self, client, published):
        body = client.get("/sitemap.xml").content.decode()
        assert f"http://testserver{published.get_absolute_url()}" in body
        assert "http://testserver/@alice/" in body
        assert "http://testserver/tags/food/" in body


class TestConditionalGet:
    @pytest.mark.parametrize("url", ["/", "/@alice/", "/tags/gardening/", "/feed/rss/", "/sitemap.xml"])
    def test_repeat_visit_with_etag_is_304(self, client, published, url):
        first = client.get(url)
        assert first.status_code == 200
        assert first["ETag"]
        assert first["Last-Modified"]
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert "Content-Security-Policy" not in again  # the browser keeps the one matching its copy

    def test_post_page_304_still_names_the_post(self, client, published):
        first = client.get(published.get_absolute_url())
        again = client.get(published.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again["X-Post-Id"] == str(published.pk)

    def test_if_modified_since_is_304(self, client, published):
        first = client.get("/")
        assert client.get("/", headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304

    def test_etag_changes_after_an_edit(self, client, published, alice):
        first = client.get(published.get_absolute_url())
        with_commit(lambda: services.update_post(post=published, by=alice, title="Growing potatoes"))
        again = client.get(published.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 200
        assert "Growing potatoes" in again.content.decode()


def with_commit(fn):
    """Run a service and its on_commit hooks (the test transaction never commits)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn()


class TestPageCache:
    def test_second_anonymous_visit_is_a_cache_hit_with_matching_csp(self, client, published):
        url = published.get_absolute_url()
        first = client.get(url)
        second = client.get(url)
        assert first["X-Page-Cache"] == "miss"
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        nonce = re.search(rb'nonce="([^"]+)"', second.content).group(1).decode()
        assert f"'nonce-{nonce}'" in second["Content-Security-Policy"]

    @pytest.mark.parametrize(
        "change",
        [
            lambda p, a: services.update_post(post=p, by=a, title="Changed title"),
            lambda p, a: services.unpublish_post(post=p, by=a),
            lambda p, a: services.delete_post(post=p, by=a),
            lambda p, a: account_services.update_profile(user=a, bio="Changed title"),
        ],
        ids=["edit", "unpublish", "delete", "profile-edit"],
    )
    def test_changes_invalidate_cached_pages(self, client, published, alice, change):
        for url in ("/", "/@alice/", "/tags/gardening/"):
            client.get(url)
        with_commit(lambda: change(published, alice))
        home = client.get("/")
        assert home["X-Page-Cache"] == "miss"
        profile = client.get("/@alice/").content.decode()
        if "Changed title" not in profile:  # unpublished or deleted
            assert "Growing tomatoes" not in profile
            assert "Growing tomatoes" not in client.get("/tags/gardening/").content.decode()

    def test_publishing_shows_up_on_a_cached_home_page(self, client, published, alice):
        client.get("/")
        draft = services.create_post(creator=alice, title="Fresh post", content="x")
        assert client.get("/")["X-Page-Cache"] == "hit"
        with_commit(lambda: services.publish_post(post=draft, by=alice))
        assert "Fresh post" in client.get("/").content.decode()

    def test_logged_in_readers_are_never_served_a_cached_page(self, client, published, bob):
        client.get("/")
        client.get("/")
        client.force_login(bob)
        r = client.get("/")
        assert "X-Page-Cache" not in r
        assert 'href="/@bob/"' in r.content.decode()

    def test_anonymous_never_gets_a_page_rendered_for_a_user(self, client, published, bob):
        client.force_login(bob)
        client.get("/")
        client.logout()
        r = client.get("/")
        assert 'href="/@bob/"' not in r.content.decode()

    def test_a_flash_message_is_never_cached(self, client, published):
        from django.contrib.messages import constants
        from django.contrib.messages.storage.base import Message
        from django.contrib.messages.storage.cookie import CookieStorage
        from django.http import HttpRequest

        storage = CookieStorage(HttpRequest())
        client.cookies["messages"] = storage._encode([Message(constants.INFO, "You have signed out.")])
        assert "You have signed out." in client.get("/").content.decode()
        del client.cookies["messages"]
        assert "You have signed out." not in client.get("/").content.decode()


class TestQueryBudget:
    """The same number of queries with 3 posts as with 30."""

    @pytest.mark.parametrize(
        ("url", "budget"),
        [
            ("/", 3),
            ("/tags/t1/", 4),
            ("/@{creator}/", 4),
            ("{post}", 3),  # the post with its creator, its tags, the comment thread
            ("/feed/rss/", 2),
            ("/feed/atom/", 2),
            ("/@{creator}/feed/rss/", 3),
            ("/tags/t1/feed/atom/", 3),
            ("/sitemap.xml", 6),
        ],
    )
    @pytest.mark.parametrize("size", [3, 30])
    def test_fixed_query_count(self, client, django_assert_max_num_queries, url, budget, size):
        make_posts(size)
        post = Post.objects.filter(status="published").select_related("creator").first()
        url = url.format(creator=post.creator.username, post=post.get_absolute_url())
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url", ["/", "/@alice/", "/tags/gardening/", "/feed/rss/", "/sitemap.xml", "/@alice/feed/atom/"]
)
def test_logged_in_readers_get_every_reader_page(client, published, bob, url):
    client.force_login(bob)
    r = client.get(url)
    assert r.status_code == 200
    assert r["ETag"]
    assert "X-Page-Cache" not in r
    assert set(r["Cache-Control"].split(", ")) == {"no-cache", "private"}


def test_anonymous_pages_must_be_revalidated(client, published):
    assert client.get("/")["Cache-Control"] == "no-cache"


def test_becoming_a_creator_refreshes_the_cached_profile(client, bob):
    assert "Reader" in client.get("/@bob/").content.decode()
    with_commit(lambda: account_services.become_creator(user=bob))
    body = client.get("/@bob/").content.decode()
    assert "Creator" in body
    assert 'id="post-list"' in body


def test_with_the_page_cache_off_pages_still_answer_304(client, published, settings):
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get("/")
    assert "X-Page-Cache" not in first
    assert client.get("/")["ETag"] == first["ETag"]
    assert client.get("/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_post_without_subtitle_is_described_by_its_first_words(client, alice):
    post = services.create_post(creator=alice, title="T", content="**First** words of the text. " * 30)
    body = client.get(services.publish_post(post=post, by=alice).get_absolute_url()).content.decode()
    assert '<meta name="description" content="First words of the text. First words' in body
    assert "<strong>" not in body.split("</head>")[0]


def test_head_is_answered_and_post_is_not(client, published):
    assert client.head("/").status_code == 200
    assert client.head(published.get_absolute_url()).status_code == 200
    assert client.post("/").status_code == 405


def test_a_page_with_a_csrf_token_is_never_shared(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from publishing.pagecache import cache_for_anonymous

    @cache_for_anonymous(timeout=60)
    def form_page(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    def visit():
        request = rf.get("/form/")
        request.user = AnonymousUser()
        return form_page(request)

    first, second = visit(), visit()
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second
    assert first.content != second.content
