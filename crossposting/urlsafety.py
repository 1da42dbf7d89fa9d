"""Server-side request forgery guard for addresses creators type in (Mastodon instance, Bluesky PDS)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURL(ValueError):
    pass


def check_public_url(url: str) -> str:
    """Refuse anything but https to a host that resolves only to public addresses.

    CROSSPOST_ALLOW_PRIVATE_HOSTS (tests, local development) lifts the rule. The check runs
    at connect time and again before each send; it does not pin the resolved address.
    """
    if getattr(settings, "CROSSPOST_ALLOW_PRIVATE_HOSTS", False):
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise UnsafeURL("Use an https:// address.")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"{parts.hostname} cannot be found.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise UnsafeURL(f"{parts.hostname} is not a public address.")
    return url
