"""Image uploads: verification, EXIF removal, storage, variants, the editor endpoint and the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage

from tests.uploads.images import SVG, jpeg_with_exif, png, upload
from uploads import services
from uploads.images import ImageError
from uploads.models import Image

pytestmark = pytest.mark.django_db
MEDIA = "/api/v1/media"


def stored(image: Image) -> PILImage.Image:
    with default_storage.open(image.file.name, "rb") as f:
        pil = PILImage.open(io.BytesIO(f.read()))
        pil.load()
    return pil


class TestUploadService:
    def test_a_real_jpeg_is_stored_under_a_generated_name_without_exif(self, alice, django_capture_on_commit_callbacks):
        original = jpeg_with_exif()
        assert PILImage.open(io.BytesIO(original)).getexif()  # the test image really has EXIF
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            image = services.upload_image(owner=alice, file=upload("../../etc/My Holiday.jpg", original))
        assert len(callbacks) == 1  # variants are left to the worker
        assert image.file.name.startswith("images/")
        assert image.file.name.endswith(f"{image.pk.hex}.jpg")
        assert "Holiday" not in image.file.name
        assert (image.width, image.height, image.format) == (1500, 1000, "JPEG")
        pil = stored(image)
        assert pil.format == "JPEG"
        assert len(pil.getexif()) == 0
        assert "exif" not in pil.info

    def test_text_renamed_png_is_refused_clearly(self, alice) -> None:
        with pytest.raises(ImageError) as e:
            services.upload_image(owner=alice, file=upload("photo.png", b"just some text, honestly\n" * 20))
        assert e.value.code == "image_unreadable"
        assert "not an image we can read" in e.value.message
        assert not Image.objects.exists()

    def test_svg_is_refused(self, alice) -> None:
        with pytest.raises(ImageError) as e:
            services.upload_image(owner=alice, file=upload("logo.svg", SVG, "image/svg+xml"))
        assert e.value.code == "image_unreadable"

    def test_oversized_file_is_refused_with_the_limit(self, alice, settings) -> None:
        settings.MAX_IMAGE_UPLOAD_BYTES = 1024 * 1024
        big = upload("big.png", png() + b"\0" * (1024 * 1024))
        with pytest.raises(ImageError) as e:
            services.upload_image(owner=alice, file=big)
        assert e.value.code == "image_too_large"
        assert "the limit is 1 MB" in e.value.message

    def test_a_decompression_bomb_is_refused_before_decoding(self, alice) -> None:
        out = io.BytesIO()
        PILImage.new("1", (9000, 9000)).save(out, "PNG")  # 81 MP, tiny on disk
        assert len(out.getvalue()) < 200_000
        with pytest.raises(ImageError) as e:
            services.upload_image(owner=alice, file=upload("bomb.png", out.getvalue()))
        assert e.value.code == "image_too_many_pixels"

    def test_readers_cannot_upload(self, bob) -> None:
        with pytest.raises(ImageError) as e:
            services.upload_image(owner=bob, file=upload("a.png", png()))
        assert e.value.status == 403


class TestVariants:
    def test_the_worker_makes_narrower_copies(self, alice, jobs) -> None:
        image = services.upload_image(owner=alice, file=upload("wide.jpg", jpeg_with_exif(1500, 1000)))
        jobs.drain()
        image.refresh_from_db()
        assert set(image.variants) == {"640", "1280"}
        with default_storage.open(image.variants["640"], "rb") as f:
            small = PILImage.open(io.BytesIO(f.read()))
            assert small.size == (640, 427)
        assert image.variant_url(640).endswith("-640.jpg")

    def test_no_variant_is_wider_than_the_original(self, alice) -> None:
        image = services.upload_image(owner=alice, file=upload("small.png", png(300, 200)))
        services.make_variants(image=image)
        assert image.variants == {}


class TestEditorEndpoint:
    def test_returns_markdown_to_insert(self, client, alice) -> None:
        client.force_login(alice)
        r = client.post(reverse("uploads:image_upload"), {"file": upload("a.png", png()), "alt": "A [green] box"})
        assert r.status_code == 201
        body = r.json()
        image = Image.objects.get(pk=body["id"])
        assert body["markdown"] == f"![A green box]({image.url})"
        assert (body["width"], body["height"]) == (300, 200)

    def test_errors_are_json_for_the_editor(self, client, alice, bob) -> None:
        client.force_login(alice)
        r = client.post(reverse("uploads:image_upload"), {"file": upload("fake.png", b"hello")})
        assert r.status_code == 400
        assert r.json()["code"] == "image_unreadable"
        client.force_login(bob)
        assert client.post(reverse("uploads:image_upload"), {"file": upload("a.png", png())}).status_code == 403

    def test_anonymous_is_sent_to_log_in(self, client) -> None:
        r = client.post(reverse("uploads:image_upload"), {"file": upload("a.png", png())})
        assert r.status_code == 302
        assert not Image.objects.exists()


class TestMediaAPI:
    def test_upload_answers_201_with_id_url_and_size(self, api_as, alice) -> None:
        r = api_as(alice).post(MEDIA, {"file": upload("a.jpg", jpeg_with_exif(800, 600))}, format="multipart")
        assert r.status_code == 201
        body = r.json()
        assert set(body) == {"id", "url", "width", "height"}
        assert (body["width"], body["height"]) == (800, 600)
        assert body["url"] == Image.objects.get(pk=body["id"]).url

    @pytest.mark.parametrize(
        ("name", "data", "code"),
        [
            ("fake.png", b"not an image at all", "image_unreadable"),
            ("logo.svg", SVG, "image_unreadable"),
        ],
    )
    def test_bad_files_get_400_in_the_envelope(self, api_as, alice, name, data, code) -> None:
        r = api_as(alice).post(MEDIA, {"file": upload(name, data)}, format="multipart")
        assert r.status_code == 400
        assert r.json()["code"] == code
        assert r.json()["field_errors"] == {"file": r.json()["detail"]}

    def test_too_large_gets_400(self, api_as, alice, settings) -> None:
        settings.MAX_IMAGE_UPLOAD_BYTES = 1024
        r = api_as(alice).post(MEDIA, {"file": upload("a.png", png(600, 600))}, format="multipart")
        assert r.status_code == 400
        assert r.json()["code"] == "image_too_large"

    def test_missing_file_is_400(self, api_as, alice) -> None:
        r = api_as(alice).post(MEDIA, {}, format="multipart")
        assert r.status_code == 400
        assert "file" in r.json()["field_errors"]

    def test_anonymous_401_and_reader_403(self, api, api_as, bob) -> None:
        r = api.post(MEDIA, {"file": upload("a.png", png())}, format="multipart")
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"
        r = api_as(bob).post(MEDIA, {"file": upload("a.png", png())}, format="multipart")
        assert r.status_code == 403
        assert r.json()["code"] == "not_creator"
        assert not Image.objects.exists()


class TestRateLimit:
    def test_past_the_hourly_limit_uploads_get_429_on_web_and_api(self, client, api_as, alice, settings) -> None:
        settings.MAX_IMAGE_UPLOADS_PER_HOUR = 2
        client.force_login(alice)
        assert client.post(reverse("uploads:image_upload"), {"file": upload("a.png", png())}).status_code == 201
        assert client.post(reverse("uploads:image_upload"), {"file": upload("b.png", b"junk")}).status_code == 400
        r = client.post(reverse("uploads:image_upload"), {"file": upload("c.png", png())})
        assert r.status_code == 429
        assert r.json()["code"] == "upload_rate"
        assert 0 < int(r["Retry-After"]) <= 3600
        r = api_as(alice).post(MEDIA, {"file": upload("d.png", png())}, format="multipart")
        assert r.status_code == 429
        assert r.json()["code"] == "upload_rate"
        assert "Retry-After" in r
        assert Image.objects.count() == 1


class TestResponsiveImagesOnThePage:
    def test_a_post_offers_the_narrower_copies_once_the_worker_has_made_them(
        self, client, alice, django_capture_on_commit_callbacks
    ) -> None:
        from posts import services as posts
        from uploads.tasks import make_image_variants

        wide = services.upload_image(owner=alice, file=upload("wide.jpg", jpeg_with_exif(1500, 1000)))
        small = services.upload_image(owner=alice, file=upload("small.png", png(300, 200)))
        post = posts.create_post(
            creator=alice,
            title="Pictures",
            content=f"![A wide view]({wide.url})\n\n![A small one]({small.url})\n\n![Elsewhere](https://example.com/x.jpg)",
        )
        post = posts.publish_post(post=post, by=alice)
        page = client.get(post.get_absolute_url()).content.decode()
        assert f'<img alt="A wide view" src="{wide.url}">' in page  # no copies yet: the original alone

        with django_capture_on_commit_callbacks(execute=True):  # the page cache is invalidated on commit
            make_image_variants.fn(str(wide.pk))  # the actor's own code: copies, then the post again
            make_image_variants.fn(str(small.pk))
        wide.refresh_from_db()
        page = client.get(post.get_absolute_url()).content.decode()
        expected = f"{wide.variant_url(640)} 640w, {wide.variant_url(1280)} 1280w, {wide.url} 1500w"
        assert f'<img alt="A wide view" src="{wide.url}" srcset="{expected}" sizes="' in page
        assert page.count("srcset=") == 1  # not on the small image (no copies) nor on one from elsewhere
