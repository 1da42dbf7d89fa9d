from __future__ import annotations

from typing import Any

from allauth.headless.contrib.rest_framework.authentication import JWTTokenAuthentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed


class BearerJWTAuthentication(JWTTokenAuthentication):
    """allauth's headless JWT, answering 401 (`WWW-Authenticate: Bearer`) on a bad token.

    `request.auth` is the token's payload, which logout uses to end the session.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            return super().authenticate_credentials(key)
        except AuthenticationFailed:
            raise AuthenticationFailed(
                "The access token is invalid, expired or revoked.", code="token_not_valid"
            ) from None


class BearerJWTScheme(OpenApiAuthenticationExtension):
    """Documents the scheme as HTTP bearer with a JWT (not DRF's `Token` API key)."""

    target_class = BearerJWTAuthentication
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
