"""The posts API: every row of the issue, its errors in the envelope, draft privacy, versions."""

import pytest

from posts import services
from posts.models import Post
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/posts"


def assert_error(r, status, code):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"detail", "code", "field_errors"}
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.fixture
def draft(alice):
    return services.create_post(creator=alice, title="My draft", content="Hello **there**", tags=["Cats"])


@pytest.fixture
def published(alice):
    post = services.create_post(creator=alice, title="Out now", content="Read me", tags=["Cats", "Dogs"])
    return services.publish_post(post=post, by=alice)


class TestCreate:
    def test_creator_creates_a_draft(self, api_as, alice):
        r = api_as(alice).post(
            URL, {"title": "Hi", "content": "# Big", "subtitle": "s", "tags": ["A", "B"]}, format="json"
        )
        assert r.status_code == 201
        body = r.json()
        assert set(body) == {"id", "creator_id", "title", "status", "created_at"}
        assert body["creator_id"] == str(alice.pk)
        assert body["status"] == "draft"
        post = Post.objects.get(pk=body["id"])
        assert post.subtitle == "s"
        assert sorted(t.name for t in post.tags.all()) == ["A", "B"]
        assert '<h1 id="big">' in post.content_html
        assert r["ETag"] == '"1"'

    def test_reader_gets_403(self, api_as, bob):
        assert_error(api_as(bob).post(URL, {"title": "x", "content": "y"}, format="json"), 403, "not_creator")

    def test_anonymous_gets_401(self, api):
        r = api.post(URL, {"title": "x", "content": "y"}, format="json")
        assert_error(r, 401, "not_authenticated")
        assert r["WWW-Authenticate"].startswith("Bearer")

    def test_missing_fields_are_400_with_field_errors(self, api_as, alice):
        body = assert_error(api_as(alice).post(URL, {"title": "x"}, format="json"), 400, "invalid")
        assert "content" in body["field_errors"]

    def test_malformed_json_is_400(self, api_as, alice):
        r = api_as(alice).post(URL, "{nope", content_type="application/json")
        assert_error(r, 400, "parse_error")


class TestRead:
    def test_published_post_for_anyone(self, api, published):
        r = api.get(f"{URL}/{published.pk}")
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {
            "id", "creator_id", "title", "content", "content_html", "status", "published_at", "slug", "url", "tags",
        }  # fmt: skip
        assert body["url"] == "http://127.0.0.1:8000/@alice/out-now/"
        assert body["tags"] == ["Cats", "Dogs"]
        assert body["status"] == "published"

    def test_draft_is_visible_to_its_creator(self, api_as, alice, draft):
        body = api_as(alice).get(f"{URL}/{draft.pk}").json()
        assert body["content_html"] == "<p>Hello <strong>there</strong></p>"
        assert body["url"] is None

    @pytest.mark.parametrize("who", ["anonymous", "bob", "carol"])
    def test_draft_is_404_for_anyone_else(self, api, api_as, request, draft, who):
        client = api if who == "anonymous" else api_as(request.getfixturevalue(who))
        assert_error(client.get(f"{URL}/{draft.pk}"), 404, "not_found")

    def test_unknown_post_is_404(self, api):
        assert_error(api.get(f"{URL}/00000000-0000-0000-0000-000000000000"), 404, "not_found")


class TestUpdate:
    def test_put_changes_text_and_answers_the_listed_fields(self, api_as, alice, draft):
        r = api_as(alice).put(f"{URL}/{draft.pk}", {"title": "New", "content": "*x*"}, format="json")
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"id", "creator_id", "title", "content", "status", "updated_at"}
        assert body["title"] == "New"
        draft.refresh_from_db()
        assert draft.content_html == "<p><em>x</em></p>"

    def test_patch_changes_only_what_is_sent(self, api_as, alice, draft):
        r = api_as(alice).patch(f"{URL}/{draft.pk}", {"title": "Only title"}, format="json")
        assert r.status_code == 200
        draft.refresh_from_db()
        assert (draft.title, draft.content) == ("Only title", "Hello **there**")

    def test_status_published_publishes_and_draft_unpublishes(self, api_as, alice, draft):
        client = api_as(alice)
        assert client.patch(f"{URL}/{draft.pk}", {"status": "published"}, format="json").json()["status"] == "published"
        assert client.patch(f"{URL}/{draft.pk}", {"status": "draft"}, format="json").json()["status"] == "draft"

    def test_refused_publish_keeps_the_text_unchanged(self, api_as, alice, draft):
        r = api_as(alice).put(f"{URL}/{draft.pk}", {"content": " ", "status": "published"}, format="json")
        assert_error(r, 400, "content_required")
        draft.refresh_from_db()
        assert draft.content == "Hello **there**"

    def test_scheduled_status_is_rejected(self, api_as, alice, draft):
        body = assert_error(
            api_as(alice).patch(f"{URL}/{draft.pk}", {"status": "scheduled"}, format="json"), 400, "invalid"
        )
        assert "status" in body["field_errors"]

    def test_stale_version_is_409_and_writes_nothing(self, api_as, alice, draft):
        client = api_as(alice)
        loaded = client.get(f"{URL}/{draft.pk}")["ETag"].strip('"')
        assert (
            client.patch(f"{URL}/{draft.pk}", {"title": "Tab one", "version": int(loaded)}, format="json").status_code
            == 200
        )
        r = client.patch(f"{URL}/{draft.pk}", {"title": "Tab two", "version": int(loaded)}, format="json")
        assert_error(r, 409, "version_conflict")
        draft.refresh_from_db()
        assert draft.title == "Tab one"

    def test_if_match_header_works_like_version(self, api_as, alice, draft):
        client = api_as(alice)
        r = client.patch(f"{URL}/{draft.pk}", {"title": "x"}, format="json", headers={"If-Match": '"999"'})
        assert_error(r, 409, "version_conflict")

    def test_someone_elses_published_post_is_403(self, api_as, carol, published):
        assert_error(
            api_as(carol).put(f"{URL}/{published.pk}", {"title": "Mine"}, format="json"), 403, "permission_denied"
        )

    def test_someone_elses_draft_is_404(self, api_as, carol, draft):
        assert_error(api_as(carol).patch(f"{URL}/{draft.pk}", {"title": "Mine"}, format="json"), 404, "not_found")

    def test_anonymous_is_401(self, api, draft):
        assert_error(api.put(f"{URL}/{draft.pk}", {"title": "x"}, format="json"), 401, "not_authenticated")


