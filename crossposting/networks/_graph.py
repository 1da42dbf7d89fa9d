"""The Meta Graph API over plain HTTP (no maintained official Python SDK): Facebook, Instagram, Threads."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from crossposting.networks import AuthError, PermanentError, TemporaryError

# Graph error codes: 190 expired/invalid token, 102 session, 10 and 200-299 missing permission.
AUTH_CODES = {102, 190, 10}
# 4 app, 17 user, 32 page, 341, 613 call-rate limits: the call was refused, nothing was made.
RATE_LIMIT_CODES = {4, 17, 32, 341, 613}
# 1 and 2 "unknown/temporary error, retry": the call may or may not have been carried out.
TEMPORARY_CODES = {1, 2, *RATE_LIMIT_CODES}


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 0.0)
        except (TypeError, ValueError):
            return None


def call(base_url: str, method: str, path: str, *, token: str, label: str, **params: Any) -> dict[str, Any]:
    """One Graph API call. The token travels in a header, never in the URL (which HTTP libraries log)."""
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        if method == "GET":
            response = requests.get(url, params=params, headers=headers, timeout=settings.CROSSPOST_HTTP_TIMEOUT)
        else:
            response = requests.request(
                method, url, data=params, headers=headers, timeout=settings.CROSSPOST_HTTP_TIMEOUT
            )
    except requests.RequestException as e:
        raise TemporaryError(f"{label} could not be reached ({type(e).__name__}).", outcome_unknown=True) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.ok and "error" not in body:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    message = str(error.get("message") or response.reason or "error")[:300]
    status = response.status_code
    if status in (401, 403) or code in AUTH_CODES or (isinstance(code, int) and 200 <= code <= 299):
        raise AuthError(f"{label} refused the access token ({message}).")
    if status == 429 or code in RATE_LIMIT_CODES:
        raise TemporaryError(f"{label} is rate limiting us ({message}).", retry_after=_retry_after(response))
    if status >= 500 or code in TEMPORARY_CODES or error.get("is_transient"):
        raise TemporaryError(
            f"{label} answered {status} ({message}).", retry_after=_retry_after(response), outcome_unknown=True
        )
    raise PermanentError(f"{label} rejected the post ({message}).")
