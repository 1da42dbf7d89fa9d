"""The accounts API under /api/v1/users: register, log in/out, tokens, profiles."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import User
from publishing.api import ScopedRateThrottle, error_responses


class RegisterIn(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=30, error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."}
    )
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.READER)


class RegisterOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "username", "role", "created_at"]


class LoginIn(serializers.Serializer):
    email = serializers.CharField(required=False, help_text="Email address (or username).")
    username = serializers.CharField(required=False, help_text="Username, instead of email.")
    password = serializers.CharField(write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("email") and not attrs.get("username"):
            raise serializers.ValidationError({"email": "Give your email address or username."})
        return attrs


class TokensOut(serializers.Serializer):
    access_token = serializers.CharField(help_text="Send as `Authorization: Bearer <access_token>`.")
    token_type = serializers.ChoiceField(choices=["bearer"])
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")
    refresh_token = serializers.CharField(
        help_text="Works once: `POST /users/token/refresh` returns a new pair. Replaying a used one ends the session."
    )


class RefreshIn(serializers.Serializer):
    refresh_token = serializers.CharField()


class UserOut(serializers.ModelSerializer):
    """A profile; `email` only for the user themself and staff."""

    email = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "username", "bio", "role", "avatar", "created_at", "updated_at"]

    def get_email(self, user: User) -> str | None:
        viewer = self.context["request"].user
        return user.email if selectors.can_see_email(viewer=viewer, user=user) else None


class UserIn(serializers.Serializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=30,
        required=False,
        error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."},
    )
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterIn, responses={201: RegisterOut, **error_responses(400, 409, 429)}, tags=["users"])
    def post(self, request: Request) -> Response:
        data = RegisterIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.register_user(**data.validated_data)
        return Response(RegisterOut(user).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginIn, responses={200: TokensOut, **error_responses(400, 401, 429)}, tags=["users"])
    def post(self, request: Request) -> Response:
        data = LoginIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.authenticate_user(
            request=request._request,
            login=data.validated_data.get("email") or data.validated_data["username"],
            password=data.validated_data["password"],
        )
        return Response(services.issue_tokens(user=user))


class RefreshView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_refresh"

    @extend_schema(request=RefreshIn, responses={200: TokensOut, **error_responses(400, 401, 429)}, tags=["users"])
    def post(self, request: Request) -> Response:
        data = RefreshIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.refresh_tokens(refresh_token=data.validated_data["refresh_token"]))


class LogoutView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **error_responses(401)}, tags=["users"])
    def post(self, request: Request) -> Response:
        services.revoke_tokens(access_payload=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: UserOut, **error_responses(401)}, tags=["users"])
    def get(self, request: Request) -> Response:
        return Response(UserOut(request.user, context={"request": request}).data)


class UserDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def _user(self, pk: Any) -> User:
        return get_object_or_404(User.objects.filter(is_active=True), pk=pk)

    @extend_schema(responses={200: UserOut, **error_responses(401, 404)}, tags=["users"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(UserOut(self._user(pk), context={"request": request}).data)

    @extend_schema(request=UserIn, responses={200: UserOut, **error_responses(400, 401, 403, 404, 409)}, tags=["users"])
    def put(self, request: Request, pk: Any) -> Response:
        user = self._user(pk)
        if request.user != user:
            raise PermissionDenied("You can only change your own profile.")
        data = UserIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.update_profile(user=user, **data.validated_data)
        return Response(UserOut(user, context={"request": request}).data)

    @extend_schema(request=UserIn, responses={200: UserOut, **error_responses(400, 401, 403, 404, 409)}, tags=["users"])
    def patch(self, request: Request, pk: Any) -> Response:
        return self.put(request, pk)
