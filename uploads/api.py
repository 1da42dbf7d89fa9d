"""POST /api/v1/media: image upload for API clients (the same service as the editor)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from publishing.api import error_responses
from uploads import services
from uploads.models import Image


class MediaIn(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, GIF or WebP; EXIF is removed.")


class MediaOut(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Image
        fields = ["id", "url", "width", "height"]


class MediaView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="media_upload",
        request={"multipart/form-data": MediaIn},
        responses={201: MediaOut, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = MediaIn(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.upload_image(owner=request.user, file=data.validated_data["file"])
        return Response(MediaOut(image).data, status=status.HTTP_201_CREATED)
