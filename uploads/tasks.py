from __future__ import annotations

import dramatiq


@dramatiq.actor(max_retries=3)
def make_image_variants(image_id: str) -> None:
    """Resize an uploaded image for the page, after the upload has returned."""
    from uploads import services
    from uploads.models import Image

    image = Image.objects.filter(pk=image_id).first()
    if image is None:  # deleted meanwhile
        return
    services.make_variants(image=image)
