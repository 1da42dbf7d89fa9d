"""Staff moderate comments in the Django admin: filters, search, bulk actions, bans."""

import pytest
from django.test import Client

from comments import services
from comments.models import Comment, CommentBan
from publishing import pagecache

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def admin(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def comments(post, bob, carol):
    nice = services.post_comment(post=post, user=bob, content="Nice gardening")
    spam = services.post_comment(post=post, user=carol, content="Cheap pills here")
    services.report_comment(comment=spam, by=bob, reason="Spam")
    return nice, spam


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {c.content for c in response.context["cl"].result_list}


def test_filters_and_search(admin, comments, carol):
    nice, _spam = comments
    assert listed(admin.get(CHANGELIST, {"reported": "yes"})) == {"Cheap pills here"}
    assert listed(admin.get(CHANGELIST, {"reported": "no"})) == {"Nice gardening"}
    assert listed(admin.get(CHANGELIST, {"q": "pills"})) == {"Cheap pills here"}
    assert listed(admin.get(CHANGELIST, {"user__id__exact": str(carol.pk)})) == {"Cheap pills here"}
    services.hide_comment(comment=nice, by=nice.post.creator)
    assert listed(admin.get(CHANGELIST, {"status__exact": "hidden"})) == {"Nice gardening"}
    assert listed(admin.get(CHANGELIST, {"post__id__exact": str(nice.post_id)})) == {
        "Nice gardening",
        "Cheap pills here",
    }


def _act(admin, action, *comments):
    return admin.post(CHANGELIST, {"action": action, "_selected_action": [str(c.pk) for c in comments]}, follow=True)


def test_bulk_remove_restore_and_hide(admin, comments):
    nice, spam = comments
    before = pagecache.current_version()
    r = _act(admin, "remove_selected", nice, spam)
    assert "2 comments removed" in r.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {"removed"}
    assert pagecache.current_version() > before
    _act(admin, "restore_selected", nice, spam)
    assert set(Comment.objects.values_list("status", flat=True)) == {"visible"}
    _act(admin, "hide_selected", spam)
    spam.refresh_from_db()
    assert spam.status == "hidden"


def test_ban_the_writer_stops_them_commenting(admin, comments, carol, post):
    _, spam = comments
    r = _act(admin, "ban_writers", spam)
    assert "1 user banned" in r.content.decode()
    assert CommentBan.objects.get().user == carol
    with pytest.raises(services.CommentError):
        services.post_comment(post=post, user=carol, content="Still here?")


def test_the_admin_lists_in_fixed_queries(admin, comments, django_assert_max_num_queries, post, bob):
    with django_assert_max_num_queries(20) as small:
        admin.get(CHANGELIST)
    from tests.comments.factories import CommentFactory

    CommentFactory.create_batch(40, post=post)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin.get(CHANGELIST)


def test_readers_cannot_reach_the_admin(client, bob):
    client.force_login(bob)
    assert client.get(CHANGELIST).status_code == 302


def test_adding_a_ban_in_the_admin_goes_through_the_service(admin, bob, staff, post):
    r = admin.post("/admin/comments/commentban/add/", {"user": str(bob.pk), "reason": "Trolling"}, follow=True)
    assert r.status_code == 200
    ban = CommentBan.objects.get(user=bob)
    assert ban.banned_by == staff
    assert ban.reason == "Trolling"
    with pytest.raises(services.CommentError):
        services.post_comment(post=post, user=bob, content="Let me in")
