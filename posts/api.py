"""The posts API under /api/v1: write, read, publish and list posts. Thin over services/selectors.

Drafts are private: someone else's draft answers 404, exactly as a missing post does.
The post's `version` travels in the `ETag` header; send it back as `version` (or
`If-Match`) on PUT/PATCH and a concurrent change answers 409 instead of being overwritten.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from analytics import services as analytics
from posts import selectors, services
from posts.models import Post
from publishing.api import Pagination, error_responses

TAGS = ["posts"]


class PostCreateIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)
    subtitle = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)


class PostUpdateIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(
        choices=[Post.Status.DRAFT, Post.Status.PUBLISHED],
        required=False,
        help_text="`published` publishes the post; `draft` unpublishes it.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you loaded (the `ETag`); 409 if it moved on."
    )


class PostCreatedOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "creator_id", "title", "status", "created_at"]


class PostOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The public page; null while a draft.")
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "creator_id",
            "title",
            "content",
            "content_html",
            "status",
            "published_at",
            "slug",
            "url",
            "tags",
        ]

    def get_url(self, post: Post) -> str | None:
        return post.full_url if post.is_published else None

    def get_tags(self, post: Post) -> list[str]:
        return [t.name for t in post.tags.all()]


class PostUpdatedOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "creator_id", "title", "content", "status", "updated_at"]


class PostRowOut(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = ["id", "title", "status", "published_at"]


class FeedRowOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)
    url = serializers.CharField(source="full_url", read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "creator_id", "title", "subtitle", "slug", "url", "published_at", "reading_time", "tags"]

    def get_tags(self, post: Post) -> list[str]:
        return [t.name for t in post.tags.all()]


def _with_version(response: Response, post: Post) -> Response:
    response["ETag"] = f'"{post.version}"'
    return response


def _own_post(request: Request, pk: Any) -> Post:
    """The post to change: 404 if the caller cannot see it, 403 if they see it but it is not theirs."""
    post = selectors.get_post_for_reader(user=request.user, pk=pk)
    if post.creator_id != request.user.pk:
        raise PermissionDenied("You can only change your own posts.")
    return post


def _expected_version(request: Request, data: dict[str, Any]) -> int | None:
    if "version" in data:
        return data["version"]
    if_match = request.headers.get("If-Match", "").strip().strip('"')
    return int(if_match) if if_match.isdigit() else None


class PostListView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[OpenApiParameter("tag", str, description="A tag slug: only posts with this tag.")],
        responses={200: FeedRowOut(many=True), **error_responses(400, 404)},
        tags=TAGS,
        summary="The public feed: published posts, newest first",
    )
    def get(self, request: Request) -> Response:
        posts = selectors.post_cards()
        if tag := request.query_params.get("tag"):
            posts = selectors.tagged_posts(tag=selectors.get_tag(slug=tag))
        paginator = Pagination()
        page = paginator.paginate_queryset(posts, request, view=self)
        return paginator.get_paginated_response(FeedRowOut(page, many=True).data)

    @extend_schema(
        request=PostCreateIn,
        responses={201: PostCreatedOut, **error_responses(400, 401, 403)},
        tags=TAGS,
        summary="Start a post (a draft); creators only",
    )
    def post(self, request: Request) -> Response:
        data = PostCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.create_post(creator=request.user, **data.validated_data)
        return _with_version(Response(PostCreatedOut(post).data, status=status.HTTP_201_CREATED), post)


class PostDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: PostOut, **error_responses(404)}, tags=TAGS, summary="A post")
    def get(self, request: Request, pk: Any) -> Response:
        post = selectors.get_post_for_reader(user=request.user, pk=pk)
        if post.is_published:  # a read, like the post page (bots, prefetches and the creator are not counted)
            analytics.track_post_view(request=request, post_id=post.pk, creator_id=post.creator_id)
        return _with_version(Response(PostOut(post).data), post)

    @extend_schema(
        request=PostUpdateIn,
        responses={200: PostUpdatedOut, **error_responses(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Change a post; `status` publishes or unpublishes it",
    )
    def put(self, request: Request, pk: Any) -> Response:
        post = _own_post(request, pk)
        data = PostUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in {"title", "content"}}
        new_status = data.validated_data.get("status")
        with transaction.atomic():  # a refused publish leaves the text unchanged too
            post = services.update_post(
                post=post, by=request.user, expected_version=_expected_version(request, data.validated_data), **fields
            )
            if new_status == Post.Status.PUBLISHED and not post.is_published:
                post = services.publish_post(post=post, by=request.user)
            elif new_status == Post.Status.DRAFT and post.status != Post.Status.DRAFT:
                post = services.unpublish_post(post=post, by=request.user)
        return _with_version(Response(PostUpdatedOut(post).data), post)

    @extend_schema(
        request=PostUpdateIn,
        responses={200: PostUpdatedOut, **error_responses(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Change some of a post's fields",
    )
    def patch(self, request: Request, pk: Any) -> Response:
        return self.put(request, pk)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)}, tags=TAGS, summary="Delete a post")
    def delete(self, request: Request, pk: Any) -> Response:
        services.delete_post(post=_own_post(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostPublishView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: PostOut, **error_responses(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Publish now (409 `already_published` if it is)",
    )
    def post(self, request: Request, pk: Any) -> Response:
        post = services.publish_post(post=_own_post(request, pk), by=request.user)
        post = selectors.get_post_for_reader(user=request.user, pk=post.pk)
        return _with_version(Response(PostOut(post).data), post)


class CreatorPostsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=list(Post.Status.values), description="Others only ever see published posts."
            )
        ],
        responses={200: PostRowOut(many=True), **error_responses(400, 404)},
        tags=TAGS,
        summary="A creator's posts (all of them for the creator, published ones for everyone else)",
    )
    def get(self, request: Request, creator_id: Any) -> Response:
        creator = get_object_or_404(User, pk=creator_id, is_active=True)
        wanted = request.query_params.get("status")
        if wanted and wanted not in Post.Status.values:
            raise serializers.ValidationError({"status": f"Use one of: {', '.join(Post.Status.values)}."})
        posts = selectors.posts_for_listing(creator=creator, viewer=request.user, status=wanted)
        paginator = Pagination()
        page = paginator.paginate_queryset(posts, request, view=self)
        return paginator.get_paginated_response(PostRowOut(page, many=True).data)
