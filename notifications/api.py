"""The notifications API: `GET /notifications` and `POST /notifications/read`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.models import Notification
from publishing.api import Pagination, error_responses


class NotificationOut(serializers.ModelSerializer):
    actor_id = serializers.UUIDField(read_only=True, allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "actor_id", "is_read", "created_at", "read_at"]

    def get_is_read(self, n: Notification) -> bool:
        return n.read_at is not None


class ReadIn(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Mark only these; leave out to mark all read."
    )


class NotificationsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="Only unread ones."),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: NotificationOut(many=True), **error_responses(401)},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        """Your notifications, newest first."""
        unread = request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.inbox(user=request.user, unread_only=unread), request, view=self)
        return paginator.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationsReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ReadIn,
        responses={
            200: inline_serializer("ReadOut", {"marked": serializers.IntegerField()}),
            **error_responses(400, 401),
        },
        tags=["notifications"],
    )
    def post(self, request: Request) -> Response:
        """Mark some or all of your notifications as read; answers how many changed."""
        data = ReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("ids")
        marked = services.mark_read(
            user=request.user, notification_ids=[str(i) for i in ids] if ids is not None else None
        )
        return Response({"marked": marked})
