"""Tokens and passwords at rest: the database never holds them in clear text."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection as db

from crossposting import crypto, services
from tests.crossposting import fakes

pytestmark = pytest.mark.django_db

SECRETS = [fakes.BSKY_PASSWORD, fakes.MASTODON_TOKEN, fakes.REDDIT_PASSWORD, "client-secret-456", fakes.GRAPH_TOKEN]


def raw_rows() -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM crossposting_connection")
        return repr(cursor.fetchall())


def test_no_secret_is_stored_in_clear(connect):
    for network in ("bluesky", "mastodon", "reddit", "facebook", "instagram", "threads"):
        connect(network)

    stored = raw_rows()
    assert "alice.bsky.test" in stored  # the rows are there...
    for secret in SECRETS:
        assert secret not in stored  # ...but no secret in any column


def test_credentials_decrypt_with_the_key_and_the_page_shows_only_a_hint(connect):
    connection = connect("mastodon")

    assert crypto.decrypt(connection.credentials)["access_token"] == fakes.MASTODON_TOKEN
    assert connection.hint == "••••9876"


def test_a_configured_key_is_used_and_rotation_keeps_old_rows_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CROSSPOST_ENCRYPTION_KEY = old
    token = crypto.encrypt({"access_token": "s3cret-value"})
    assert Fernet(old.encode()).decrypt(token.encode())  # really that key, not the SECRET_KEY fallback

    settings.CROSSPOST_ENCRYPTION_KEY = f"{new},{old}"
    assert crypto.decrypt(token) == {"access_token": "s3cret-value"}
    assert Fernet(new.encode()).decrypt(crypto.encrypt({"a": "b"}).encode())


def test_a_lost_key_reads_as_no_credentials_not_a_crash(settings):
    token = crypto.encrypt({"access_token": "s3cret-value"})
    settings.CROSSPOST_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert crypto.decrypt(token) == {}


def test_no_secret_reaches_the_logs_even_at_debug_level(connect, publish, caplog):
    import logging

    from crossposting.models import CrossPost

    caplog.set_level(logging.DEBUG)
    networks = ("bluesky", "mastodon", "reddit", "facebook", "instagram", "threads")
    for network in networks:
        connect(network)
    post = publish()
    for row in services.start_crossposts(post=post):
        services.send_crosspost(crosspost_id=row.pk)

    assert CrossPost.objects.filter(post=post, status=CrossPost.Status.SENT).count() == len(networks)
    assert caplog.records  # the HTTP libraries did log their requests...
    for secret in SECRETS:
        assert secret not in caplog.text  # ...without a secret in them
