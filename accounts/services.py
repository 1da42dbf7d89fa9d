"""Every write to accounts: registration, profiles, roles, API tokens, welcome email.

The web (allauth forms via accounts.adapters), the API and the workers all call these.
"""

from __future__ import annotations

import re
import uuid
from importlib import import_module
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts import tasks
from accounts.models import User
from publishing import pagecache
from publishing.errors import DomainError, RateLimitedError
from uploads import images

logger = structlog.get_logger(__name__)


class AccountError(DomainError):
    pass


class AuthError(DomainError):
    code = "not_authenticated"
    status = 401


def _check_unique(*, email: str | None = None, username: str | None = None, exclude: User | None = None) -> None:
    others = User.objects.all() if exclude is None else User.objects.exclude(pk=exclude.pk)
    if email is not None and others.filter(email__iexact=email).exists():
        raise AccountError("That email is already registered.", code="duplicate", field="email", status=409)
    if username is not None and others.filter(username__iexact=username).exists():
        raise AccountError("That username is taken.", code="duplicate", field="username", status=409)


@transaction.atomic
def register_user(*, email: str, username: str, password: str, role: str = User.Role.READER) -> User:
    """Create an account (the API's path; the web goes through allauth, then `finish_registration`)."""
    email = User.objects.normalize_email(email).strip()
    _check_unique(email=email, username=username)
    user = User(email=email, username=username, role=role)
    try:
        validate_password(password, user=user)
    except ValidationError as e:
        raise AccountError(" ".join(e.messages), code="weak_password", field="password") from e
    user.set_password(password)
    user.save()
    finish_registration(user=user, role=role)
    return user


def finish_registration(*, user: User, role: str) -> User:
    """What every new account gets, whichever door it came in by: its role and a welcome email."""
    if user.role != role:
        user.role = role
        user.save(update_fields=["role", "updated_at"])
    user_id = str(user.pk)
    transaction.on_commit(lambda: tasks.send_welcome_email.send(user_id))
    return user


@transaction.atomic
def update_profile(*, user: User, username: str | None = None, bio: str | None = None, avatar: Any = None) -> User:
    """Change what a user shows about themself. The caller has checked it is their own."""
    fields = ["updated_at"]
    if username is not None and username != user.username:
        _check_unique(username=username, exclude=user)
        user.username = username
        fields.append("username")
    if bio is not None:
        user.bio = bio
        fields.append("bio")
    if avatar is not None:
        # Stored as a clean re-encoded copy under a generated name, never the upload itself.
        data, info = images.reencode(avatar, max_width=512)
        user.avatar.save(f"{uuid.uuid4().hex}.{info.extension}", ContentFile(data), save=False)
        fields.append("avatar")
    user.save(update_fields=fields)
    transaction.on_commit(pagecache.invalidate)  # name, bio and avatar show on cached public pages
    return user


def become_creator(*, user: User) -> User:
    if user.role == User.Role.CREATOR:
        raise AccountError("You are already a creator.", code="already_creator", status=409)
    user.role = User.Role.CREATOR
    user.save(update_fields=["role", "updated_at"])
    transaction.on_commit(pagecache.invalidate)  # the public profile now shows a creator
    return user


def queue_email(*, message: EmailMessage) -> None:
    """Send an already-rendered email from a worker once the transaction commits."""
    payload = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }
    transaction.on_commit(lambda: tasks.send_email.send(payload))


def send_email_payload(*, payload: dict[str, Any]) -> None:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    message.send()


def send_welcome_email(*, user: User) -> None:
    context = {"user": user, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=f"Welcome to {settings.SITE_NAME}, {user.username}",
        body=render_to_string("accounts/email/welcome.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("accounts/email/welcome.html", context), "text/html")
    message.send()
    logger.info("welcome email sent", user_id=str(user.pk))


def _login_lockout_seconds() -> int:
    """The longest window in ACCOUNT_RATE_LIMITS["login_failed"] (e.g. "10/m/ip,5/5m/key" → 300)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    longest = 60
    for rate in settings.ACCOUNT_RATE_LIMITS.get("login_failed", "").split(","):
        match = re.fullmatch(r"\s*\d+/(\d*)([smhd])(/\w+)?\s*", rate)
        if match:
            longest = max(longest, int(match[1] or 1) * units[match[2]])
    return longest


def authenticate_user(*, request: HttpRequest, login: str, password: str) -> User:
    """Check an email-or-username and password for an API log-in.

    Goes through allauth, like the web log-in, so both share the per-account limit on
    failed attempts (ACCOUNT_RATE_LIMITS["login_failed"]): guessing one account's password
    from many addresses is stopped too.
    """
    from allauth.account.adapter import get_adapter

    credentials = {"email": login} if "@" in login else {"username": login}
    try:
        user = get_adapter(request).authenticate(request, password=password, **credentials)
    except ValidationError as e:
        if e.code != "too_many_login_attempts":
            raise
        raise RateLimitedError(
            "Too many failed log-in attempts. Try again later.", retry_after=_login_lockout_seconds()
        ) from e
    # allauth hands back an inactive user whose password matched (for its web page); not here.
    if user is None or not user.is_active:
        raise AuthError("Email/username or password is incorrect.", code="invalid_credentials")
    return user


# --- API tokens (allauth's headless JWT strategy) ---------------------------------
# Each API log-in gets its own server-side session; the tokens name it (encrypted).
# Deleting the session revokes its access and refresh tokens at once.


def _jwt():
    from allauth.headless.tokens.strategies.jwt import internal

    return internal


def _new_token_session(user: User) -> SessionBase:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN)
    store.create()
    return store


def _token_pair(access: str, refresh: str) -> dict[str, Any]:
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN,
        "refresh_token": refresh,
    }


def issue_tokens(*, user: User) -> dict[str, Any]:
    """Start an API session for `user` (already authenticated by the caller)."""
    jwt = _jwt()
    session = _new_token_session(user)
    access = jwt.create_access_token(user, session, {})
    refresh = jwt.create_refresh_token(user, session)
    session.save()
    return _token_pair(access, refresh)


def refresh_tokens(*, refresh_token: str) -> dict[str, Any]:
    """Swap a refresh token for a new pair. Each refresh token works once.

    Replaying one that was already used means it leaked or was stolen: the whole
    session is revoked, so neither the thief nor the owner can go on with it.
    """
    jwt = _jwt()
    payload = jwt.decode_token(refresh_token, "refresh")
    session = jwt.get_token_session(payload) if payload else None
    if payload is None or session is None:
        raise AuthError("The refresh token is invalid or has expired. Log in again.", code="token_not_valid")
    if payload["jti"] not in jwt.get_refresh_token_state(session):
        session.delete()
        raise AuthError(
            "This refresh token was already used; the session has been ended. Log in again.", code="token_reused"
        )
    user = jwt.validate_token_user(payload, session)
    if user is None:
        session.delete()
        raise AuthError("The refresh token is no longer valid. Log in again.", code="token_not_valid")
    access = jwt.create_access_token(user, session, {})
    jwt.invalidate_refresh_token(session, payload)
    refresh = jwt.create_refresh_token(user, session)
    session.save()
    return _token_pair(access, refresh)


def revoke_tokens(*, access_payload: dict[str, Any]) -> None:
    """Log an API client out: its access and refresh tokens stop working now."""
    session = _jwt().get_token_session(access_payload)
    if session is not None:
        session.delete()
