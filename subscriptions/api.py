"""The subscriptions API under /api/v1: subscribe, unsubscribe, lists and the reader's feed."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from posts.models import Post
from publishing.api import Pagination, error_responses
from subscriptions import selectors, services
from subscriptions.models import Subscription


class SubscriptionOut(serializers.ModelSerializer):
    subscriber_id = serializers.UUIDField(read_only=True)
    creator_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "subscriber_id", "creator_id", "status", "email_enabled", "subscribed_at", "cancelled_at"]


class ReaderSubscriptionOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)
    creator_username = serializers.CharField(source="creator.username", read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "creator_id", "creator_username", "status", "email_enabled", "subscribed_at"]


class SubscriberOut(serializers.ModelSerializer):
    subscriber_id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(source="subscriber.username", read_only=True)
    email = serializers.EmailField(source="subscriber.email", read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "subscriber_id", "username", "email", "status", "email_enabled", "subscribed_at"]


class FeedPostOut(serializers.ModelSerializer):
    creator_id = serializers.UUIDField(read_only=True)
    creator_username = serializers.CharField(source="creator.username", read_only=True)
    url = serializers.CharField(source="full_url", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "title", "subtitle", "slug", "url", "creator_id", "creator_username", "published_at"]


class SubscribeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: SubscriptionOut, 200: SubscriptionOut, **error_responses(400, 401, 404)},
        tags=["subscriptions"],
        description="201 when new, 200 when an old subscription is reactivated (or already active).",
    )
    def post(self, request: Request, creator_id: Any) -> Response:
        creator = selectors.get_creator(pk=creator_id)
        sub, created = services.subscribe(subscriber=request.user, creator=creator)
        return Response(SubscriptionOut(sub).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class UnsubscribeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: SubscriptionOut, **error_responses(401, 404)}, tags=["subscriptions"])
    def post(self, request: Request, creator_id: Any) -> Response:
        creator = selectors.get_creator(pk=creator_id)
        return Response(SubscriptionOut(services.unsubscribe_from(subscriber=request.user, creator=creator)).data)


class UserSubscriptionsView(generics.ListAPIView):
    """The creators a user follows: the user themself, or staff."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReaderSubscriptionOut
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Subscription]:
        user_id = self.kwargs["user_id"]
        if str(self.request.user.pk) != str(user_id) and not self.request.user.is_staff:
            raise PermissionDenied("You can only list your own subscriptions.")
        return selectors.subscriptions_of(user=get_object_or_404(User, pk=user_id))

    @extend_schema(
        responses={200: ReaderSubscriptionOut(many=True), **error_responses(401, 403, 404)}, tags=["subscriptions"]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CreatorSubscribersView(generics.ListAPIView):
    """A creator's active subscribers: that creator, or staff."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SubscriberOut
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Subscription]:
        creator_id = self.kwargs["creator_id"]
        if str(self.request.user.pk) != str(creator_id) and not self.request.user.is_staff:
            raise PermissionDenied("Only the creator can list their subscribers.")
        return selectors.subscribers_of(creator=selectors.get_creator(pk=creator_id))

    @extend_schema(responses={200: SubscriberOut(many=True), **error_responses(401, 403, 404)}, tags=["subscriptions"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class FeedView(generics.ListAPIView):
    """Published posts from the creators the caller follows, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = FeedPostOut
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Post]:
        return selectors.feed(user=self.request.user)

    @extend_schema(responses={200: FeedPostOut(many=True), **error_responses(401)}, tags=["subscriptions"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
