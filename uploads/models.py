from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models


class Image(models.Model):
    """An uploaded image: a re-encoded copy without metadata, under a generated name.

    `variants` maps a width ("640", "1280") to the storage name of a narrower copy,
    filled in by a worker (uploads.tasks.make_image_variants) after the upload returns.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(max_length=200)
    format = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes, after re-encoding.")
    variants = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="image_owner_idx")]

    def __str__(self) -> str:
        return self.file.name

    @property
    def url(self) -> str:
        return self.file.url

    def variant_url(self, width: int) -> str:
        name = self.variants.get(str(width))
        return default_storage.url(name) if name else self.url
