"""/dashboard/posts/: the creator's own posts by status, with counts, paginated, in fixed queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from posts.models import Post
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db
URL = reverse("posts:dashboard")


def make_posts(creator, n: int) -> None:
    statuses = [Post.Status.DRAFT, Post.Status.PUBLISHED, Post.Status.SCHEDULED]
    for i in range(n):
        status = statuses[i % 3]
        PostFactory(creator=creator, status=status, published=status == Post.Status.PUBLISHED)


def test_tabs_show_counts_and_only_my_posts(client, alice, carol) -> None:
    make_posts(alice, 7)  # 3 drafts, 2 published, 2 scheduled
    PostFactory(creator=carol, title="Carol's secret draft")
    client.force_login(alice)
    r = client.get(URL)
    assert r.status_code == 200
    html = r.text
    for label, count in [("All", 7), ("Draft", 3), ("Published", 2), ("Scheduled", 2)]:
        assert f'{label} <span class="count">{count}</span>' in html
    assert "Carol's secret draft" not in html


def test_filter_by_status(client, alice) -> None:
    PostFactory(creator=alice, title="Still drafting")
    PostFactory(creator=alice, title="Out in the world", published=True)
    client.force_login(alice)
    r = client.get(URL, {"status": "published"})
    assert "Out in the world" in r.text
    assert "Still drafting" not in r.text
    assert 'aria-current="page" class="tab-current">Published' in r.text


def test_rows_link_to_edit_view_and_revisions(client, alice) -> None:
    post = PostFactory(creator=alice, published=True)
    client.force_login(alice)
    html = client.get(URL).text
    assert reverse("posts:edit", kwargs={"pk": post.pk}) in html
    assert post.get_absolute_url() in html
    assert reverse("posts:revisions", kwargs={"pk": post.pk}) in html


def test_paginated(client, alice) -> None:
    make_posts(alice, 25)
    client.force_login(alice)
    first = client.get(URL)
    assert first.text.count('<tr>\n      <td><a href="/write/') == 20
    assert "Page 1 of 2" in first.text
    second = client.get(URL, {"page": 2})
    assert second.text.count('<tr>\n      <td><a href="/write/') == 5


def test_readers_are_told_how_to_become_a_creator(client, bob) -> None:
    client.force_login(bob)
    r = client.get(URL)
    assert r.status_code == 403
    assert "Become a creator" in r.text


@pytest.mark.parametrize("n", [3, 40])
def test_query_count_does_not_grow_with_posts(client, alice, django_assert_max_num_queries, n) -> None:
    make_posts(alice, n)
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        r = client.get(URL)
    assert r.status_code == 200
