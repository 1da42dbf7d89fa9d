"""One small adapter per social network, behind one interface.

A network is one module in this package that defines `adapter`, an object following
`Network`. The registry finds every such module, so adding a network is adding a file.
Adapters never touch the database: they get the decrypted account (`Account`) and
the post's payload, and answer with a `RemoteResult` or one of the errors below.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Protocol


class NetworkError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryError(NetworkError):
    """Worth retrying later: 429, 5xx, timeouts. `retry_after` is the network's wish, in seconds.

    `outcome_unknown`: the request may have been carried out although no answer came back (a timeout,
    a dropped connection, a 5xx from a gateway), so the post may be out; a 429 says it was not.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class PermanentError(NetworkError):
    """Retrying the same request cannot help (rejected content, unknown subreddit...)."""


class AuthError(PermanentError):
    """The network rejected the credentials (401/403): the creator must reconnect."""


class SkipError(NetworkError):
    """This post cannot go to this network at all (e.g. Instagram without an image)."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    help: str = ""
    placeholder: str = ""


@dataclass(frozen=True)
class Account:
    """A decrypted connection, as an adapter sees it."""

    credentials: dict[str, str]
    options: dict[str, object] = field(default_factory=dict)
    instance_url: str = ""
    handle: str = ""
    # A session the network gave on an earlier call (clear text here, encrypted at rest), and where to
    # hand a new or refreshed one so the next call can skip logging in.
    session: str = ""
    save_session: Callable[[str], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Verified:
    """What connecting learnt about the account."""

    handle: str
    instance_url: str = ""
    options: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Payload:
    text: str
    link: str
    title: str
    description: str = ""
    image_url: str = ""
    image: bytes | None = None
    image_type: str = ""
    # Stable per (post, network): networks that support idempotency keys get it.
    key: str = ""


@dataclass(frozen=True)
class RemoteResult:
    remote_id: str
    remote_url: str = ""


class Network(Protocol):
    name: str
    label: str
    char_limit: int
    fields: tuple[Field, ...]
    can_delete: bool

    def text_limit(self, *, account: Account | None, link: str) -> int:
        """Characters left for the creator's text once the link is added."""
        ...

    def verify(self, *, account: Account) -> Verified: ...

    def post(self, *, account: Account, payload: Payload) -> RemoteResult: ...

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """The account's post of `payload.link` made at or after `since`, if the network has one.

        Asked before posting again after a try whose outcome is unknown, so a post that went out
        although its answer was lost is recorded instead of posted twice. Looks at the most recent
        posts only (one page): retries come within hours of the lost answer.
        """
        ...

    def delete(self, *, account: Account, remote_id: str) -> None: ...


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` code points on a word boundary, with an ellipsis.

    Code points, not graphemes: a grapheme is one or more code points, so a text within
    the limit in code points is within it in graphemes too.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def parse_time(value: object) -> datetime | None:
    """A network's timestamp (ISO 8601, or Unix seconds) as an aware datetime; None if unreadable."""
    from datetime import UTC

    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_recent(value: object, since: datetime) -> bool:
    """Made at or after `since`; a post whose time can't be read counts (the link already matched)."""
    when = parse_time(value)
    return when is None or when >= since


@cache
def registry() -> dict[str, Network]:
    found: dict[str, Network] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        adapter = getattr(module, "adapter", None)
        if adapter is not None:
            found[adapter.name] = adapter
    return dict(sorted(found.items(), key=lambda item: item[1].label.lower()))


def get(name: str) -> Network:
    try:
        return registry()[name]
    except KeyError:
        raise PermanentError(f"Unknown network {name!r}.") from None


def label(name: str) -> str:
    adapter = registry().get(name)
    return adapter.label if adapter else name
