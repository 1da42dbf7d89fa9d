"""One real-browser walk through the editor: write, paste an image, preview, autosave, reload, publish, read."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest

from posts.models import Post
from tests.accounts.factories import PASSWORD
from tests.conftest import LAUNCH_ARGS
from tests.uploads.images import png

pytestmark = pytest.mark.browser

PASTE_IMAGE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const file = new File([bytes], "tomato-bed.png", { type: "image/png" });
  const data = new DataTransfer();
  data.items.add(file);
  const target = document.querySelector(".CodeMirror textarea");
  target.focus();
  target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_a_creator_writes_pastes_an_image_and_publishes_and_a_reader_sees_it(live_server, browser, alice) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside: list[str] = []
    page.on("request", lambda req: req.url.startswith((live_server.url, "data:", "blob:")) or outside.append(req.url))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "alice@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/write/")
    page.wait_for_url(re.compile(r"/write/[0-9a-f-]{36}/$"))
    page.fill("#id_title", "Growing tomatoes")
    page.locator(".CodeMirror").click()
    page.keyboard.type("# Planting day\n\nStart with good soil.\n\n")
    page.evaluate(PASTE_IMAGE, base64.b64encode(png(320, 240)).decode())

    preview = page.locator("#preview-body")
    preview.locator("h1", has_text="Planting day").wait_for(timeout=15_000)
    preview.locator("img[alt=tomato-bed]").wait_for(timeout=15_000)
    page.locator("#editor-form[data-save-state=saved]").wait_for(timeout=15_000)
    assert re.fullmatch(r"Saved at \d\d:\d\d", page.inner_text("#save-status"))

    page.reload()
    text = page.evaluate("() => window.inkwellEditor.value()")
    assert "# Planting day" in text
    assert "![tomato-bed](/media/images/" in text
    assert page.input_value("#id_title") == "Growing tomatoes"
    post = Post.objects.get(creator=alice)
    assert "![tomato-bed](" in post.content  # on the server, not only in this browser's backup

    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(re.compile(r"/@alice/growing-tomatoes/$"))
    post_url = page.url

    reader = browser.new_context().new_page()
    reader.goto(post_url)
    assert reader.locator(".prose h1", has_text="Planting day").is_visible()
    image = reader.locator(".prose img[alt=tomato-bed]")
    assert image.is_visible()
    assert reader.evaluate("() => document.querySelector('.prose img').naturalWidth") == 320

    assert outside == []
    assert problems == []
