"""A person in a real browser: signs up as a creator, edits the bio in place."""

from __future__ import annotations

import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_creator_signs_up_and_edits_the_bio_without_a_reload(live_server, page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email").fill("june@example.com")
    page.get_by_label("Username").fill("june")
    page.get_by_label("Password:", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-42")
    page.get_by_label("Write and publish").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(lambda url: "/signup" not in url)
    assert User.objects.get(username="june").role == User.Role.CREATOR

    page.goto(f"{live_server.url}/@june/")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.get_by_role("link", name="Edit profile").click()
    bio = page.get_by_label("Bio")
    bio.fill("I write about rivers.")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_test_id("bio").get_by_text("I write about rivers.").wait_for()

    assert page.evaluate("window.__sameDocument") is True
    assert User.objects.get(username="june").bio == "I write about rivers."
    assert errors == []
