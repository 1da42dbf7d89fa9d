"""What every API endpoint shares: the error envelope and pagination.

Every error answers `{"detail": str, "code": str, "field_errors": {field: message}}`
with the right status, whatever raised it: DRF, Django or a domain service.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status, throttling
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from publishing.errors import DomainError

logger = logging.getLogger(__name__)

_DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def envelope(detail: str, *, code: str, field_errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "field_errors": field_errors or {}}


def _first_message(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_first_message(v) for v in value) if value else ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_first_message(v)}" for k, v in value.items())
    return str(value)


def _first_code(value: Any) -> str | None:
    if isinstance(value, list | tuple) and value:
        return _first_code(value[0])
    if isinstance(value, dict) and value:
        return _first_code(next(iter(value.values())))
    return getattr(value, "code", None)


def _validation_envelope(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail
    if not isinstance(detail, dict):
        message = _first_message(detail)
        return envelope(message or "Invalid input.", code=_first_code(detail) or "invalid")
    non_field = detail.get("non_field_errors")
    field_errors = {k: _first_message(v) for k, v in detail.items() if k != "non_field_errors"}
    if non_field:
        message = _first_message(non_field)
    elif field_errors:
        names = ", ".join(field_errors)
        message = f"Please correct the highlighted field{'s' if len(field_errors) > 1 else ''}: {names}."
    else:
        message = "Invalid input."
    code = _first_code(non_field) if non_field else "invalid"
    # A uniqueness clash is a domain conflict the client can act on by name.
    if any(_first_code(v) == "unique" for v in detail.values()):
        code = "duplicate"
    return envelope(message, code=code or "invalid", field_errors=field_errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF EXCEPTION_HANDLER: map every exception to the envelope."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, DomainError):
        field_errors = {exc.field: exc.message} if exc.field else {}
        data = envelope(exc.message, code=exc.code, field_errors=field_errors)
        if exc.status == status.HTTP_401_UNAUTHORIZED:
            # RFC 9110: a 401 names the scheme the client should use.
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if getattr(exc, "retry_after", None):
            headers["Retry-After"] = str(exc.retry_after)
        set_rollback()
        return Response(data, status=exc.status, headers=headers)

    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(math.ceil(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            data = _validation_envelope(exc)
        else:
            code = _first_code(exc.detail) or _DEFAULT_CODES.get(exc.status_code, "error")
            data = envelope(_first_message(exc.detail), code=code)
        set_rollback()
        return Response(data, status=exc.status_code, headers=headers)

    # Unexpected: log with the stack trace (the request id is on the line), answer
    # with the envelope and nothing of the internals.
    request = context.get("request")
    logger.exception("unhandled API error", extra={"path": getattr(request, "path", None)})
    set_rollback()
    return Response(
        envelope("Something went wrong on our side. It has been logged.", code="server_error"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_error(request: HttpRequest, status_code: int, detail: str) -> JsonResponse:
    """The envelope for errors Django answers before DRF sees the request (404/500)."""
    return JsonResponse(envelope(detail, code=_DEFAULT_CODES.get(status_code, "error")), status=status_code)


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, reading the rates when it runs rather than at import.

    DRF copies `DEFAULT_THROTTLE_RATES` onto the class once, so a changed setting
    (a test's override, say) would otherwise be ignored.
    """

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES


# --- OpenAPI: the envelope, documented once for every app -----------------------


class ErrorEnvelope(serializers.Serializer):
    """What every API error answers, whatever the status."""

    detail = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. `duplicate`, `token_not_valid`.")
    field_errors = serializers.DictField(
        child=serializers.CharField(), help_text="Input field → what is wrong with it; empty when no field is at fault."
    )


_ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, or invalid input (`field_errors` names the fields).",
    401: "No access token, or it is invalid, expired or revoked (`WWW-Authenticate: Bearer`).",
    403: "Authenticated, but not allowed to do this.",
    404: "No such object, or not visible to you.",
    405: "The method is not allowed on this URL.",
    409: "Clashes with existing data, e.g. an email or username already taken (`field_errors` names it).",
    413: "The upload is too large.",
    415: "Unsupported content type; send JSON.",
    429: "Too many requests; wait the seconds in `Retry-After`.",
    500: "Our fault; it has been logged. No internals are returned.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`@extend_schema(responses={200: Out, **error_responses(400, 404)})`: document errors as the envelope."""
    return {code: OpenApiResponse(ErrorEnvelope, description=_ERROR_DESCRIPTIONS[code]) for code in statuses}


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`; the answer carries `count`, `next`, `previous`, `limit`, `offset`."""

    default_limit = 20
    max_limit = 100

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "limit": self.limit,
                "offset": self.offset,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
