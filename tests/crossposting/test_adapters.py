"""Every adapter, with its real client library, against a local server answering like the network's API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crossposting import services
from crossposting.models import Connection, CrossPost
from notifications.models import Notification
from tests.crossposting.conftest import CASES

pytestmark = pytest.mark.django_db
NETWORKS = list(CASES)


def planned(post, network: str) -> CrossPost:
    """The row the publish fan-out makes, already moved to pending (as start_crossposts does)."""
    rows = {r.network: r for r in services.start_crossposts(post=post)}
    row = rows[network]
    row.refresh_from_db()
    assert row.status == CrossPost.Status.PENDING
    return row


def make_due(row: CrossPost) -> None:
    CrossPost.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("network", NETWORKS)
def test_a_post_goes_out_once_with_the_remote_id(network, fake_api, connect, publish):
    connect(network)
    row = planned(publish(), network)

    assert services.send_crosspost(crosspost_id=row.pk) is None

    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert row.remote_id
    assert row.remote_url.startswith("http")
    assert len(fake_api.calls(*CASES[network].post_route)) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_a_429_waits_for_retry_after_then_succeeds(network, fake_api, connect, publish):
    connect(network)
    row = planned(publish(), network)
    fake_api.script(*CASES[network].post_route, (429, {"error": "Too many requests"}, {"Retry-After": "7"}))

    delay = services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert delay is not None
    assert delay >= 7
    assert row.status == CrossPost.Status.PENDING
    assert "rate limit" in row.error.lower()
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=5)
    # Not due yet: an early (duplicate) delivery does nothing.
    assert services.send_crosspost(crosspost_id=row.pk) is None
    assert len(fake_api.calls(*CASES[network].post_route)) == 1

    make_due(row)
    assert services.send_crosspost(crosspost_id=row.pk) is None
    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT
    assert row.attempts == 2
    assert len(fake_api.calls(*CASES[network].post_route)) == 2


@pytest.mark.parametrize("network", NETWORKS)
def test_a_500_is_retried_with_backoff(network, fake_api, connect, publish, settings):
    settings.CROSSPOST_RETRY_BASE_SECONDS = 30
    connect(network)
    row = planned(publish(), network)
    fake_api.script(*CASES[network].post_route, (500, {"error": "InternalServerError"}, {}))

    assert services.send_crosspost(crosspost_id=row.pk) == 30
    row.refresh_from_db()
    assert row.status == CrossPost.Status.PENDING

    make_due(row)
    services.send_crosspost(crosspost_id=row.pk)
    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error


@pytest.mark.parametrize("network", NETWORKS)
def test_a_401_marks_the_connection_and_tells_the_creator(network, fake_api, connect, publish, alice):
    connection = connect(network)
    row = planned(publish(), network)
    fake_api.script(*CASES[network].auth_route, CASES[network].auth_answer)

    assert services.send_crosspost(crosspost_id=row.pk) is None

    row.refresh_from_db()
    connection.refresh_from_db()
    assert row.status == CrossPost.Status.FAILED
    assert "Reconnect" in row.error
    assert connection.status == Connection.Status.NEEDS_REAUTH
    note = Notification.objects.get(recipient=alice, kind="connection")
    assert "Reconnect" in note.title
    assert len(fake_api.calls(*CASES[network].post_route)) == (
        1 if CASES[network].post_route == CASES[network].auth_route else 0
    )


@pytest.mark.parametrize("network", NETWORKS)
def test_a_redelivered_task_does_not_post_twice(network, fake_api, connect, publish):
    connect(network)
    row = planned(publish(), network)
    services.send_crosspost(crosspost_id=row.pk)
    # The same message again (broker redelivery), and a copy arriving while another worker holds the claim.
    assert services.send_crosspost(crosspost_id=row.pk) is None
    CrossPost.objects.filter(pk=row.pk).update(status=CrossPost.Status.SENDING)
    assert services.send_crosspost(crosspost_id=row.pk) is None

    assert len(fake_api.calls(*CASES[network].post_route)) == 1


def test_the_sweeper_fails_interrupted_sends_and_resends_lost_retries(
    fake_api, connect, publish, django_capture_on_commit_callbacks
):
    connect("mastodon")
    connect("bluesky")
    post = publish()
    rows = {r.network: r for r in services.start_crossposts(post=post)}
    long_ago = timezone.now() - timedelta(hours=1)
    CrossPost.objects.filter(pk=rows["mastodon"].pk).update(status=CrossPost.Status.SENDING, claimed_at=long_ago)
    CrossPost.objects.filter(pk=rows["bluesky"].pk).update(next_attempt_at=long_ago, updated_at=long_ago)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.sweep_crossposts() == (1, 1)

    interrupted = CrossPost.objects.get(pk=rows["mastodon"].pk)
    assert interrupted.status == CrossPost.Status.FAILED
    assert "interrupted" in interrupted.error
    assert len(callbacks) == 1
    assert fake_api.calls("POST", "/api/v1/statuses") == []  # an unknown outcome is never re-posted blindly


@pytest.mark.parametrize("network", NETWORKS)
def test_a_refused_post_fails_at_once_with_the_networks_reason(network, fake_api, connect, publish):
    from tests.crossposting.conftest import REFUSALS

    connection = connect(network)
    row = planned(publish(), network)
    route, answer = REFUSALS[network]
    fake_api.script(*route, answer)

    assert services.send_crosspost(crosspost_id=row.pk) is None  # no retry

    row.refresh_from_db()
    connection.refresh_from_db()
    assert row.status == CrossPost.Status.FAILED
    assert row.attempts == 1
    assert "rejected" in row.error
    assert connection.status == Connection.Status.OK


@pytest.mark.parametrize("network", NETWORKS)
def test_a_timeout_is_retried(network, fake_api, connect, publish, settings):
    connect(network)
    row = planned(publish(), network)
    settings.CROSSPOST_HTTP_TIMEOUT = 0.3
    fake_api.script(*CASES[network].auth_route, (200, {}, {"X-Fake-Delay": "1"}))

    delay = services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert delay is not None, row.error
    assert row.status == CrossPost.Status.PENDING
    assert "reached" in row.error or "answered" in row.error


def test_temporary_failures_give_up_after_the_last_attempt(fake_api, connect, publish, settings):
    settings.CROSSPOST_MAX_ATTEMPTS = 2
    connect("mastodon")
    row = planned(publish(), "mastodon")
    fake_api.script("POST", "/api/v1/statuses", *[(503, {"error": "Service Unavailable"}, {})] * 2)

    assert services.send_crosspost(crosspost_id=row.pk) is not None
    make_due(row)
    assert services.send_crosspost(crosspost_id=row.pk) is None

    row.refresh_from_db()
    assert row.status == CrossPost.Status.FAILED
    assert "Gave up after 2 tries" in row.error