class TestDelete:
    def test_creator_deletes(self, api_as, alice, draft):
        assert api_as(alice).delete(f"{URL}/{draft.pk}").status_code == 204
        assert not Post.objects.filter(pk=draft.pk).exists()

    def test_others_cannot(self, api_as, carol, draft, published):
        assert_error(api_as(carol).delete(f"{URL}/{draft.pk}"), 404, "not_found")
        assert_error(api_as(carol).delete(f"{URL}/{published.pk}"), 403, "permission_denied")
        assert Post.objects.count() == 2


class TestPublish:
    def test_publish_returns_the_published_post(self, api_as, alice, draft):
        r = api_as(alice).post(f"{URL}/{draft.pk}/publish")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "published"
        assert body["published_at"]
        assert body["url"] == "http://127.0.0.1:8000/@alice/my-draft/"

    def test_publishing_twice_is_409_already_published(self, api_as, alice, published):
        assert_error(api_as(alice).post(f"{URL}/{published.pk}/publish"), 409, "already_published")

    def test_untitled_draft_is_400_naming_the_field(self, api_as, alice):
        post = services.create_post(creator=alice, title="", content="x")
        body = assert_error(api_as(alice).post(f"{URL}/{post.pk}/publish"), 400, "title_required")
        assert "title" in body["field_errors"]

    def test_others_draft_is_404_and_anonymous_401(self, api, api_as, carol, draft):
        assert_error(api_as(carol).post(f"{URL}/{draft.pk}/publish"), 404, "not_found")
        assert_error(api.post(f"{URL}/{draft.pk}/publish"), 401, "not_authenticated")


class TestCreatorPosts:
    def test_creator_sees_all_and_filters_by_status(self, api_as, alice, draft, published):
        client = api_as(alice)
        body = client.get(f"/api/v1/creators/{alice.pk}/posts").json()
        assert body["count"] == 2
        assert set(body["results"][0]) == {"id", "title", "status", "published_at"}
        drafts = client.get(f"/api/v1/creators/{alice.pk}/posts?status=draft").json()
        assert [p["title"] for p in drafts["results"]] == ["My draft"]

    def test_others_see_only_published(self, api, alice, draft, published):
        body = api.get(f"/api/v1/creators/{alice.pk}/posts").json()
        assert [p["title"] for p in body["results"]] == ["Out now"]
        assert api.get(f"/api/v1/creators/{alice.pk}/posts?status=draft").json()["count"] == 0

    def test_paging_metadata(self, api, alice):
        for _ in range(5):
            PostFactory(creator=alice, published=True)
        body = api.get(f"/api/v1/creators/{alice.pk}/posts?limit=2&offset=2").json()
        assert (body["count"], body["limit"], body["offset"], len(body["results"])) == (5, 2, 2, 2)
        assert "offset=4" in body["next"]

    def test_bad_status_is_400_and_unknown_creator_404(self, api, alice):
        body = assert_error(api.get(f"/api/v1/creators/{alice.pk}/posts?status=lost"), 400, "invalid")
        assert "status" in body["field_errors"]
        assert_error(api.get("/api/v1/creators/00000000-0000-0000-0000-000000000000/posts"), 404, "not_found")


class TestFeed:
    def test_public_feed_lists_published_only(self, api, draft, published):
        body = api.get(URL).json()
        assert [p["title"] for p in body["results"]] == ["Out now"]
        assert body["results"][0]["url"] == "http://127.0.0.1:8000/@alice/out-now/"

    def test_filter_by_tag(self, api, alice, published):
        services.publish_post(
            post=services.create_post(creator=alice, title="Birds", content="x", tags=["Birds"]), by=alice
        )
        assert [p["title"] for p in api.get(f"{URL}?tag=dogs").json()["results"]] == ["Out now"]
        assert_error(api.get(f"{URL}?tag=unknown"), 404, "not_found")

    @pytest.mark.parametrize("size", [3, 30])
    def test_fixed_query_count(self, api, alice, size, django_assert_max_num_queries):
        for _ in range(size):
            post = PostFactory(creator=alice, published=True)
            services.set_tags(post=post, names=["One", "Two"])
        with django_assert_max_num_queries(3):
            assert len(api.get(f"{URL}?limit=50").json()["results"]) == size
        with django_assert_max_num_queries(3):
            assert api.get(f"/api/v1/creators/{alice.pk}/posts?limit=50").json()["count"] == size
