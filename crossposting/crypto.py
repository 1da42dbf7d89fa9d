"""Credentials at rest: Fernet with a key from settings, so the database never holds a token in clear."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def _keys() -> tuple[str, ...]:
    # CROSSPOST_ENCRYPTION_KEY may list several comma-separated keys: the first encrypts,
    # all decrypt (key rotation). Without it, a key derived from SECRET_KEY.
    configured = [k.strip() for k in (settings.CROSSPOST_ENCRYPTION_KEY or "").split(",") if k.strip()]
    if configured:
        return tuple(configured)
    digest = hashlib.sha256(b"crossposting-credentials:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


def encrypt(data: dict[str, str]) -> str:
    return _fernet(_keys()).encrypt(json.dumps(data).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet(_keys()).decrypt(token.encode()))
    except InvalidToken:
        # The key changed without rotation: the creator must connect again.
        return {}


def mask(secret: str) -> str:
    """What the page shows of a stored secret: never more than its last four characters."""
    if len(secret) <= 8:
        return "••••"
    return "••••" + secret[-4:]
