"""Uploaded images land in a real S3-compatible bucket when S3 storage is configured."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from tests.uploads.images import jpeg_with_exif, png, upload
from uploads import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_storage(settings, seaweedfs):
    """settings.STORAGES as publishing/settings.py builds it from S3_* variables, pointed at SeaweedFS."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    seaweedfs.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": seaweedfs.endpoint,
                "access_key": seaweedfs.access_key,
                "secret_key": seaweedfs.secret_key,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
                "addressing_style": "path",
            },
        },
    }
    return bucket


def test_an_upload_is_stored_in_the_bucket_without_exif(alice, seaweedfs, s3_storage) -> None:
    assert default_storage.__class__.__name__ == "S3Storage"
    image = services.upload_image(owner=alice, file=upload("holiday.jpg", jpeg_with_exif(900, 600)))
    obj = seaweedfs.client().get_object(Bucket=s3_storage, Key=image.file.name)
    pil = PILImage.open(io.BytesIO(obj["Body"].read()))
    assert pil.size == (900, 600)
    assert len(pil.getexif()) == 0
    assert image.url == f"{seaweedfs.endpoint}/{s3_storage}/{image.file.name}"


def test_variants_are_made_from_and_stored_in_the_bucket(alice, seaweedfs, s3_storage) -> None:
    image = services.upload_image(owner=alice, file=upload("wide.png", png(1400, 700)))
    services.make_variants(image=image)
    keys = {o["Key"] for o in seaweedfs.client().list_objects_v2(Bucket=s3_storage)["Contents"]}
    assert keys == {image.file.name, image.variants["640"], image.variants["1280"]}


def test_the_bucket_refuses_wrong_credentials(seaweedfs, s3_storage) -> None:
    from dataclasses import replace

    import botocore.exceptions

    wrong = replace(seaweedfs, secret_key="not-the-secret").client()
    with pytest.raises(botocore.exceptions.ClientError):
        wrong.list_objects_v2(Bucket=s3_storage)
