"""In a real browser: the subscribe button swaps in place (HTMX, CSRF, strict CSP), no page load."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from subscriptions.models import Subscription
from tests.conftest import LAUNCH_ARGS


@pytest.fixture
def browser_page() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser.new_context()
        finally:
            browser.close()


@pytest.mark.browser
def test_subscribe_button_toggles_in_place(live_server, browser_page, alice, bob) -> None:
    client = Client()
    client.force_login(bob)
    browser_page.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_page.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{live_server.url}/@alice/")
    page.evaluate("window.__sameDocument = true")

    page.get_by_role("button", name="Subscribe to alice").click()
    page.get_by_role("button", name="Subscribed · Unsubscribe").wait_for()
    assert page.locator(".subscriber-count").inner_text() == "1 subscriber"
    assert Subscription.objects.get(subscriber=bob).status == "active"

    page.get_by_role("button", name="Subscribed · Unsubscribe").click()
    page.get_by_role("button", name="Subscribe to alice").wait_for()
    assert page.locator(".subscriber-count").inner_text() == "0 subscribers"
    assert Subscription.objects.get(subscriber=bob).status == "cancelled"
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, never reloaded
    assert errors == []
