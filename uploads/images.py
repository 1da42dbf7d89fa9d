"""Image verification and re-encoding, for every upload the site accepts.

An upload is trusted only after Pillow has parsed it as one of the allowed formats
within the size and pixel limits; what is stored is a re-encoded copy without EXIF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from publishing.errors import DomainError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


class ImageError(DomainError):
    code = "invalid_image"


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ALLOWED_FORMATS[self.format]


def verify_image_upload(file: IO[bytes], *, field: str = "image") -> ImageInfo:
    """Raise ImageError unless `file` is a real JPEG/PNG/GIF/WebP within the limits."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if size > limit:
        raise ImageError(
            f"The image is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            code="image_too_large",
            field=field,
            status=400,
        )
    file.seek(0)
    try:
        with Image.open(file) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in ALLOWED_FORMATS:
                raise ImageError(
                    f"{fmt} images are not accepted; use JPEG, PNG, GIF or WebP.", code="image_type", field=field
                )
            # Checked before any pixel is decoded: a decompression bomb is small on disk.
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise ImageError(
                    f"The image is {width}×{height} pixels, more than this site accepts.",
                    code="image_too_many_pixels",
                    field=field,
                )
            image.verify()
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise ImageError(
            "That file is not an image we can read (JPEG, PNG, GIF or WebP).", code="image_unreadable", field=field
        ) from e
    finally:
        file.seek(0)
    return ImageInfo(format=fmt, width=width, height=height)


def reencode(file: IO[bytes], *, max_width: int | None = None) -> tuple[bytes, ImageInfo]:
    """A clean copy: orientation applied, EXIF and other metadata dropped, optionally narrower.

    Animated GIFs keep their frames only when they are not resized; otherwise the
    first frame is kept.
    """
    info = verify_image_upload(file)
    with Image.open(file) as image:
        image = ImageOps.exif_transpose(image)
        if max_width and image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        fmt = info.format
        if fmt == "JPEG":
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
        elif fmt == "PNG":
            image.save(out, "PNG", optimize=True)
        elif fmt == "GIF":
            image.save(out, "GIF")
        else:
            image.save(out, "WEBP", quality=85)
        result = ImageInfo(format=fmt, width=image.width, height=image.height)
    file.seek(0)
    return out.getvalue(), result
