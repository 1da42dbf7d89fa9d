"""The editor panel's live character count, in a real Chromium under the site's strict CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.accounts.factories import PASSWORD
from tests.conftest import LAUNCH_ARGS
from tests.posts.factories import PostFactory


@pytest.fixture
def page() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.mark.browser
def test_the_character_count_follows_typing_and_warns_over_the_limit(live_server, page, alice, connect) -> None:
    connect("mastodon")  # the fake instance allows 1000 characters: 975 for the text
    post = PostFactory(creator=alice, title="Bulbs")
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/write/{post.pk}/")

    box = page.locator("#cp-text-mastodon")
    counter = page.locator("#cp-count-mastodon [data-crosspost-count]")
    assert counter.inner_text() == "5"
    box.fill("Tulips 🌷")
    assert counter.inner_text() == "8"  # the emoji is one character, as people count
    box.evaluate("el => el.removeAttribute('maxlength')")
    box.fill("x" * 980)
    assert counter.inner_text() == "980"
    assert "over-limit" in (page.locator("#cp-count-mastodon").get_attribute("class") or "")
    assert problems == []  # no CSP violation, no script error

    box.fill("Bulbs, now")
    page.get_by_role("button", name="Save cross-post choices").click()
    page.get_by_text("Cross-post choices saved.").wait_for(timeout=10_000)
    assert counter.inner_text() == "10"  # the swapped-in panel is counted again

    from crossposting.models import CrossPost

    assert CrossPost.objects.get(post=post, network="mastodon").text == "Bulbs, now"
    assert problems == []
