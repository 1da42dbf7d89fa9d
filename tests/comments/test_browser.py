"""One real browser run: a reader comments and replies in place; the creator answers, marked "Author"."""

from collections.abc import Iterator

import pytest

from comments import services
from comments.models import Comment
from tests.accounts.factories import PASSWORD
from tests.conftest import LAUNCH_ARGS
from tests.posts.factories import PostFactory


@pytest.fixture
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _log_in(browser, live_server, user, next_url):
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{next_url}")
    return page, problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_comments_and_replies_in_place_and_the_creator_answers_as_author(live_server, browser, alice, bob):
    post = PostFactory(creator=alice, published=True, title="Spring planting", slug="spring-planting")
    question = services.post_comment(post=post, user=alice, content="Ask me anything about tulips.")
    post_url = post.get_absolute_url()

    page, problems = _log_in(browser, live_server, bob, post_url)
    page.evaluate("window.__noReload = true")
    page.fill("#comment-form-content", "Lovely post, *thank you*!")
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment-body em", has_text="thank you").wait_for()

    alice_comment = page.locator(f"#comment-{question.pk}")
    alice_comment.get_by_role("link", name="Reply").first.click()
    alice_comment.locator(f"#reply-{question.pk}-content").fill("When do I plant them?")
    alice_comment.get_by_role("button", name="Reply").click()
    page.locator(f"#comment-{question.pk} .comment-replies", has_text="When do I plant them?").wait_for()
    assert page.evaluate("window.__noReload") is True  # in place: no page load happened
    assert page.locator("#comments-title").inner_text() == "3 comments"
    assert problems == []

    bobs_reply = Comment.objects.get(content="When do I plant them?")
    alice_page, alice_problems = _log_in(browser, live_server, alice, post_url)
    reply_box = alice_page.locator(f"#comment-{bobs_reply.pk}")
    reply_box.get_by_role("link", name="Reply").first.click()
    reply_box.locator(f"#reply-{bobs_reply.pk}-content").fill("In autumn, before the frost.")
    reply_box.get_by_role("button", name="Reply").click()
    answer = alice_page.locator(f"#comment-{bobs_reply.pk} .comment-replies li").first
    answer.locator(".comment-body", has_text="In autumn").wait_for()
    assert alice_problems == []

    page.reload()
    answer = page.locator(".comment", has_text="In autumn, before the frost.").last
    assert answer.locator(".comment-meta .badge").first.inner_text() == "Author"
    assert answer.locator(".comment-author").first.inner_text() == "alice"
