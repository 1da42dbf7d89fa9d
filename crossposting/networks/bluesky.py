"""Bluesky over the AT Protocol with the `atproto` SDK: a link card (external embed) plus a link facet.

Logging in (com.atproto.server.createSession) is rate limited per account (30 per 5 minutes, 300 a day),
so the session the SDK exports is kept (encrypted, on the connection) and reused; an expired one is
refreshed (refreshSession) and, if the refresh token is refused too, the app password logs in again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import httpx
from atproto import Client, SessionEvent, client_utils, models
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
    is_recent,
    truncate,
)

MAX_THUMB_BYTES = 1_000_000  # the lexicon's limit for an external embed's thumb
POST_COLLECTION = "app.bsky.feed.post"
# What a PDS answers (400) for an access or refresh token that is no longer good.
SESSION_ERRORS = {"ExpiredToken", "InvalidToken"}
T = TypeVar("T")


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except at.UnauthorizedError as e:
        raise AuthError(f"Bluesky refused the login or token ({e}).") from e
    except at.RateLimitExceededError as e:
        retry_after = e.retry_after
        if retry_after is None and e.reset_at is not None:
            from datetime import UTC

            retry_after = max((e.reset_at - datetime.now(UTC)).total_seconds(), 0.0)
        raise TemporaryError("Bluesky is rate limiting us.", retry_after=retry_after) from e
    except at.NetworkError as e:  # transport failures, timeouts, 409/413/502: the call may have gone through
        raise TemporaryError(f"Bluesky could not be reached ({e}).", outcome_unknown=True) from e
    except httpx.TransportError as e:  # what the SDK passes through unwrapped, e.g. a connection cut mid-answer
        raise TemporaryError(f"Bluesky could not be reached ({type(e).__name__}).", outcome_unknown=True) from e
    except at.BadRequestError as e:
        raise PermanentError(f"Bluesky rejected the post ({e}).") from e
    except at.LoginRequiredError as e:  # a stored session the SDK cannot read
        raise AuthError("Bluesky needs a new login.") from e
    except at.RequestException as e:
        status = e.response.status_code if e.response is not None else 0
        if status >= 500:
            raise TemporaryError(f"Bluesky answered {status}.", outcome_unknown=True) from e
        raise PermanentError(f"Bluesky rejected the request ({e}).") from e


def _session_refused(error: BaseException | None) -> bool:
    if isinstance(error, at.UnauthorizedError | at.LoginRequiredError):
        return True
    if isinstance(error, at.BadRequestError) and error.response is not None:
        return getattr(error.response.content, "error", None) in SESSION_ERRORS
    return False


class _Session:
    """A client with the account's stored session if there is one, else logged in with the app password."""

    def __init__(self, account: Account, *, reuse: bool = True) -> None:
        self.account = account
        self.client = Client(
            base_url=account.instance_url or settings.CROSSPOST_BLUESKY_URL,
            request=Request(timeout=settings.CROSSPOST_HTTP_TIMEOUT),
        )
        if account.save_session is not None:
            self.client.on_session_change(self._changed)
        self.fresh = False  # logged in or refreshed by this object: a refusal now is about the credentials
        if reuse and account.session:
            try:
                self.client.login(session_string=account.session, fetch_bsky_profile=False)  # no request
                self.client._should_refresh_session()  # reads the token's expiry: fails on a mangled session
            except Exception:  # whatever is wrong with a stored session, logging in again fixes it
                self._login()
        else:
            self._login()

    def _changed(self, event: SessionEvent, session: Any) -> None:
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH) and self.account.save_session is not None:
            self.account.save_session(session.export())

    def _login(self) -> None:
        creds = self.account.credentials
        with _errors():
            self.client.login(creds["handle"], creds["app_password"], fetch_bsky_profile=False)
        self.fresh = True

    def _renew(self) -> None:
        """ExpiredToken: com.atproto.server.refreshSession; when the refresh token is refused too, createSession."""
        self.fresh = True
        try:
            self.client._refresh_and_set_session()  # the SDK's own refresh, which also reports the new session
        except (at.UnauthorizedError, at.BadRequestError, at.LoginRequiredError):
            self._login()

    @property
    def did(self) -> str:
        session = self.client._session
        if session is None:
            raise AuthError("Bluesky did not open a session.")
        return session.did

    @property
    def handle(self) -> str:
        session = self.client._session
        return session.handle if session is not None else ""

    def call(self, fn: Callable[[Client], T]) -> T:
        """fn(client); a stored session that is refused is renewed once and the call made again.

        A refused call did nothing on the network, so making it again cannot post twice.
        """
        try:
            with _errors():
                return fn(self.client)
        except (AuthError, PermanentError) as e:
            if self.fresh or not _session_refused(e.__cause__):
                raise
        with _errors():
            self._renew()
            return fn(self.client)


def _post_url(did: str, uri: str) -> str:
    return f"https://bsky.app/profile/{did}/post/{AtUri.from_str(uri).rkey}"


def _field(obj: Any, name: str, json_name: str) -> Any:
    """A record's field, whether the SDK parsed it into a model or left it a dict."""
    if isinstance(obj, dict):
        return obj.get(json_name)
    return getattr(obj, name, None)


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

    def verify(self, *, account: Account) -> Verified:
        session = _Session(account, reuse=False)  # checking the app password itself
        return Verified(handle=session.handle, instance_url=account.instance_url, options={"did": session.did})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        session = _Session(account)
        did = session.did
        text = truncate(payload.text, self.text_limit(account=account, link=payload.link))
        # TextBuilder computes the facet's UTF-8 byte offsets (the lexicon counts bytes, not characters).
        builder = client_utils.TextBuilder().text(f"{text}\n" if text else "").link(payload.link, payload.link)
        thumb = None
        if payload.image and len(payload.image) <= MAX_THUMB_BYTES:
            image = payload.image
            thumb = session.call(lambda c: c.upload_blob(image).blob)
        embed = models.AppBskyEmbedExternal.Main(
            external=models.AppBskyEmbedExternal.External(
                uri=payload.link,
                title=payload.title[:300],
                description=payload.description[:1000],
                thumb=thumb,
            )
        )
        created = session.call(lambda c: c.send_post(builder, profile_identify=did, embed=embed))
        return RemoteResult(remote_id=created.uri, remote_url=_post_url(did, created.uri))

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """com.atproto.repo.listRecords (newest first): a post whose link card is this link."""
        session = _Session(account)
        did = session.did
        params = models.ComAtprotoRepoListRecords.Params(repo=did, collection=POST_COLLECTION, limit=50)
        listing = session.call(lambda c: c.com.atproto.repo.list_records(params))
        for record in listing.records:
            external = _field(_field(record.value, "embed", "embed"), "external", "external")
            if _field(external, "uri", "uri") == payload.link and is_recent(
                _field(record.value, "created_at", "createdAt"), since
            ):
                return RemoteResult(remote_id=record.uri, remote_url=_post_url(did, record.uri))
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        session = _Session(account)
        session.call(lambda c: c.delete_post(remote_id))


adapter = Bluesky()
