"""The editor: who may write, autosave and version conflicts, preview, publishing flows, revisions."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from posts import services
from posts.models import Post, PostRevision
from posts.rendering import render_post
from tests.uploads.images import png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice):
    return services.create_post(creator=alice, title="Tomatoes", content="# Soil\n\nStart with soil.", tags=["garden"])


def edit_url(post: Post, name: str = "edit", **kw) -> str:
    return reverse(f"posts:{name}", kwargs={"pk": post.pk, **kw})


def form_data(post: Post, **overrides) -> dict:
    data = {
        "title": post.title,
        "subtitle": post.subtitle,
        "content": post.content,
        "tags": "garden",
        "comments_enabled": "on",
        "version": post.version,
    }
    data.update(overrides)
    return data


class TestWhoMayWrite:
    def test_anonymous_is_sent_to_log_in(self, client, draft) -> None:
        for url in [reverse("posts:write"), edit_url(draft), reverse("posts:dashboard")]:
            r = client.get(url)
            assert r.status_code == 302, url
            assert reverse("account_login") in r["Location"], url

    def test_a_reader_is_told_how_to_become_a_creator(self, client, bob) -> None:
        client.force_login(bob)
        r = client.get(reverse("posts:write"))
        assert r.status_code == 403
        assert "Become a creator" in r.text
        assert reverse("accounts:settings") in r.text
        assert not Post.objects.exists()

    def test_write_opens_a_new_draft_and_reuses_an_untouched_one(self, client, alice) -> None:
        client.force_login(alice)
        r = client.get(reverse("posts:write"))
        post = Post.objects.get()
        assert r.status_code == 302
        assert r["Location"] == edit_url(post)
        assert post.status == Post.Status.DRAFT
        assert post.creator == alice
        client.get(reverse("posts:write"))
        assert Post.objects.count() == 1

    def test_someone_elses_draft_is_a_404_everywhere(self, client, carol, draft) -> None:
        client.force_login(carol)
        assert client.get(edit_url(draft)).status_code == 404
        assert client.post(edit_url(draft, "autosave"), form_data(draft, content="mine")).status_code == 404
        assert client.post(edit_url(draft, "publish")).status_code == 404
        assert client.get(edit_url(draft, "revisions")).status_code == 404
        assert client.post(edit_url(draft, "delete")).status_code == 404
        draft.refresh_from_db()
        assert draft.content.startswith("# Soil")
        assert draft.status == Post.Status.DRAFT

    def test_the_editor_page_has_the_form_preview_and_no_inline_script(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.get(edit_url(draft))
        assert r.status_code == 200
        html = r.text
        assert 'name="version" value="1"' in html
        assert 'id="preview-body"' in html
        assert "<h1" in html
        assert "vendor/easymde/easymde.min.js" in html
        assert "js/editor.js" in html
        assert "cdn" not in html.lower()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)


class TestAutosave:
    def test_autosave_saves_and_returns_the_new_version(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.post(edit_url(draft, "autosave"), form_data(draft, content="## New\n\ntext", tags="garden, Soil"))
        assert r.status_code == 200
        assert r.json()["version"] == 2
        assert r.json()["saved_at"]
        draft.refresh_from_db()
        assert draft.content == "## New\n\ntext"
        assert "<h2" in draft.content_html
        assert sorted(t.name for t in draft.tags.all()) == ["Soil", "garden"]
        assert not draft.revisions.exists()  # autosave keeps no revision; an explicit save does

    def test_a_stale_tab_gets_409_and_overwrites_nothing(self, client, alice, draft) -> None:
        client.force_login(alice)
        first = client.post(edit_url(draft, "autosave"), form_data(draft, content="from tab one"))
        assert first.status_code == 200
        stale = client.post(edit_url(draft, "autosave"), form_data(draft, content="from tab two", version=1))
        assert stale.status_code == 409
        assert stale.json()["code"] == "version_conflict"
        assert "changed somewhere else" in stale.json()["detail"]
        draft.refresh_from_db()
        assert draft.content == "from tab one"

    def test_explicit_save_keeps_a_revision_and_a_stale_one_shows_the_conflict(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.post(edit_url(draft), form_data(draft, title="Tomatoes, grown"))
        assert r.status_code == 302
        assert draft.revisions.get().title == "Tomatoes, grown"
        r = client.post(edit_url(draft), form_data(draft, title="Old tab", version=1))
        assert r.status_code == 409
        assert "changed somewhere else" in r.text
        assert 'value="Old tab"' in r.text  # input kept
        draft.refresh_from_db()
        assert draft.title == "Tomatoes, grown"

    def test_a_published_post_is_updated_explicitly_not_autosaved(
        self, client, alice, draft, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=False):
            draft = services.publish_post(post=draft, by=alice)
        client.force_login(alice)
        page = client.get(edit_url(draft))
        assert 'data-autosave="off"' in page.text
        assert "Update</button>" in page.text
        r = client.post(edit_url(draft), form_data(draft, content="# Soil\n\nNow with compost."), follow=True)
        assert "Updated: readers see the change now." in r.text
        draft.refresh_from_db()
        assert "compost" in draft.content_html
        assert draft.revisions.filter(reason=PostRevision.Reason.EDIT, content__contains="compost").exists()


class TestPreview:
    def test_preview_is_the_renderer_output(self, client, alice, draft) -> None:
        client.force_login(alice)
        text = "# Hello\n\n```python\nprint('x')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        r = client.post(edit_url(draft, "preview"), {"content": text}, headers={"HX-Request": "true"})
        assert r.status_code == 200
        assert r.text == f'<div id="preview-body" class="prose">{render_post(text).html}</div>'
        assert "<table>" in r.text
        assert 'class="highlight"' in r.text

    def test_preview_strips_scripts_and_javascript_links(self, client, alice, draft) -> None:
        client.force_login(alice)
        text = '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">'
        r = client.post(edit_url(draft, "preview"), {"content": text})
        assert "<script" not in r.text
        assert "javascript:" not in r.text
        assert "onerror" not in r.text


class TestPublishing:
    def test_publish_now_redirects_to_the_post_page(self, client, alice, draft, django_capture_on_commit_callbacks):
        client.force_login(alice)
        with django_capture_on_commit_callbacks(execute=False):
            r = client.post(edit_url(draft, "publish"), follow=True)
        draft.refresh_from_db()
        assert draft.status == Post.Status.PUBLISHED
        assert r.redirect_chain[-1][0] == draft.get_absolute_url()
        assert "Published" in r.text

    def test_publishing_an_empty_draft_says_why(self, client, alice) -> None:
        empty = services.create_post(creator=alice)
        client.force_login(alice)
        r = client.post(edit_url(empty, "publish"), follow=True)
        assert "Give the post a title" in r.text
        empty.refresh_from_db()
        assert empty.status == Post.Status.DRAFT

    def test_schedule_in_the_writers_time_zone_is_stored_in_utc(self, client, alice, draft) -> None:
        client.force_login(alice)
        local = (timezone.now() + dt.timedelta(days=2)).astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
        wall = local.strftime("%Y-%m-%dT%H:%M")
        r = client.post(edit_url(draft, "schedule"), {"scheduled_for": wall, "timezone": "Europe/Berlin"}, follow=True)
        assert "Scheduled for" in r.text
        assert "Europe/Berlin" in r.text
        draft.refresh_from_db()
        assert draft.status == Post.Status.SCHEDULED
        assert draft.scheduled_for == local.replace(second=0, microsecond=0).astimezone(dt.UTC)

    def test_schedule_in_the_past_is_refused(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.post(
            edit_url(draft, "schedule"), {"scheduled_for": "2020-01-01T10:00", "timezone": "UTC"}, follow=True
        )
        assert "Pick a time in the future" in r.text
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT

    def test_unpublish_goes_back_to_draft(self, client, alice, draft, django_capture_on_commit_callbacks) -> None:
        with django_capture_on_commit_callbacks(execute=False):
            services.publish_post(post=draft, by=alice)
        client.force_login(alice)
        r = client.post(edit_url(draft, "unpublish"), follow=True)
        assert "Back to draft" in r.text
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT
        assert client.get(f"/@alice/{draft.slug}/").status_code == 404

    def test_delete_asks_first_then_deletes(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.get(edit_url(draft, "delete"))
        assert r.status_code == 200
        assert "cannot be undone" in r.text
        assert Post.objects.filter(pk=draft.pk).exists()
        r = client.post(edit_url(draft, "delete"), follow=True)
        assert r.redirect_chain[-1][0] == reverse("posts:dashboard")
        assert "Deleted “Tomatoes”" in r.text
        assert not Post.objects.filter(pk=draft.pk).exists()


class TestRevisions:
    def test_diff_against_the_current_text_is_escaped(self, client, alice, draft) -> None:
        services.update_post(post=draft, by=alice, snapshot=True, content="line one\n<b>old</b>\nline three")
        services.update_post(post=draft, by=alice, content="line one\n<b>new</b>\nline three")
        revision = draft.revisions.get()
        client.force_login(alice)
        listing = client.get(edit_url(draft, "revisions"))
        assert edit_url(draft, "revision", revision_id=revision.pk) in listing.text
        r = client.get(edit_url(draft, "revision", revision_id=revision.pk))
        assert '<span class="diff-del">-&lt;b&gt;old&lt;/b&gt;</span>' in r.text
        assert '<span class="diff-add">+&lt;b&gt;new&lt;/b&gt;</span>' in r.text
        assert "<b>old</b>" not in r.text

    def test_restore_brings_the_text_back_and_keeps_a_revision(self, client, alice, draft) -> None:
        services.update_post(post=draft, by=alice, snapshot=True, content="the good version")
        services.update_post(post=draft, by=alice, content="a worse version")
        revision = draft.revisions.get()
        client.force_login(alice)
        r = client.post(edit_url(draft, "revision_restore", revision_id=revision.pk), follow=True)
        assert "Restored the revision" in r.text
        draft.refresh_from_db()
        assert draft.content == "the good version"
        assert draft.revisions.filter(reason=PostRevision.Reason.RESTORE).exists()
        # The autosaved text it replaced is not lost: it is a revision now, restorable in turn.
        assert draft.revisions.filter(content="a worse version").exists()

    def test_another_posts_revision_is_404(self, client, alice, draft) -> None:
        other = services.create_post(creator=alice, title="Other", content="x")
        services.update_post(post=other, by=alice, snapshot=True, content="y")
        client.force_login(alice)
        r = client.get(edit_url(draft, "revision", revision_id=other.revisions.get().pk))
        assert r.status_code == 404


class TestTagAutocomplete:
    def test_suggests_tags_completing_the_last_one_typed(self, client, alice, draft) -> None:
        services.create_post(creator=alice, title="b", tags=["Gardening", "Greenhouse", "Cooking"])
        client.force_login(alice)
        r = client.get(reverse("posts:tag_suggest"), {"tags": "cooking, gr"}, headers={"HX-Request": "true"})
        assert r.status_code == 200
        assert '<option value="cooking, Greenhouse">' in r.text
        assert "Gardening" not in r.text
        assert "<html" not in r.text


@pytest.mark.parametrize("n", [2, 25])
def test_editor_and_revision_pages_run_fixed_queries(client, alice, django_assert_max_num_queries, n) -> None:
    post = services.create_post(creator=alice, title="T", content="x", tags=[f"tag {i}" for i in range(n)])
    for i in range(n):
        services.update_post(post=post, by=alice, snapshot=True, content=f"text {i}")
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        assert client.get(edit_url(post)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(edit_url(post, "revisions")).status_code == 200
    revision_id = post.revisions.values_list("pk", flat=True).first()
    with django_assert_max_num_queries(6):
        assert client.get(edit_url(post, "revision", revision_id=revision_id)).status_code == 200


class TestCover:
    def test_cover_upload_sets_the_posts_cover(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.post(edit_url(draft, "cover"), {"cover": upload("cover.png", png(1200, 600))}, follow=True)
        assert "Cover image updated" in r.text
        draft.refresh_from_db()
        assert draft.cover_image.name.startswith("images/")
        assert draft.cover_image.url in r.text

    def test_a_fake_cover_is_refused_with_a_message(self, client, alice, draft) -> None:
        client.force_login(alice)
        r = client.post(edit_url(draft, "cover"), {"cover": upload("cover.png", b"text, not an image")}, follow=True)
        assert "Cover not changed: That file is not an image" in r.text
        draft.refresh_from_db()
        assert not draft.cover_image
