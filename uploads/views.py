"""The editor's image upload (button, drag-and-drop, paste): JSON for editor.js."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from publishing.errors import DomainError
from uploads import services


@require_POST
@login_required
def image_upload(request: HttpRequest) -> JsonResponse:
    try:
        image = services.upload_image(owner=request.user, file=request.FILES.get("file"))
    except DomainError as e:
        response = JsonResponse({"detail": e.message, "code": e.code}, status=e.status)
        if getattr(e, "retry_after", None):
            response["Retry-After"] = str(e.retry_after)
        return response
    alt = (request.POST.get("alt") or "image").replace("]", "").replace("[", "")[:100]
    return JsonResponse(
        {
            "id": str(image.pk),
            "url": image.url,
            "width": image.width,
            "height": image.height,
            "markdown": f"![{alt}]({image.url})",
        },
        status=201,
    )
