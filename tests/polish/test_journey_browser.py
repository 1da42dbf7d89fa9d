"""The whole loop in a real browser, with the real worker and a real SMTP server: a reader subscribes,
the creator publishes from the editor, the email arrives with the link, the reader reads and comments,
and the creator sees the unread badge (on a phone too, beside the Menu toggle)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from comments.models import Comment
from notifications.models import Notification
from subscriptions.models import Subscription
from tests.accounts.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def log_in(browser, live_server, user, *, viewport=None):
    context = browser.new_context(viewport=viewport) if viewport else browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    return page, problems


def test_subscribe_publish_email_read_comment_badge(live_server, browser, jobs, smtp_server, settings, alice, bob):
    settings.SITE_URL = live_server.url

    # The reader, on a phone, subscribes from the creator's page.
    reader, reader_problems = log_in(browser, live_server, bob, viewport=PHONE)
    reader.goto(f"{live_server.url}/@alice/")
    reader.get_by_role("button", name="Subscribe to alice").click()
    reader.get_by_role("button", name="Subscribed · Unsubscribe").wait_for()
    assert Subscription.objects.get(subscriber=bob, creator=alice).is_active

    # The creator writes and publishes in the editor.
    creator, creator_problems = log_in(browser, live_server, alice)
    creator.goto(f"{live_server.url}/write/")
    creator.wait_for_url(re.compile(r"/write/[0-9a-f-]{36}/$"))
    creator.fill("#id_title", "First frost")
    creator.locator(".CodeMirror").click()
    creator.keyboard.type("Cover the dahlias tonight.\n\nThe forecast says minus two.")
    creator.locator("#editor-form[data-save-state=saved]").wait_for(timeout=15_000)
    creator.get_by_role("button", name="Publish now").click()
    creator.wait_for_url(re.compile(r"/@alice/first-frost/$"))

    # The worker sends the new-post email; it reaches the SMTP server with the post's link.
    jobs.drain()
    mails = smtp_server.to(bob.email)
    assert len(mails) == 1
    assert mails[0]["Subject"].startswith("First frost")
    text = mails[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"{re.escape(live_server.url)}/\S+", text.split("Read it on")[1]).group(0)
    assert urlsplit(link).path == "/@alice/first-frost/"
    assert "utm_medium=email" in urlsplit(link).query  # the email's link counts as an email click

    # The reader follows the link, reads, and comments.
    reader.goto(link)
    assert reader.locator("h1", has_text="First frost").is_visible()
    assert reader.locator(".prose", has_text="Cover the dahlias tonight.").is_visible()
    reader.fill("#comment-form-content", "Thanks, covering mine now!")
    reader.get_by_role("button", name="Post comment").click()
    reader.locator(".comment-body", has_text="covering mine now").wait_for()
    assert Comment.objects.filter(post__slug="first-frost", user=bob).count() == 1
    jobs.drain()

    # The creator sees the badge: in the desktop nav, and beside the Menu toggle on a phone.
    unread = Notification.objects.filter(recipient=alice, read_at__isnull=True)
    assert unread.filter(kind=Notification.Kind.COMMENT).exists()
    creator.goto(f"{live_server.url}/dashboard/posts/")
    badge = creator.locator(".nav-links .nav-badge")
    assert badge.is_visible()
    assert badge.inner_text() == str(unread.count())
    assert not creator.locator(".nav-phone-badge").is_visible()
    assert creator.locator("text=1 comment").is_visible()  # the dashboard's comment count

    phone = creator.context.browser.new_context(viewport=PHONE)
    phone.add_cookies(creator.context.cookies())
    creator_phone = phone.new_page()
    creator_phone.goto(f"{live_server.url}/dashboard/posts/")
    phone_badge = creator_phone.locator(".nav-phone-badge")
    assert phone_badge.is_visible()
    assert phone_badge.inner_text() == str(unread.count())
    assert creator_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_badge.click()
    creator_phone.wait_for_url("**/notifications/")
    assert creator_phone.locator(".notification", has_text="bob").first.is_visible()

    assert reader_problems == []
    assert creator_problems == []
