"""Typed readers for environment variables, each with a safe local default.

Every setting the site reads from the environment goes through one of these, so a
bad value fails at start-up with a clear message instead of misbehaving later.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string; `<NAME>_FILE` (a path to a file holding the value) wins, for secrets."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {e}") from e
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from e


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from e


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def mailer_from_url(url: str, *, default_file_path: Path) -> dict:
    """Turn EMAIL_URL into one MAILERS entry.

    smtp://user:password@host:587?tls=1 (or smtps:// for implicit TLS), console://,
    file:///path/to/dir, locmem://. Empty: files under var/mail/ a developer can read.
    """
    if not url:
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(default_file_path)},
        }
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = parts.scheme.lower()
    if scheme in {"smtp", "smtps"}:
        try:
            port = parts.port
            timeout = int(query.get("timeout", "30"))
        except ValueError as e:
            raise ImproperlyConfigured(f"EMAIL_URL has a bad port or timeout: {e}") from None
        use_tls = query.get("tls", "0").lower() in _TRUE
        use_ssl = scheme == "smtps" or query.get("ssl", "0").lower() in _TRUE
        if use_tls and use_ssl:
            # Django's SMTP backend would only refuse this when the first mail is sent.
            raise ImproperlyConfigured("EMAIL_URL: choose STARTTLS (smtp://...?tls=1) or implicit TLS (smtps://).")
        options: dict = {
            "host": parts.hostname or "localhost",
            "port": port or (465 if use_ssl else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": timeout,
        }
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path) or str(default_file_path)},
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported (smtp, smtps, console, file, locmem).")
