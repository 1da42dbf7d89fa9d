"""The cross-posting API: a creator's connections (never their secrets) and each post's cross-posts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossposting import selectors, services
from crossposting.models import Connection, CrossPost
from posts import selectors as post_selectors
from publishing.api import error_responses


class ConnectionOut(serializers.ModelSerializer):
    """A connection as its owner sees it: never the credentials, only a masked hint."""

    class Meta:
        model = Connection
        fields = ["id", "network", "handle", "instance_url", "hint", "status", "last_error", "created_at", "updated_at"]


class CrossPostOut(serializers.ModelSerializer):
    class Meta:
        model = CrossPost
        fields = ["id", "network", "chosen", "text", "status", "remote_id", "remote_url", "error", "attempts"]


class ConnectionListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="connections_list",
        responses={200: ConnectionOut(many=True), **error_responses(401, 403)},
        tags=["cross-posting"],
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_creator:
            raise PermissionDenied("Only creators connect social accounts.")
        return Response(ConnectionOut(selectors.connections_of(creator=request.user), many=True).data)


class PostCrossPostsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="post_crossposts_list",
        responses={200: CrossPostOut(many=True), **error_responses(401, 404)},
        tags=["cross-posting"],
    )
    def get(self, request: Request, pk: str) -> Response:
        post = post_selectors.get_post_for_editor(user=request.user, pk=pk)
        return Response(CrossPostOut(selectors.crossposts_of(post=post), many=True).data)


class CrossPostRetryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="crosspost_retry",
        request=None,
        responses={200: CrossPostOut, **error_responses(401, 404, 409)},
        tags=["cross-posting"],
    )
    def post(self, request: Request, pk: int) -> Response:
        crosspost = selectors.get_crosspost_for_owner(user=request.user, pk=pk)
        return Response(CrossPostOut(services.retry_crosspost(crosspost=crosspost)).data)
