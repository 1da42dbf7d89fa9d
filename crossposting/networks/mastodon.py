"""Mastodon with Mastodon.py: a status with the link; 500 characters or the instance's own limit."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import requests
from django.conf import settings
from mastodon import Mastodon, errors

from crossposting.networks import (
    Account,
    AuthError,
    Field,
    Payload,
    PermanentError,
    RemoteResult,
    TemporaryError,
    Verified,
    is_recent,
    truncate,
)

LINK_COST = 23  # Mastodon counts every URL as 23 characters, whatever its length


class _RememberingSession(requests.Session):
    """Keeps the last response, so a 429's Retry-After can be read (Mastodon.py drops it)."""

    last: requests.Response | None = None

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.last = super().request(*args, **kwargs)
        return self.last


def _retry_after(session: _RememberingSession) -> float | None:
    value = session.last.headers.get("Retry-After") if session.last is not None else None
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        from email.utils import parsedate_to_datetime

        from django.utils import timezone

        try:
            return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 0.0)
        except (TypeError, ValueError):
            return None


@contextmanager
def _errors(session: _RememberingSession) -> Iterator[None]:
    try:
        yield
    except errors.MastodonRatelimitError as e:
        raise TemporaryError("Mastodon is rate limiting us.", retry_after=_retry_after(session)) from e
    except errors.MastodonUnauthorizedError as e:
        raise AuthError("The Mastodon instance refused the access token.") from e
    except errors.MastodonServerError as e:
        raise TemporaryError(f"The Mastodon instance answered {e.args[1]}.", outcome_unknown=True) from e
    except errors.MastodonNetworkError as e:
        raise TemporaryError("The Mastodon instance could not be reached.", outcome_unknown=True) from e
    except errors.MastodonAPIError as e:
        status = e.args[1] if len(e.args) > 1 else 0
        message = e.args[3] if len(e.args) > 3 and e.args[3] else "request refused"
        if status == 403:
            raise AuthError(f"The Mastodon instance refused the access token ({message}).") from e
        raise PermanentError(f"Mastodon rejected the post ({status}: {message}).") from e


class MastodonNetwork:
    name = "mastodon"
    label = "Mastodon"
    char_limit = 500
    can_delete = True
    fields = (
        Field("instance_url", "Instance address", placeholder="https://mastodon.social"),
        Field("access_token", "Access token", secret=True, help="Preferences → Development → New application."),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        limit = int((account.options.get("char_limit") if account else None) or self.char_limit)  # type: ignore[call-overload]
        return limit - LINK_COST - 2

    def _client(self, account: Account) -> tuple[Mastodon, _RememberingSession]:
        session = _RememberingSession()
        client = Mastodon(
            api_base_url=account.instance_url,
            access_token=account.credentials["access_token"],
            session=session,
            ratelimit_method="throw",  # waiting is the worker's job, with a delayed retry
            request_timeout=settings.CROSSPOST_HTTP_TIMEOUT,
            version_check_mode="none",
        )
        return client, session

    def verify(self, *, account: Account) -> Verified:
        client, session = self._client(account)
        with _errors(session):
            me = client.account_verify_credentials()
            options: dict[str, object] = {}
            try:
                instance = client.instance_v2()
                options["char_limit"] = int(instance["configuration"]["statuses"]["max_characters"])
            except (errors.MastodonNotFoundError, KeyError, TypeError):
                pass  # an older server: the default 500
        host = account.instance_url.split("//", 1)[-1].rstrip("/")
        return Verified(handle=f"@{me['username']}@{host}", instance_url=account.instance_url, options=options)

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        client, session = self._client(account)
        text = truncate(payload.text, self.text_limit(account=account, link=payload.link))
        with _errors(session):
            status = client.status_post(
                status=f"{text}\n\n{payload.link}" if text else payload.link,
                visibility="public",
                # Same key on a retry: the instance returns the first status instead of a second one.
                idempotency_key=payload.key or None,
            )
        return RemoteResult(remote_id=str(status["id"]), remote_url=status.get("url") or "")

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """The account's newest statuses: one carrying this link.

        The idempotency key already covers a retry within the hour the instance keeps it; this covers
        a later one (a failed row retried by the creator).
        """
        client, session = self._client(account)
        with _errors(session):
            me = client.account_verify_credentials()
            statuses = client.account_statuses(me["id"], limit=40, exclude_replies=True, exclude_reblogs=True)
        for status in statuses:
            card = status.get("card") or {}
            linked = payload.link in html.unescape(status.get("content") or "") or card.get("url") == payload.link
            if linked and is_recent(status.get("created_at"), since):
                return RemoteResult(remote_id=str(status["id"]), remote_url=status.get("url") or "")
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        client, session = self._client(account)
        with _errors(session):
            client.status_delete(remote_id)


adapter = MastodonNetwork()
