"""Finding one's way: the dashboard sections, every settings page from the index, the editor's analytics link."""

import re

import pytest
from django.urls import reverse

from notifications import services as notifications
from notifications.models import Notification
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

DASHBOARD = {
    "posts": "/dashboard/posts/",
    "analytics": "/dashboard/analytics/",
    "subscribers": "/dashboard/subscribers/",
    "comments": "/dashboard/comments/",
}


def dashboard_nav(html: str) -> str:
    match = re.search(r'<nav class="dashboard-nav" aria-label="Dashboard">(.*?)</nav>', html, re.S)
    assert match, "the dashboard sub-navigation is on the page"
    return match.group(1)


@pytest.mark.parametrize("section", DASHBOARD)
def test_every_dashboard_page_links_the_others_and_marks_itself(client, alice, section):
    client.force_login(alice)
    nav = dashboard_nav(client.get(DASHBOARD[section]).content.decode())
    for url in DASHBOARD.values():
        assert f'href="{url}"' in nav
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert current == [DASHBOARD[section]]


def test_a_posts_analytics_page_is_under_analytics(client, alice):
    post = PostFactory(creator=alice, published=True)
    client.force_login(alice)
    nav = dashboard_nav(client.get(reverse("analytics:post", args=[post.pk])).content.decode())
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', nav) == ["/dashboard/analytics/"]


def test_the_editor_of_a_published_post_links_its_analytics(client, alice):
    post = PostFactory(creator=alice, published=True)
    draft = PostFactory(creator=alice)
    client.force_login(alice)
    analytics = reverse("analytics:post", args=[post.pk])
    assert f'href="{analytics}"' in client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    assert "/dashboard/analytics/posts/" not in client.get(reverse("posts:edit", args=[draft.pk])).content.decode()


def test_settings_index_links_every_settings_page(client, alice, bob):
    pages = ["/settings/profile/", "/accounts/password/change/", "/accounts/email/", "/settings/notifications/",
             "/settings/subscriptions/"]  # fmt: skip
    client.force_login(alice)
    html = client.get("/settings/").content.decode()
    for url in [*pages, "/settings/connections/"]:
        assert f'href="{url}"' in html, url
        assert client.get(url).status_code == 200, url
    client.force_login(bob)
    html = client.get("/settings/").content.decode()
    for url in pages:
        assert f'href="{url}"' in html, url
    assert 'href="/settings/connections/"' not in html, "social accounts are for creators"


def test_the_unread_count_sits_next_to_the_menu_toggle(client, alice, bob):
    for n in range(3):
        kind = Notification.Kind.COMMENT
        notifications.notify(recipient=alice, kind=kind, title=f"Comment {n}", url="/", email=False)
    client.force_login(alice)
    html = client.get("/settings/").content.decode()
    badge = re.search(r'<a class="nav-phone-badge" href="/notifications/" aria-label="Notifications, 3 unread">', html)
    assert badge
    assert html.index("nav-phone-badge") < html.index('class="nav-toggle-label"')
    client.force_login(bob)
    assert "nav-phone-badge" not in client.get("/settings/").content.decode()


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/password/change/"])
def test_account_pages_lead_back_to_settings(client, bob, url):
    client.force_login(bob)
    html = client.get(url).content.decode()
    assert '<a href="/settings/">← All settings</a>' in html
