"""Reddit with praw: a link post to the subreddit chosen when connecting (a "script" OAuth app)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import praw
import prawcore
from django.conf import settings
from praw.exceptions import RedditAPIException
from prawcore.sessions import FiniteRetryStrategy

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


@dataclass(frozen=True)
class _NoRetry(FiniteRetryStrategy):
    """prawcore retries 5xx itself with sleeps; the worker retries with backoff instead (no stacking)."""

    DEFAULT_RETRIES: ClassVar[int] = 0  # also what makes it not sleep before the first try
    retries: int = 0


class _TimedRequestor(prawcore.Requestor):
    """Every call waits at most CROSSPOST_HTTP_TIMEOUT. prawcore gives API calls its own default
    (16 s, PRAWCORE_TIMEOUT), which wins over the requestor's; praw's `timeout` setting is whole seconds."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return super().request(*args, timeout=self.timeout, **kwargs)


def _float(value: object) -> float | None:
    try:
        return max(float(value), 0.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except prawcore.OAuthException as e:  # e.g. invalid_grant: wrong password
        raise AuthError(f"Reddit refused the credentials ({e.error}).") from e
    except (prawcore.Forbidden, prawcore.InvalidToken, prawcore.InsufficientScope) as e:
        raise AuthError("Reddit refused the credentials.") from e
    except prawcore.TooManyRequests as e:
        raise TemporaryError("Reddit is rate limiting us.", retry_after=_float(e.retry_after)) from e
    except prawcore.ServerError as e:
        raise TemporaryError(f"Reddit answered {e.response.status_code}.", outcome_unknown=True) from e
    except prawcore.RequestException as e:  # timeouts, connection errors: the call may have gone through
        raise TemporaryError(
            f"Reddit could not be reached ({type(e.original_exception).__name__}).", outcome_unknown=True
        ) from e
    except prawcore.ResponseException as e:
        status = e.response.status_code
        if status == 401:
            raise AuthError("Reddit refused the credentials.") from e
        if status >= 500:
            raise TemporaryError(f"Reddit answered {status}.", outcome_unknown=True) from e
        raise PermanentError(f"Reddit rejected the post ({status}).") from e
    except RedditAPIException as e:
        if any(item.error_type == "RATELIMIT" for item in e.items):
            raise TemporaryError(f"Reddit is rate limiting us ({e.items[0].message}).") from e
        raise PermanentError(f"Reddit rejected the post ({'; '.join(str(i) for i in e.items)}).") from e


class RedditNetwork:
    name = "reddit"
    label = "Reddit"
    char_limit = 300  # a submission's title
    can_delete = True
    fields = (
        Field("client_id", "App client id", help="From reddit.com/prefs/apps (a “script” app)."),
        Field("client_secret", "App secret", secret=True),
        Field("username", "Reddit username"),
        Field("password", "Reddit password", secret=True),
        Field("subreddit", "Subreddit to post to", placeholder="r/yoursubreddit"),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        return self.char_limit

    def _client(self, account: Account) -> praw.Reddit:
        creds = account.credentials
        reddit = praw.Reddit(
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            username=creds["username"],
            password=creds["password"],
            user_agent=f"{settings.SITE_NAME} cross-poster/1.0 (by u/{creds['username']})",
            oauth_url=settings.CROSSPOST_REDDIT_OAUTH_URL,
            reddit_url=settings.CROSSPOST_REDDIT_URL,
            check_for_updates=False,
            check_for_async=False,
            requestor_class=_TimedRequestor,
            requestor_kwargs={"timeout": settings.CROSSPOST_HTTP_TIMEOUT},
        )
        for core in (reddit._authorized_core, reddit._read_only_core):
            if core is not None:
                core._retry_strategy_class = _NoRetry
        return reddit

    @staticmethod
    def _subreddit(account: Account) -> str:
        return str(account.options.get("subreddit") or account.credentials.get("subreddit", "")).removeprefix("r/")

    def verify(self, *, account: Account) -> Verified:
        reddit = self._client(account)
        with _errors():
            me = reddit.user.me()
        return Verified(handle=f"u/{me.name}", options={"subreddit": self._subreddit(account)})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        reddit = self._client(account)
        title = truncate(payload.text or payload.title, self.char_limit)
        with _errors():
            submission = reddit.subreddit(self._subreddit(account)).submit(
                title=title, url=payload.link, resubmit=True, send_replies=False
            )
            submission_id = submission.id
        return RemoteResult(remote_id=submission_id, remote_url=f"https://www.reddit.com/comments/{submission_id}/")

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """The user's newest submissions (/user/{name}/submitted): a link post of this URL in the subreddit."""
        reddit = self._client(account)
        subreddit = self._subreddit(account).lower()
        with _errors():
            for submission in reddit.redditor(account.credentials["username"]).submissions.new(limit=25):
                if (
                    submission.url == payload.link
                    and submission.subreddit.display_name.lower() == subreddit
                    and is_recent(submission.created_utc, since)
                ):
                    return RemoteResult(
                        remote_id=submission.id, remote_url=f"https://www.reddit.com/comments/{submission.id}/"
                    )
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        reddit = self._client(account)
        with _errors():
            reddit.submission(id=remote_id).delete()


adapter = RedditNetwork()
