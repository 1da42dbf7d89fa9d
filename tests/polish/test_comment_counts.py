"""Post cards say how many comments a post has, counted in the page's one post query."""

import pytest

from comments import services
from comments.models import Comment
from posts import services as post_services
from tests.comments.factories import CommentFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussed(alice, bob, carol):
    post = PostFactory(creator=alice, title="Much discussed", published=True)
    post_services.set_tags(post=post, names=["Gardening"])
    first = services.post_comment(post=post, user=bob, content="First!")
    services.post_comment(post=post, user=carol, content="A reply", parent=first)
    CommentFactory(post=post, user=carol, status=Comment.Status.HIDDEN)  # hidden ones are not counted
    quiet = PostFactory(creator=alice, title="Nobody said anything", published=True)
    post_services.set_tags(post=quiet, names=["Gardening"])
    return post


@pytest.mark.parametrize("url", ["/", "/tags/gardening/", "/@alice/"])
def test_reader_pages_show_the_visible_comment_count(client, discussed, url):
    html = client.get(url).content.decode()
    assert f'href="{discussed.get_absolute_url()}#comments">2 comments</a>' in html
    assert "0 comments" not in html


def test_feed_shows_comment_counts(client, bob, discussed):
    from subscriptions import services as subs

    subs.subscribe(subscriber=bob, creator=discussed.creator)
    client.force_login(bob)
    assert ">2 comments</a>" in client.get("/feed/").content.decode()


def test_dashboard_lists_comment_counts(client, alice, discussed):
    client.force_login(alice)
    html = client.get("/dashboard/posts/").content.decode()
    assert ">2 comments</a>" in html
    assert "No comments" in html


@pytest.mark.parametrize("url", ["/", "/tags/gardening/", "/@alice/"])
def test_counts_add_no_query_per_post(client, alice, bob, discussed, url, django_assert_max_num_queries):
    for _ in range(15):
        CommentFactory(post=PostFactory(creator=alice, published=True), user=bob)
    # Same budgets as tests/posts/test_views_reader.py: the count rides in the post query.
    with django_assert_max_num_queries(3 if url == "/" else 4):
        assert client.get(url).status_code == 200
