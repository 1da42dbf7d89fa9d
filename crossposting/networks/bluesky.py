"""Bluesky over the AT Protocol with the `atproto` SDK: a link card (external embed) plus a link facet."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from atproto import Client, client_utils, models
from atproto_client import exceptions as at
from atproto_client.request import Request
from atproto_core.uri import AtUri
from django.conf import settings

from crossposting.networks import (
    Account,
    AuthError,
    Field,
    Payload,
    PermanentError,
    RemoteResult,
    TemporaryError,
    Verified,
    truncate,
)

MAX_THUMB_BYTES = 1_000_000  # the lexicon's limit for an external embed's thumb


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except at.UnauthorizedError as e:
        raise AuthError(f"Bluesky refused the login or token ({e}).") from e
    except at.RateLimitExceededError as e:
        retry_after = e.retry_after
        if retry_after is None and e.reset_at is not None:
            from datetime import UTC, datetime

            retry_after = max((e.reset_at - datetime.now(UTC)).total_seconds(), 0.0)
        raise TemporaryError("Bluesky is rate limiting us.", retry_after=retry_after) from e
    except at.NetworkError as e:  # transport failures, timeouts, 409/413/502
        raise TemporaryError(f"Bluesky could not be reached ({e}).") from e
    except at.BadRequestError as e:
        raise PermanentError(f"Bluesky rejected the post ({e}).") from e
    except at.RequestException as e:
        status = e.response.status_code if e.response is not None else 0
        if status >= 500:
            raise TemporaryError(f"Bluesky answered {status}.") from e
        raise PermanentError(f"Bluesky rejected the request ({e}).") from e


class Bluesky:
    name = "bluesky"
    label = "Bluesky"
    char_limit = 300  # graphemes
    can_delete = True
    fields = (
        Field("handle", "Handle", placeholder="you.bsky.social"),
        Field("app_password", "App password", secret=True, help="Create one under Settings → App passwords."),
        Field("instance_url", "PDS address", required=False, placeholder="https://bsky.social"),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        return self.char_limit - len(link) - 1

    def _client(self, account: Account) -> tuple[Client, str, str]:
        """A logged-in client (com.atproto.server.createSession), with the account's DID and handle."""
        client = Client(
            base_url=account.instance_url or settings.CROSSPOST_BLUESKY_URL,
            request=Request(timeout=settings.CROSSPOST_HTTP_TIMEOUT),
        )
        with _errors():
            client.login(account.credentials["handle"], account.credentials["app_password"], fetch_bsky_profile=False)
        session = client._session
        if session is None:
            raise AuthError("Bluesky did not open a session.")
        return client, session.did, session.handle

    def verify(self, *, account: Account) -> Verified:
        _, did, handle = self._client(account)
        return Verified(handle=handle, instance_url=account.instance_url, options={"did": did})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        client, did, _ = self._client(account)
        text = truncate(payload.text, self.text_limit(account=account, link=payload.link))
        # TextBuilder computes the facet's UTF-8 byte offsets (the lexicon counts bytes, not characters).
        builder = client_utils.TextBuilder().text(f"{text}\n" if text else "").link(payload.link, payload.link)
        with _errors():
            thumb = None
            if payload.image and len(payload.image) <= MAX_THUMB_BYTES:
                thumb = client.upload_blob(payload.image).blob
            embed = models.AppBskyEmbedExternal.Main(
                external=models.AppBskyEmbedExternal.External(
                    uri=payload.link,
                    title=payload.title[:300],
                    description=payload.description[:1000],
                    thumb=thumb,
                )
            )
            created = client.send_post(builder, profile_identify=did, embed=embed)
        rkey = AtUri.from_str(created.uri).rkey
        return RemoteResult(remote_id=created.uri, remote_url=f"https://bsky.app/profile/{did}/post/{rkey}")

    def delete(self, *, account: Account, remote_id: str) -> None:
        client, _, _ = self._client(account)
        with _errors():
            client.delete_post(remote_id)


adapter = Bluesky()
