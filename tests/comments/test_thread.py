"""The thread under a post page: nesting, placeholders, badges, order, and a fixed query budget."""

import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment
from publishing import pagecache
from tests.accounts.factories import UserFactory
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db


def _page(client, post, **params):
    return client.get(post.get_absolute_url(), params)


def test_replies_nest_three_levels_then_continue_this_thread(client, post, bob, carol):
    c1 = services.post_comment(post=post, user=bob, content="Level one")
    c2 = services.post_comment(post=post, user=carol, content="Level two", parent=c1)
    c3 = services.post_comment(post=post, user=bob, content="Level three", parent=c2)
    c4 = CommentFactory(post=post, user=carol, parent=c3, content="Level four", content_html="<p>Level four</p>")
    html = _page(client, post).content.decode()
    for text in ("Level one", "Level two", "Level three"):
        assert text in html
    assert "Level four" not in html
    assert f'href="/comments/{c3.pk}/">Continue this thread' in html
    # The permalink page shows the rest, nested from the top.
    detail = client.get(reverse("comments:detail", args=[c3.pk])).content.decode()
    assert "Level three" in detail
    assert "Level four" in detail
    assert f'id="comment-{c4.pk}"' in detail


def test_a_removed_comment_with_replies_stays_as_a_placeholder(client, post, bob, carol, staff):
    parent = services.post_comment(post=post, user=bob, content="Something awful")
    services.post_comment(post=post, user=carol, content="The reply stays readable", parent=parent)
    lonely = services.post_comment(post=post, user=bob, content="Awful and alone")
    services.remove_comment(comment=parent, by=staff)
    services.remove_comment(comment=lonely, by=staff)
    html = _page(client, post).content.decode()
    assert "Something awful" not in html
    assert "Awful and alone" not in html
    assert html.count("[removed]") == 1
    assert "The reply stays readable" in html
    assert "1 comment" in html


def test_the_creators_comments_carry_the_author_badge(client, post, alice, bob):
    question = services.post_comment(post=post, user=bob, content="A question")
    services.post_comment(post=post, user=alice, content="An answer", parent=question)
    html = _page(client, post).content.decode()
    answer = html[html.index("An answer") - 900 : html.index("An answer")]
    assert ">Author</span>" in answer
    assert html.count(">Author</span>") == 1


def test_newest_or_oldest_first_with_an_htmx_swap_and_a_link_fallback(client, post, bob):
    services.post_comment(post=post, user=bob, content="Early bird")
    services.post_comment(post=post, user=bob, content="Late comer")
    oldest = _page(client, post).content.decode()
    assert oldest.index("Early bird") < oldest.index("Late comer")
    newest = _page(client, post, comments="newest").content.decode()
    assert newest.index("Late comer") < newest.index("Early bird")
    assert f'href="{post.get_absolute_url()}?comments=newest#comments"' in oldest
    partial = client.get(
        reverse("comments:thread", args=[post.pk]), {"comments": "newest"}, headers={"HX-Request": "true"}
    )
    body = partial.content.decode()
    assert "<html" not in body
    assert body.index("Late comer") < body.index("Early bird")
    # Without htmx, the thread URL sends the reader to the post page in that order.
    plain = client.get(reverse("comments:thread", args=[post.pk]), {"comments": "newest"})
    assert plain.status_code == 302
    assert plain["Location"].endswith("?comments=newest#comments")


def test_logged_out_readers_see_the_thread_and_a_login_link_back_here(client, post, bob):
    services.post_comment(post=post, user=bob, content="Visible to all")
    html = _page(client, post).content.decode()
    assert "Visible to all" in html
    assert "Log in to comment" in html
    login = re.search(r'href="([^"]+)">Log in to comment', html).group(1)
    url = urlsplit(html_unescape(login))
    assert url.path == reverse("account_login")
    assert parse_qs(url.query)["next"] == [f"{post.get_absolute_url()}#comments"]
    assert "<textarea" not in html
    assert "csrfmiddlewaretoken" not in html


def test_hidden_comments_vanish_for_readers_but_the_creator_sees_them_to_unhide(client, post, alice, bob):
    comment = services.post_comment(post=post, user=bob, content="Off-topic rant")
    services.hide_comment(comment=comment, by=alice)
    assert "Off-topic rant" not in _page(client, post).content.decode()
    client.force_login(alice)
    html = _page(client, post).content.decode()
    assert "Off-topic rant" in html
    assert "Hidden from readers" in html
    assert reverse("comments:unhide", args=[comment.pk]) in html


def test_edited_comments_are_marked(client, post, bob):
    comment = services.post_comment(post=post, user=bob, content="Typo")
    services.edit_comment(comment=comment, by=bob, content="Fixed")
    assert "(edited)" in _page(client, post).content.decode()


def _thread_of(post, n):
    users = [UserFactory() for _ in range(5)]
    rows, parents = [], []
    for i in range(n):
        parent = parents[i // 3] if i >= 3 and i % 4 else None
        rows.append(
            Comment(
                post=post,
                user=users[i % 5],
                parent=parent,
                content=f"c{i}",
                content_html=f"<p>c{i}</p>",
            )
        )
        Comment.objects.bulk_create(rows[-1:])
        parents.append(rows[-1])
    pagecache.invalidate()  # rows written behind the services' back: forget cached pages as they would
    return rows


@pytest.mark.parametrize("viewer", ["anonymous", "bob", "alice"])
def test_a_thread_renders_in_the_same_number_of_queries_for_50_or_500_comments(
    client, post, alice, bob, django_assert_max_num_queries, viewer
):
    if viewer != "anonymous":
        client.force_login({"bob": bob, "alice": alice}[viewer])
    counts = []
    for n in (50, 450):
        _thread_of(post, n)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = _page(client, post)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # post + tags + ONE for all comments; logged in adds session, user, ban check and the nav's unread count,
    # and the subscribe button: the creator's subscriber count, and for a reader whether they subscribe.
    budget = {"anonymous": 3, "alice": 8, "bob": 9}[viewer]
    assert counts[1] <= budget, counts
    assert Comment.objects.filter(post=post).count() == 500
    with django_assert_max_num_queries(counts[1]):
        _page(client, post)
    assert len(re.findall(r'class="comment[ "]', response.content.decode())) > 100


def test_post_cards_get_their_comment_counts_in_one_query(post, alice, bob, django_assert_num_queries):
    from django.template import Context, Template

    from tests.posts.factories import PostFactory

    other = PostFactory(creator=alice, published=True)
    services.post_comment(post=post, user=bob, content="One")
    services.post_comment(post=post, user=bob, content="Two")
    template = Template(
        "{% load comments_tags %}{% comment_counts posts as counts %}"
        "{% for p in posts %}[{{ p.slug }}:{{ counts|count_for:p }}]{% endfor %}"
    )
    with django_assert_num_queries(1):
        out = template.render(Context({"posts": [post, other]}))
    assert f"[{post.slug}:2]" in out
    assert f"[{other.slug}:0]" in out


def test_names_in_the_thread_are_escaped_and_only_the_sanitised_text_is_markup(client, post, bob):
    bob.first_name, bob.last_name = '<img src=x onerror="alert(1)">', "Bob"
    bob.save()
    services.post_comment(post=post, user=bob, content="Plain *emphasis*")
    html = _page(client, post).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Bob" in html
    assert "<em>emphasis</em>" in html
