"""Domain errors. Services raise them; views and the API translate them for people."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken. `code` is stable and machine-readable.

    `status` is the HTTP status the API answers with; `field` names the input at fault,
    when there is one, so forms and the API can point at it.
    """

    code = "invalid"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field


class ConflictError(DomainError):
    """The request is valid but clashes with the current state (409)."""

    code = "conflict"
    status = 409


class RateLimitedError(DomainError):
    """Too many attempts (429); `retry_after` is the seconds to wait, sent as `Retry-After`."""

    code = "throttled"
    status = 429

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
