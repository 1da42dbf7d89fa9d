"""The comments API: `/posts/{post_id}/comments`, `/comments/{id}`, `/comments/{id}/report`. Thin over services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from comments import selectors, services
from comments.models import Comment, CommentReport
from publishing.api import Pagination, error_responses


class CommentOut(serializers.ModelSerializer):
    """A comment. Hidden, removed and deleted ones keep their place (for replies) but never their text or writer."""

    post_id = serializers.UUIDField(read_only=True)
    user_id = serializers.SerializerMethodField()
    username = serializers.SerializerMethodField()
    parent_comment_id = serializers.UUIDField(source="parent_id", read_only=True, allow_null=True)
    content = serializers.SerializerMethodField()
    content_html = serializers.SerializerMethodField()
    is_author = serializers.SerializerMethodField(help_text="Written by the post's creator.")

    class Meta:
        model = Comment
        fields = [
            "id",
            "post_id",
            "user_id",
            "username",
            "parent_comment_id",
            "content",
            "content_html",
            "status",
            "is_author",
            "created_at",
            "edited_at",
        ]

    def get_user_id(self, c: Comment) -> str | None:
        return str(c.user_id) if c.shows_text else None

    def get_username(self, c: Comment) -> str | None:
        return c.user.username if c.shows_text else None

    def get_content(self, c: Comment) -> str:
        return c.content if c.shows_text else ""

    def get_content_html(self, c: Comment) -> str:
        return c.content_html if c.shows_text else ""

    def get_is_author(self, c: Comment) -> bool:
        return c.shows_text and c.user_id == c.post.creator_id


class CommentIn(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)
    parent_comment_id = serializers.UUIDField(required=False, allow_null=True)


class CommentEditIn(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReportIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReportOut(serializers.ModelSerializer):
    comment_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = CommentReport
        fields = ["id", "comment_id", "reason", "created_at"]


def _parent(post_id: Any, parent_id: Any) -> Comment | None:
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id).first()
    if parent is None:
        raise serializers.ValidationError({"parent_comment_id": "No such comment."})
    return parent


class PostCommentsView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description="Page size (default 20, at most 100)."),
            OpenApiParameter("offset", int, description="Comments to skip."),
        ],
        responses={200: CommentOut(many=True), **error_responses(400, 404)},
        tags=["comments"],
    )
    def get(self, request: Request, post_id: str) -> Response:
        """A post's comments, oldest first, flat (`parent_comment_id` builds the tree)."""
        post = selectors.get_commentable_post(pk=post_id, viewer=request.user)
        comments = selectors.api_comments(post=post, viewer=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(comments, request, view=self)
        return paginator.get_paginated_response(CommentOut(page, many=True).data)

    @extend_schema(
        request=CommentIn,
        responses={201: CommentOut, **error_responses(400, 401, 403, 404, 429)},
        tags=["comments"],
    )
    def post(self, request: Request, post_id: str) -> Response:
        """Comment, or reply with `parent_comment_id` (a comment on the same post). At most 5 a minute."""
        post = selectors.get_commentable_post(pk=post_id, viewer=request.user)
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.post_comment(
            post=post,
            user=request.user,
            content=data.validated_data["content"],
            parent=_parent(post.pk, data.validated_data.get("parent_comment_id")),
        )
        return Response(CommentOut(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    """Your own comment: others' comments answer 403 (comments are public, so hiding them with 404 buys nothing)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: CommentOut, **error_responses(404)}, tags=["comments"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(CommentOut(selectors.get_comment_for_reader(pk=pk, viewer=request.user)).data)

    @extend_schema(
        request=CommentEditIn, responses={200: CommentOut, **error_responses(400, 401, 403, 404)}, tags=["comments"]
    )
    def patch(self, request: Request, pk: str) -> Response:
        comment = selectors.get_comment_for_writer(pk=pk, user=request.user)
        data = CommentEditIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(comment=comment, by=request.user, content=data.validated_data["content"])
        return Response(CommentOut(comment).data)

    @extend_schema(request=None, responses={204: None, **error_responses(401, 403, 404)}, tags=["comments"])
    def delete(self, request: Request, pk: str) -> Response:
        comment = selectors.get_comment_for_writer(pk=pk, user=request.user)
        services.delete_comment(comment=comment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentReportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ReportIn, responses={201: ReportOut, **error_responses(400, 401, 404, 409)}, tags=["comments"]
    )
    def post(self, request: Request, pk: str) -> Response:
        """Report a comment to the creator and staff, with a reason; once per comment."""
        comment = selectors.get_comment_for_reader(pk=pk, viewer=request.user)
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_comment(comment=comment, by=request.user, reason=data.validated_data["reason"])
        return Response(ReportOut(report).data, status=status.HTTP_201_CREATED)
