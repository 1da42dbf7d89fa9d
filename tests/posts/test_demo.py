"""The demo posts `make run` shows: long, varied, published, idempotent."""

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from posts.models import Post


@pytest.mark.django_db
def test_seed_demo_creates_long_published_posts_once(client):
    call_command("seed_demo", stdout=StringIO())
    posts = list(Post.objects.filter(status=Post.Status.PUBLISHED).select_related("creator"))
    assert len(posts) == 8
    assert {p.creator.username for p in posts} == {"ada", "grace", "linus"}
    for post in posts:
        assert post.word_count >= 1500, (post.title, post.word_count)
        assert "<h2" in post.content_html
        assert "<li>" in post.content_html
        assert post.tags.exists()
    html = " ".join(p.content_html for p in posts)
    assert '<div class="highlight">' in html
    assert "<table>" in html
    assert "<img " in html
    covers = [p for p in posts if p.cover_image]
    assert len(covers) >= 2
    assert all(default_storage.exists(p.cover_image.name) for p in covers)
    assert client.get(covers[0].get_absolute_url()).status_code == 200

    call_command("seed_demo", stdout=StringIO())
    assert Post.objects.count() == 8
