"""The notifications inbox, its nav badge, preferences, the API, and the email through a real worker."""

import pytest
from django.urls import reverse

from comments import services as comments
from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(alice):
    return PostFactory(creator=alice, published=True, title="Spring planting", slug="spring-planting")


def _note(user, n=1, **kw):
    return [
        services.notify(recipient=user, kind="system", title=f"Note {i}", url="/", email=False, **kw) for i in range(n)
    ]


class TestNav:
    def test_the_badge_shows_the_unread_count_in_one_query(self, client, alice, django_assert_max_num_queries):
        _note(alice, 3)
        client.force_login(alice)
        html = client.get("/").content.decode()
        assert "Notifications" in html
        assert '<span class="badge nav-badge" aria-hidden="true">3</span>' in html
        services.mark_read(user=alice)
        html = client.get("/").content.decode()
        assert "nav-badge" not in html

    def test_logged_out_readers_see_no_notifications_link(self, client):
        assert "Notifications" not in client.get("/").content.decode()


class TestInbox:
    def test_the_list_links_each_to_its_target_and_marks_read_on_open(self, client, post, alice, bob):
        comment = comments.post_comment(post=post, user=bob, content="Hello alice")
        note = Notification.objects.get(recipient=alice)
        client.force_login(alice)
        html = client.get(reverse("notifications:list")).content.decode()
        assert "bob commented on “Spring planting”" in html
        assert "notification-unread" in html
        r = client.get(reverse("notifications:open", args=[note.pk]))
        assert r["Location"] == comment.get_absolute_url()
        note.refresh_from_db()
        assert note.read_at is not None

    def test_an_outside_url_is_not_followed(self, client, alice):
        note = services.notify(recipient=alice, kind="system", title="Odd", url="https://evil.example/", email=False)
        client.force_login(alice)
        assert client.get(reverse("notifications:open", args=[note.pk]))["Location"] == reverse("notifications:list")

    def test_someone_elses_notification_is_404(self, client, alice, bob):
        (note,) = _note(alice)
        client.force_login(bob)
        assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404

    def test_mark_all_read(self, client, alice):
        _note(alice, 2)
        client.force_login(alice)
        r = client.post(reverse("notifications:read"), follow=True)
        assert "2 notifications marked as read." in r.content.decode()
        assert not Notification.objects.filter(read_at__isnull=True).exists()

    def test_paginated_in_fixed_queries(self, client, alice, django_assert_max_num_queries):
        client.force_login(alice)
        _note(alice, 3)
        with django_assert_max_num_queries(12) as small:
            client.get(reverse("notifications:list"))
        _note(alice, 40)
        with django_assert_max_num_queries(len(small.captured_queries)):
            r = client.get(reverse("notifications:list"))
        assert r.content.decode().count('<li class="notification') == 20
        assert "Page 1 of 3" in r.content.decode()

    def test_login_required(self, client):
        assert client.get(reverse("notifications:list")).status_code == 302


class TestPreferences:
    def test_the_form_saves_and_stops_the_email(self, client, post, alice, bob):
        client.force_login(alice)
        page = client.get(reverse("notifications:settings")).content.decode()
        assert "Email me when someone comments on my posts" in page
        r = client.post(
            reverse("notifications:settings"), {"email_replies": "on", "email_new_posts": "on"}, follow=True
        )
        assert "Your email preferences are saved." in r.content.decode()
        prefs = NotificationPreference.objects.get(user=alice)
        assert (prefs.email_comments, prefs.email_replies, prefs.email_account) == (False, True, False)


class TestApi:
    def test_list_unread_and_mark_read(self, api_as, api, alice):
        first, second = _note(alice, 2)
        client = api_as(alice)
        body = client.get("/api/v1/notifications").json()
        assert body["count"] == 2
        assert {r["id"] for r in body["results"]} == {str(first.pk), str(second.pk)}
        r = client.post("/api/v1/notifications/read", {"ids": [str(first.pk)]}, format="json")
        assert r.json() == {"marked": 1}
        unread = client.get("/api/v1/notifications", {"unread": "true"}).json()["results"]
        assert [n["id"] for n in unread] == [str(second.pk)]
        assert client.post("/api/v1/notifications/read", {}, format="json").json() == {"marked": 1}

    def test_errors_in_the_envelope(self, api_as, api, alice, bob):
        (note,) = _note(alice)
        r = api.get("/api/v1/notifications")
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"
        r = api_as(alice).post("/api/v1/notifications/read", {"ids": ["nope"]}, format="json")
        assert r.status_code == 400
        assert "ids" in r.json()["field_errors"]
        # Someone else's ids change nothing.
        assert api_as(bob).post("/api/v1/notifications/read", {"ids": [str(note.pk)]}, format="json").json() == {
            "marked": 0
        }


def test_the_api_list_runs_fixed_queries(api_as, alice, django_assert_max_num_queries):
    client = api_as(alice)
    _note(alice, 2)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/v1/notifications")
    _note(alice, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get("/api/v1/notifications")
    assert r.json()["count"] == 32
    assert len(r.json()["results"]) == 20


def test_the_settings_page_links_to_notification_settings(client, bob):
    client.force_login(bob)
    assert reverse("notifications:settings") in client.get(reverse("accounts:settings")).content.decode()


class TestManyAtOnce:
    def test_each_recipient_sees_it_in_their_inbox_once_however_often_it_runs(self, client, alice, bob, carol):
        for _ in range(2):  # a retried job
            services.notify_in_app_many(
                recipient_ids=[bob.pk, carol.pk, alice.pk],
                kind=Notification.Kind.NEW_POST,
                title="alice published “Spring planting”",
                url="/alice/spring-planting/",
                actor=alice,
                dedupe_prefix="newpost:p1",
            )
        assert not Notification.objects.filter(recipient=alice).exists()  # not told of her own post
        for reader in (bob, carol):
            client.force_login(reader)
            html = client.get(reverse("notifications:list")).content.decode()
            assert html.count("alice published “Spring planting”") == 1
        assert Notification.objects.count() == 2
