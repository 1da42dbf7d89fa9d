"""Bluesky's login session is kept (encrypted) and reused: createSession is rate limited per account."""

from __future__ import annotations

import pytest
from django.db import connection as db

from crossposting import crypto, services
from crossposting.models import Connection, CrossPost
from notifications.models import Notification

pytestmark = pytest.mark.django_db

CREATE_SESSION = ("POST", "/xrpc/com.atproto.server.createSession")
REFRESH_SESSION = ("POST", "/xrpc/com.atproto.server.refreshSession")
CREATE_RECORD = ("POST", "/xrpc/com.atproto.repo.createRecord")


def send(publish, title: str) -> CrossPost:
    post = publish(title)
    row = next(r for r in services.start_crossposts(post=post) if r.network == "bluesky")
    services.send_crosspost(crosspost_id=row.pk)
    row.refresh_from_db()
    return row


def stored_session(connection: Connection) -> str:
    connection.refresh_from_db()
    return crypto.decrypt(connection.session).get("session", "") if connection.session else ""


def test_two_sends_log_in_once(fake_api, connect, publish):
    connection = connect("bluesky")
    logins_at_connect = len(fake_api.calls(*CREATE_SESSION))

    first, second = send(publish, "Bulbs"), send(publish, "Tulips")

    assert first.status == second.status == CrossPost.Status.SENT
    assert len(fake_api.calls(*CREATE_SESSION)) - logins_at_connect == 1
    assert len(fake_api.calls(*CREATE_RECORD)) == 2
    assert stored_session(connection).split(":::")[1] == "did:plc:alicegardens12345"


def test_the_session_is_encrypted_at_rest(fake_api, connect, publish):
    connect("bluesky")
    send(publish, "Bulbs")

    sessions = fake_api.state["bluesky"]
    with db.cursor() as cursor:
        cursor.execute("SELECT session, credentials FROM crossposting_connection")
        stored = repr(cursor.fetchall())
    assert sessions.issued
    for token in sessions.issued:
        assert token not in stored
        assert token.split(".")[1] not in stored  # not even the JWT's claims


def test_an_expired_session_is_refreshed_not_logged_in_again(fake_api, connect, publish):
    connection = connect("bluesky")
    send(publish, "Bulbs")
    logins = len(fake_api.calls(*CREATE_SESSION))
    fake_api.state["bluesky"].expire_access_tokens()  # the PDS now answers 400 ExpiredToken

    row = send(publish, "Tulips")

    assert row.status == CrossPost.Status.SENT, row.error
    assert len(fake_api.calls(*REFRESH_SESSION)) == 1
    assert len(fake_api.calls(*CREATE_SESSION)) == logins
    refreshed = stored_session(connection)
    assert refreshed.split(":::")[2] in fake_api.state["bluesky"].access  # the new session was kept...

    send(publish, "Crocus")  # ...and is used as it is
    assert len(fake_api.calls(*REFRESH_SESSION)) == 1
    assert len(fake_api.calls(*CREATE_SESSION)) == logins


def test_a_refused_refresh_logs_in_again_with_the_app_password(fake_api, connect, publish):
    connect("bluesky")
    send(publish, "Bulbs")
    logins = len(fake_api.calls(*CREATE_SESSION))
    fake_api.state["bluesky"].expire_access_tokens()
    fake_api.state["bluesky"].expire_refresh_tokens()

    row = send(publish, "Tulips")

    assert row.status == CrossPost.Status.SENT, row.error
    assert len(fake_api.calls(*CREATE_SESSION)) == logins + 1
    assert len(fake_api.calls(*CREATE_RECORD)) == 2  # the refused try made nothing; one post each


def test_a_revoked_app_password_marks_the_connection_and_forgets_the_session(fake_api, connect, publish, alice):
    connection = connect("bluesky")
    send(publish, "Bulbs")
    fake_api.state["bluesky"].expire_access_tokens()
    fake_api.state["bluesky"].expire_refresh_tokens()
    fake_api.script(*CREATE_SESSION, (401, {"error": "AuthenticationRequired", "message": "Invalid password"}, {}))

    row = send(publish, "Tulips")

    connection.refresh_from_db()
    assert row.status == CrossPost.Status.FAILED
    assert "Reconnect" in row.error
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert connection.session == ""
    assert Notification.objects.filter(recipient=alice, kind="connection").count() == 1


def test_a_mangled_stored_session_is_replaced_by_a_login(fake_api, connect, publish):
    connection = connect("bluesky")
    Connection.objects.filter(pk=connection.pk).update(session=crypto.encrypt({"session": "not:::a:::session"}))

    row = send(publish, "Bulbs")

    assert row.status == CrossPost.Status.SENT, row.error
    assert stored_session(connection).count(":::") == 4


def test_reconnecting_drops_the_old_session(fake_api, connect, publish):
    connection = connect("bluesky")
    send(publish, "Bulbs")
    assert stored_session(connection)

    connect("bluesky")

    assert stored_session(connection) == ""
