"""Exactly once when an answer is lost: the network made the post but we never heard back (a timeout,
a dropped connection, a worker killed mid-call). The next try looks for the post before posting again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crossposting import services
from crossposting.models import CrossPost
from tests.crossposting import fakes
from tests.crossposting.conftest import CASES
from tests.crossposting.test_adapters import make_due, planned

pytestmark = pytest.mark.django_db
NETWORKS = list(CASES)

# Where each adapter looks for its own recent posts (the documented listing endpoints).
LOOKUPS = {
    "bluesky": ("GET", "/xrpc/com.atproto.repo.listRecords"),
    "mastodon": ("GET", "/api/v1/accounts/109348/statuses"),
    "reddit": ("GET", "/user/alice_writes/submitted"),
    "facebook": ("GET", "/v21.0/1234567890/published_posts"),
    "instagram": ("GET", "/v21.0/17841400000000001/media"),
    "threads": ("GET", "/v1.0/25000000000000001/threads"),
}


def made(api: fakes.FakeAPI, network: str) -> list[str]:
    """The ids of the posts the fake network really holds."""
    return {
        "bluesky": lambda: [r["uri"] for r in api.state["bluesky_records"]],
        "mastodon": lambda: [s["id"] for s in api.state["mastodon_statuses"]],
        "reddit": lambda: [s["data"]["id"] for s in api.state["reddit_submissions"]],
        "facebook": lambda: [p["id"] for p in api.state["facebook_posts"]],
        "instagram": lambda: [m["id"] for m in api.state["instagram_media"]],
        "threads": lambda: [t["id"] for t in api.state["threads_posts"]],
    }[network]()


@pytest.mark.parametrize("how", ["drop", "slow"])
@pytest.mark.parametrize("network", NETWORKS)
def test_a_post_whose_answer_was_lost_is_found_on_the_retry_not_posted_again(
    network, how, fake_api, connect, publish, settings
):
    connect(network)
    row = planned(publish(), network)
    settings.CROSSPOST_HTTP_TIMEOUT = 0.5
    fake_api.lose_answer(*CASES[network].post_route, how=how, delay=1.5)

    delay = services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert delay is not None, row.error
    assert row.status == CrossPost.Status.PENDING
    assert row.attempted_at is not None  # the outcome is unknown
    assert len(made(fake_api, network)) == 1  # ...but the network did make the post

    make_due(row)
    assert services.send_crosspost(crosspost_id=row.pk) is None

    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert made(fake_api, network) == [row.remote_id]
    assert row.remote_url.startswith("http")
    assert row.attempted_at is None
    assert len(fake_api.calls(*CASES[network].post_route)) == 1  # exactly one create reached the network
    assert len(fake_api.calls(*LOOKUPS[network])) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_a_request_that_never_arrived_is_looked_for_then_posted_once(network, fake_api, connect, publish):
    connect(network)
    row = planned(publish(), network)
    fake_api.script(*CASES[network].post_route, fakes.DROP_REQUEST)  # hung up before doing anything

    assert services.send_crosspost(crosspost_id=row.pk) is not None
    assert made(fake_api, network) == []
    make_due(row)
    services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert made(fake_api, network) == [row.remote_id]
    assert len(fake_api.calls(*LOOKUPS[network])) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_a_refusal_is_not_looked_for_since_nothing_was_made(network, fake_api, connect, publish):
    connect(network)
    row = planned(publish(), network)
    fake_api.script(*CASES[network].post_route, (429, {"error": "Too many requests"}, {"Retry-After": "1"}))

    services.send_crosspost(crosspost_id=row.pk)
    row.refresh_from_db()
    assert row.attempted_at is None
    make_due(row)
    services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert fake_api.calls(*LOOKUPS[network]) == []
    assert made(fake_api, network) == [row.remote_id]


@pytest.mark.parametrize("network", ["bluesky", "reddit", "threads"])
def test_a_send_interrupted_by_a_killed_worker_is_found_when_the_creator_retries(
    network, fake_api, connect, publish, django_capture_on_commit_callbacks
):
    connect(network)
    row = planned(publish(), network)
    fake_api.lose_answer(*CASES[network].post_route)
    services.send_crosspost(crosspost_id=row.pk)
    # The worker was killed before it could write anything: the row is left "sending".
    CrossPost.objects.filter(pk=row.pk).update(
        status=CrossPost.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )

    services.sweep_crossposts()
    row.refresh_from_db()
    assert row.status == CrossPost.Status.FAILED
    assert "will not post it twice" in row.error

    with django_capture_on_commit_callbacks(execute=False):
        services.retry_crosspost(crosspost=row)
    services.send_crosspost(crosspost_id=row.pk)

    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert made(fake_api, network) == [row.remote_id]
    assert len(fake_api.calls(*CASES[network].post_route)) == 1


def test_a_lookup_that_fails_keeps_the_doubt_for_the_next_try(fake_api, connect, publish):
    connect("reddit")
    row = planned(publish(), "reddit")
    fake_api.lose_answer(*CASES["reddit"].post_route)
    services.send_crosspost(crosspost_id=row.pk)
    fake_api.script(*LOOKUPS["reddit"], (429, {"message": "Too Many Requests", "error": 429}, {"Retry-After": "1"}))

    make_due(row)
    assert services.send_crosspost(crosspost_id=row.pk) is not None  # could not look: wait, don't post

    row.refresh_from_db()
    assert row.status == CrossPost.Status.PENDING
    assert row.attempted_at is not None
    make_due(row)
    services.send_crosspost(crosspost_id=row.pk)
    row.refresh_from_db()
    assert row.status == CrossPost.Status.SENT, row.error
    assert len(fake_api.calls(*CASES["reddit"].post_route)) == 1
