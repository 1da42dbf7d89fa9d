"""Publishing end to end: the real broker and worker send every cross-post, once."""

from __future__ import annotations

import pytest

from crossposting.models import Connection, CrossPost
from notifications.models import Notification
from tests.crossposting.conftest import CASES

pytestmark = pytest.mark.slow


def test_publishing_sends_one_crosspost_per_connected_network(jobs, fake_api, connect, publish):
    for network in CASES:
        connect(network)

    post = publish("Tulips & 🌷 in November")
    jobs.drain()

    rows = {r.network: r for r in CrossPost.objects.filter(post=post)}
    assert set(rows) == set(CASES)
    for network, row in rows.items():
        assert row.status == CrossPost.Status.SENT, (network, row.error)
        assert row.remote_id, network
        assert len(fake_api.calls(*CASES[network].post_route)) == 1, network


def test_a_post_without_cover_is_skipped_on_instagram_with_the_reason(jobs, fake_api, connect, publish):
    connect("instagram")
    connect("mastodon")

    post = publish(cover=False)
    jobs.drain()

    instagram = CrossPost.objects.get(post=post, network="instagram")
    assert instagram.status == CrossPost.Status.SKIPPED
    assert "cover image" in instagram.error
    assert fake_api.calls("POST", "/v21.0/17841400000000001/media") == []
    assert CrossPost.objects.get(post=post, network="mastodon").status == CrossPost.Status.SENT


def test_the_worker_waits_for_retry_after_and_then_sends(jobs, fake_api, connect, publish):
    connect("mastodon")
    fake_api.script("POST", "/api/v1/statuses", (429, {"error": "Too many requests"}, {"Retry-After": "1"}))

    post = publish()
    jobs.drain()

    row = CrossPost.objects.get(post=post, network="mastodon")
    assert row.status == CrossPost.Status.SENT
    assert row.attempts == 2
    tries = fake_api.calls("POST", "/api/v1/statuses")
    assert len(tries) == 2
    # Mastodon's idempotency key is the same on the retry, so the instance can never make two statuses.
    assert tries[0].headers["Idempotency-Key"] == tries[1].headers["Idempotency-Key"]


def test_a_revoked_token_marks_the_connection_and_emails_the_creator(jobs, fake_api, connect, publish, smtp_server):
    connection = connect("bluesky")
    fake_api.script("POST", "/xrpc/com.atproto.server.createSession", CASES["bluesky"].auth_answer)

    post = publish()
    jobs.drain()

    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert CrossPost.objects.get(post=post, network="bluesky").status == CrossPost.Status.FAILED
    assert Notification.objects.filter(recipient=connection.creator, kind="connection").count() == 1
    mails = smtp_server.to("alice@example.com")
    assert len(mails) == 1
    assert "Reconnect your Bluesky account" in mails[0]["Subject"]


def test_announcing_twice_does_not_post_twice(jobs, fake_api, connect, publish):
    from crossposting import tasks

    connect("mastodon")
    post = publish()
    jobs.drain()
    tasks.crosspost_published_post.send(str(post.pk))  # a redelivered "post published" event
    jobs.drain()

    assert len(fake_api.calls("POST", "/api/v1/statuses")) == 1


@pytest.mark.parametrize("network", [n for n in CASES if n != "bluesky"])  # Bluesky: the test above
def test_a_rejected_token_on_any_network_marks_the_connection_and_emails_the_creator(
    network, jobs, fake_api, connect, publish, smtp_server
):
    connection = connect(network)
    fake_api.script(*CASES[network].auth_route, CASES[network].auth_answer)

    post = publish()
    jobs.drain()

    connection.refresh_from_db()
    row = CrossPost.objects.get(post=post, network=network)
    assert row.status == CrossPost.Status.FAILED
    assert "Reconnect" in row.error
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert Notification.objects.filter(recipient=connection.creator, kind="connection").count() == 1
    mails = smtp_server.to("alice@example.com")
    assert len(mails) == 1
    assert f"Reconnect your {connection.network_label} account" in mails[0]["Subject"]


@pytest.mark.parametrize("network", list(CASES))
def test_a_lost_answer_is_found_by_the_workers_retry_and_never_posted_twice(network, jobs, fake_api, connect, publish):
    from tests.crossposting.test_lost_answers import LOOKUPS, made

    connect(network)
    fake_api.lose_answer(*CASES[network].post_route)  # the network makes the post, its answer never arrives

    post = publish()
    jobs.drain()

    row = CrossPost.objects.get(post=post, network=network)
    assert row.status == CrossPost.Status.SENT, row.error
    assert row.attempts == 2
    assert made(fake_api, network) == [row.remote_id]
    assert len(fake_api.calls(*CASES[network].post_route)) == 1
    assert len(fake_api.calls(*LOOKUPS[network])) == 1


def test_the_database_never_holds_a_token_in_clear_text(jobs, fake_api, connect, publish):
    from django.db import connection as db

    from tests.crossposting import fakes

    for network in CASES:
        connect(network)
    post = publish()
    jobs.drain()
    assert CrossPost.objects.filter(post=post, status=CrossPost.Status.SENT).count() == len(CASES)

    dump = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            dump.append(repr(cursor.fetchall()))
    everything = "\n".join(dump)
    assert "alice.bsky.test" in everything  # the connections are there...
    secrets = [
        fakes.BSKY_PASSWORD,
        fakes.MASTODON_TOKEN,
        fakes.REDDIT_PASSWORD,
        "client-secret-456",
        fakes.REDDIT_TOKEN,
        fakes.GRAPH_TOKEN,
        *fake_api.state["bluesky"].issued,  # Bluesky's session tokens, kept between sends
    ]
    for secret in secrets:
        assert secret not in everything  # ...and no password, token or session in any table
