"""`manage.py rerender_posts`: every post's HTML comes from the current renderer again."""

from io import StringIO

import pytest
from django.core.management import call_command

from posts.models import Post
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_rerenders_every_post_in_batches_and_counts(alice):
    posts = [
        PostFactory(creator=alice, content=f"# Title {i}\n\nsome words here", published=i % 2 == 0) for i in range(7)
    ]
    # Stale HTML from an older renderer, including something it let through.
    Post.objects.update(content_html="<p>old<script>x</script></p>", word_count=0, reading_time=0)
    versions = {p.pk: p.version for p in Post.objects.all()}
    out = StringIO()
    call_command("rerender_posts", "--batch-size", "3", stdout=out)
    assert "Re-rendered 7 posts." in out.getvalue()
    for post in posts:
        post.refresh_from_db()
        assert post.content_html.startswith(f'<h1 id="title-{post.content.split()[2]}">')
        assert "script" not in post.content_html
        assert post.word_count == 5
        assert post.reading_time == 1
        assert post.version == versions[post.pk]


def test_no_posts_is_fine(db):
    out = StringIO()
    call_command("rerender_posts", stdout=out)
    assert "Re-rendered 0 posts." in out.getvalue()


def test_cached_pages_are_invalidated(client, alice):
    post = PostFactory(creator=alice, content="before", published=True)
    client.get(post.get_absolute_url())
    Post.objects.filter(pk=post.pk).update(content="after")
    assert "after" not in client.get(post.get_absolute_url()).content.decode()
    call_command("rerender_posts", stdout=StringIO())
    assert "<p>after</p>" in client.get(post.get_absolute_url()).content.decode()
