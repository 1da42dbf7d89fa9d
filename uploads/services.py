"""Every write to uploads: accepting an image and making its resized variants."""

from __future__ import annotations

import time
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from publishing.errors import RateLimitedError
from uploads import images, tasks
from uploads.images import ImageError
from uploads.models import Image

VARIANT_WIDTHS = (640, 1280)


def _require_creator(user: User) -> None:
    if not user.is_creator:
        raise ImageError("Only creators can upload images.", code="not_creator", status=403)


def _count_upload(owner: User) -> None:
    """At most MAX_IMAGE_UPLOADS_PER_HOUR attempts per user per clock hour: each costs a decode."""
    limit = settings.MAX_IMAGE_UPLOADS_PER_HOUR
    if not limit:
        return
    now = int(time.time())
    key = f"uploads:rate:{owner.pk}:{now // 3600}"
    cache.add(key, 0, timeout=3700)
    if cache.incr(key) > limit:
        raise RateLimitedError(
            f"You have uploaded {limit} images this hour; try again later.",
            retry_after=3600 - now % 3600,
            code="upload_rate",
        )


def upload_image(*, owner: User, file: IO[bytes]) -> Image:
    """Verify, re-encode without EXIF, store under a generated name; variants follow in a worker.

    Raises ImageError (code image_unreadable / image_type / image_too_large /
    image_too_many_pixels) for anything that is not an acceptable image, and
    RateLimitedError (429) past the hourly limit.
    """
    _require_creator(owner)
    _count_upload(owner)
    if file is None:
        raise ImageError("Choose an image file to upload.", code="required", field="file")
    images.verify_image_upload(file, field="file")
    data, info = images.reencode(file)
    image = Image(owner=owner, format=info.format, width=info.width, height=info.height, size=len(data))
    # The name is ours, never the client's: no path tricks, no guessable or clashing names.
    name = f"images/{timezone.now():%Y/%m}/{image.id.hex}.{info.extension}"
    image.file.name = default_storage.save(name, ContentFile(data))
    with transaction.atomic():
        image.save()
        image_id = str(image.pk)
        transaction.on_commit(lambda: tasks.make_image_variants.send(image_id))
    return image


def make_variants(*, image: Image) -> Image:
    """Narrower copies for the page (srcset), then the posts showing the image rendered again to offer them.

    Idempotent, since a worker may run it twice."""
    variants = dict(image.variants)
    for width in VARIANT_WIDTHS:
        if width >= image.width or str(width) in variants:
            continue
        with default_storage.open(image.file.name, "rb") as source:
            data, _ = images.reencode(source, max_width=width)
        stem, _, ext = image.file.name.rpartition(".")
        variants[str(width)] = default_storage.save(f"{stem}-{width}.{ext}", ContentFile(data))
    if variants != image.variants:
        from posts import services as posts_services

        with transaction.atomic():  # a worker killed in between redoes both: no post left without its srcset
            image.variants = variants
            image.save(update_fields=["variants"])
            posts_services.rerender_posts_showing(url=image.url)  # the posts already showing it offer the copies
    return image
