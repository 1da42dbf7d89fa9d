"""New-post emails through the real worker and a real SMTP server: each subscriber exactly once."""

from __future__ import annotations

import datetime as dt
import re
import threading
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from posts import services as posts
from publishing.errors import ConflictError
from subscriptions import services, tasks
from subscriptions.models import Delivery, Subscription
from tests.accounts.factories import UserFactory
from tests.conftest import SMTPSink, free_port


@pytest.fixture(autouse=True)
def _fast_sending(settings):
    settings.NEWPOST_EMAILS_PER_SECOND = 0  # no pacing in tests (pacing has its own test)
    settings.NEWPOST_BATCH_SIZE = 7
    settings.NEWPOST_RETRY_BASE_SECONDS = 0.2
    settings.NEWPOST_MAX_ATTEMPTS = 20


def readers(alice, n: int, **sub) -> list:
    users = UserFactory.create_batch(n)
    for u in users:
        s, _ = services.subscribe(subscriber=u, creator=alice)
        if sub:
            Subscription.objects.filter(pk=s.pk).update(**sub)
    return users


def publish(alice, title="Spring planting"):
    post = posts.create_post(creator=alice, title=title, subtitle="What to sow now", content="Sow **beans** now.")
    return posts.publish_post(post=post, by=alice)


def test_publish_emails_each_active_subscriber_once_with_both_parts_and_unsubscribe_headers(
    alice, jobs, smtp_server, client
):
    active = readers(alice, 20)
    email_off = readers(alice, 3, email_enabled=False)
    cancelled = readers(alice, 3, status=Subscription.Status.CANCELLED, cancelled_at=timezone.now())
    post = publish(alice)
    jobs.drain()

    assert len(smtp_server.messages) == 20
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(u.email for u in active)
    for u in email_off + cancelled:
        assert smtp_server.to(u.email) == []
    message = smtp_server.to(active[0].email)[0]
    assert message["Subject"] == "Spring planting — alice"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "What to sow now" in text
    assert "Sow **beans** now." in text
    assert "<strong>beans</strong>" in html
    assert post.full_url in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    # In-app too, for every active subscriber (email on or off), never for the cancelled.
    notified = set(Notification.objects.filter(kind="new_post").values_list("recipient_id", flat=True))
    assert notified == {u.pk for u in active + email_off}

    # The link in the body opens a one-button page; the header's URL unsubscribes by POST, no login.
    page_url = re.search(r"Unsubscribe with one click: (\S+)", text).group(1)
    assert client.get(urlsplit(page_url).path).status_code == 200
    assert client.post(urlsplit(one_click).path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Subscription.objects.get(subscriber=active[0], creator=alice).status == Subscription.Status.CANCELLED


def test_running_everything_again_sends_nothing_more(alice, jobs, smtp_server):
    readers(alice, 10)
    post = publish(alice)
    jobs.drain()
    assert len(smtp_server.messages) == 10

    with pytest.raises(ConflictError):
        posts.publish_post(post=post, by=alice)
    tasks.send_new_post_notifications.send(str(post.pk))
    ids = list(Delivery.objects.values_list("pk", flat=True))
    tasks.send_new_post_batch.send(str(post.pk), ids)
    tasks.send_new_post_batch.send(str(post.pk), ids)
    jobs.drain()
    assert len(smtp_server.messages) == 10
    assert Notification.objects.filter(kind="new_post").count() == 10


def test_the_same_batch_on_several_workers_at_once_sends_each_email_once(alice, jobs, smtp_server, settings):
    settings.NEWPOST_BATCH_SIZE = 500
    readers(alice, 25)
    post = posts.create_post(creator=alice, title="Raced", content="Body")
    with settings_actors(settings, []):
        posts.publish_post(post=post, by=alice)
    services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    # Two copies on the worker's two threads, three more in threads of our own, all at once.
    tasks.send_new_post_batch.send(str(post.pk), ids)
    tasks.send_new_post_batch.send(str(post.pk), ids)
    threads = [threading.Thread(target=run_batch_in_thread, args=(str(post.pk), ids)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    jobs.drain()
    assert len(smtp_server.messages) == 25
    assert len({m["To"] for m in smtp_server.messages}) == 25
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def run_batch_in_thread(post_id: str, ids: list[int]) -> None:
    try:
        tasks.send_new_post_batch.fn(post_id, ids)
    finally:
        connection.close()


# --- An SMTP server that misbehaves ----------------------------------------------


class FlakyHandler:
    """Answers RCPT with `code` for the first `failures` attempts (or forever for listed addresses)."""

    def __init__(
        self,
        sink: SMTPSink,
        *,
        failures: int = 0,
        code: str = "451 4.7.1 Try again later",
        refuse: set[str] | None = None,
        stop_after: int | None = None,
    ) -> None:
        self.sink, self.failures, self.code, self.refuse = sink, failures, code, refuse or set()
        self.stop_after = stop_after  # accept this many messages, then answer `code` for good
        self.rcpt_seen = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_seen += 1
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if self.rcpt_seen <= self.failures:
            return self.code
        if self.stop_after is not None and len(self.sink.messages) >= self.stop_after:
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def flaky_smtp(settings):
    controllers = []

    def start(**kwargs) -> tuple[SMTPSink, FlakyHandler]:
        sink = SMTPSink(host="127.0.0.1", port=free_port())
        handler = FlakyHandler(sink, **kwargs)
        controller = Controller(handler, hostname=sink.host, port=sink.port)
        controller.start()
        controllers.append(controller)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": sink.host, "port": sink.port, "timeout": 10},
            }
        }
        return sink, handler

    yield start
    for c in controllers:
        c.stop()


@pytest.mark.parametrize("code", ["451 4.7.1 Greylisted, try later", "452 4.3.1 Insufficient storage"])
def test_temporary_refusals_are_retried_until_every_email_is_sent_once(alice, jobs, flaky_smtp, code):
    sink, _handler = flaky_smtp(failures=4, code=code)
    users = readers(alice, 12)
    publish(alice)
    jobs.drain(timeout_ms=60_000)
    assert sorted(m["To"] for m in sink.messages) == sorted(u.email for u in users)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert max(Delivery.objects.values_list("attempts", flat=True)) > 1


def test_a_server_that_goes_away_mid_batch_is_retried(alice, jobs, flaky_smtp):
    sink, _handler = flaky_smtp(failures=2, code="421 4.3.2 Service shutting down")
    users = readers(alice, 9)
    publish(alice)
    jobs.drain(timeout_ms=60_000)
    assert sorted(m["To"] for m in sink.messages) == sorted(u.email for u in users)


def test_a_permanent_refusal_fails_that_delivery_and_the_others_go_out(alice, jobs, flaky_smtp):
    users = readers(alice, 10)
    gone = users[3]
    sink, _ = flaky_smtp(refuse={gone.email})
    publish(alice)
    jobs.drain()
    assert sorted(m["To"] for m in sink.messages) == sorted(u.email for u in users if u != gone)
    failed = Delivery.objects.get(subscriber=gone)
    assert failed.status == Delivery.Status.FAILED
    assert "550" in failed.last_error
    assert failed.attempts == 1  # no retry for a permanent refusal


def test_a_crashed_batch_is_finished_by_the_periodic_job(alice, jobs, smtp_server, settings):
    """Simulates a worker killed mid-batch: some sent, one claimed then abandoned, the rest never started."""
    users = readers(alice, 10)
    post = posts.create_post(creator=alice, title="Interrupted", content="Body")
    with settings_actors(settings, []):
        posts.publish_post(post=post, by=alice)
        jobs.drain()
    services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk)
    rows = list(Delivery.objects.order_by("pk"))
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    for d in rows[:4]:  # already went out before the crash
        Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENT, sent_at=long_ago, attempts=1)
    # claimed by the dead worker; its lease has run out
    Delivery.objects.filter(pk=rows[4].pk).update(attempts=1, locked_until=long_ago)
    Delivery.objects.update(updated_at=long_ago)

    tasks.resume_stalled_deliveries.send()
    jobs.drain()
    sent_to = sorted(m["To"] for m in smtp_server.messages)
    expected = sorted(
        Delivery.objects.filter(pk__in=[d.pk for d in rows[4:]]).values_list("subscriber__email", flat=True)
    )
    assert sent_to == expected
    assert len(sent_to) == 6
    assert len(users) == 10
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}

    # A post whose send is still moving is left alone.
    tasks.resume_stalled_deliveries.send()
    jobs.drain()
    assert len(smtp_server.messages) == 6


class settings_actors:
    """Publish without the new-post actor (to stage a crash by hand)."""

    def __init__(self, settings, actors):
        self.settings, self.actors = settings, actors

    def __enter__(self):
        self.old = self.settings.POST_PUBLISHED_ACTORS
        self.settings.POST_PUBLISHED_ACTORS = self.actors

    def __exit__(self, *exc):
        self.settings.POST_PUBLISHED_ACTORS = self.old


def test_an_unsubscribe_between_fan_out_and_sending_is_respected(alice, jobs, smtp_server, settings):
    users = readers(alice, 4)
    post = posts.create_post(creator=alice, title="Late", content="Body")
    with settings_actors(settings, []):
        posts.publish_post(post=post, by=alice)
    services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk)
    services.unsubscribe_from(subscriber=users[0], creator=alice)
    tasks.send_new_post_batch.send(str(post.pk), list(Delivery.objects.values_list("pk", flat=True)))
    jobs.drain()
    assert smtp_server.to(users[0].email) == []
    assert len(smtp_server.messages) == 3
    assert Delivery.objects.get(subscriber=users[0]).status == Delivery.Status.SKIPPED


def test_sending_is_paced_to_the_configured_rate(alice, smtp_server, db):
    import time

    from subscriptions import mailing

    post = publish_quietly(alice)
    post_mail = mailing.PostMail.build(post)
    started = time.monotonic()
    with mailing.Sender(rate=20) as sender:
        for i in range(6):
            sender.send(post_mail, to=f"r{i}@example.com", token="t")
    assert time.monotonic() - started >= 5 / 20  # 6 messages at 20/s: at least 5 intervals
    assert len(smtp_server.messages) == 6


def publish_quietly(alice):
    from tests.posts.factories import PostFactory

    return PostFactory(creator=alice, published=True)


def test_provider_throttling_is_temporary_and_a_bad_address_permanent():
    import smtplib

    import requests

    from subscriptions import mailing

    throttled = requests.Response()
    throttled.status_code = 429
    api_error = type("ProviderError", (Exception,), {})("slow down")
    api_error.response = throttled
    assert isinstance(mailing.classify(api_error), mailing.TemporaryFailure)
    assert isinstance(mailing.classify(smtplib.SMTPServerDisconnected("gone")), mailing.TemporaryFailure)
    assert isinstance(mailing.classify(ConnectionRefusedError()), mailing.TemporaryFailure)
    refused = smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})
    assert isinstance(mailing.classify(refused), mailing.PermanentFailure)
    assert isinstance(mailing.classify(smtplib.SMTPDataError(452, b"Too many")), mailing.TemporaryFailure)


def test_a_thousand_subscribers_get_exactly_a_thousand_emails(alice, jobs, smtp_server, settings):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    settings.NEWPOST_BATCH_SIZE = 200
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"k{i}", email=f"k{i}@example.com", password=password) for i in range(1000)]
    )
    now = timezone.now()
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber=u, creator=alice, subscribed_at=now)
            for u in User.objects.filter(username__startswith="k")
        ]
    )
    publish(alice)
    jobs.drain(timeout_ms=300_000)
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 1000
    assert len(set(recipients)) == 1000
    assert all(m["List-Unsubscribe"].startswith("<http") for m in smtp_server.messages)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 1000


def test_the_creators_post_analytics_show_the_emails_sent(alice, jobs, smtp_server, client, settings):
    settings.NEWPOST_BATCH_SIZE = 5  # several batches, each counting what it sent
    readers(alice, 12)
    readers(alice, 2, email_enabled=False)
    post = publish(alice)
    jobs.drain()
    jobs.drain()  # the batches' analytics events, sent as the batches finished
    assert len(smtp_server.messages) == 12

    client.force_login(alice)
    page = client.get(f"/dashboard/analytics/posts/{post.pk}/").content.decode()
    assert re.search(r"<dt>Emails sent</dt><dd>12</dd>", page)


def test_opening_the_posts_link_in_the_email_counts_an_email_click(alice, jobs, smtp_server, client, settings):
    readers(alice, 2)
    post = publish(alice)
    jobs.drain()
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    link = re.search(r'<a href="([^"]+)">Read it on', html).group(1).replace("&amp;", "&")
    assert link.startswith(post.full_url + "?")

    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    path = link.removeprefix(settings.SITE_URL)
    assert client.get(path, **browser).status_code == 200  # the reader clicks: the post opens
    assert client.get(post.get_absolute_url(), **browser).status_code == 200  # a read from elsewhere
    jobs.drain()

    client.force_login(alice)
    page = client.get(f"/dashboard/analytics/posts/{post.pk}/").content.decode()
    assert re.search(r"<dt>Email clicks</dt><dd>1</dd>", page)


def test_a_batch_stopped_by_the_server_counts_only_what_went_out(alice, jobs, flaky_smtp, settings):
    from analytics.models import DailyPostStats

    settings.NEWPOST_BATCH_SIZE = 50
    settings.NEWPOST_MAX_ATTEMPTS = 1  # the first refusal ends it: the rest fail for good
    readers(alice, 6)
    sink, _ = flaky_smtp(stop_after=4, code="421 4.3.2 Shutting down")
    post = publish(alice)
    jobs.drain()
    jobs.drain()
    assert len(sink.messages) == 4
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 2
    assert DailyPostStats.objects.get(post=post).emails_sent == 4


def test_each_copy_carries_its_own_unsubscribe_link_in_both_parts(alice, db, settings):
    """The prebuilt message: only the recipient's lines differ, and it decodes like Django's own."""
    from subscriptions import mailing

    settings.SITE_URL = "https://a-rather-long-host-name.example.com/with/a/prefix/that/pushes/lines"
    post = publish_quietly(alice)
    post_mail = mailing.PostMail.build(post)
    tokens = [services.unsubscribe_token(f"00000000-0000-0000-0000-00000000000{i}") for i in range(2)]
    raws = [post_mail.raw(to=f"r{i}@example.com", token=t) for i, t in enumerate(tokens)]
    for raw, token, i in zip(raws, tokens, range(2), strict=True):
        head, body = raw.split(b"\r\n\r\n", 1)
        assert max(len(line) for line in head.split(b"\r\n")) <= 998  # SMTP's limit; the URL header is long
        assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable's
        parsed = message_from_bytes(raw, policy=policy.default)
        portable = message_from_bytes(
            post_mail.message(to=f"r{i}@example.com", token=token).message().as_bytes(), policy=policy.default
        )
        page, one_click = mailing.unsubscribe_urls(token)
        assert parsed["To"] == f"r{i}@example.com"
        assert parsed["List-Unsubscribe"] == f"<{one_click}>"
        for kind in ("plain", "html"):
            body = parsed.get_body((kind,)).get_content().replace("\r\n", "\n")  # as on the wire
            assert body == portable.get_body((kind,)).get_content()
            assert page in body
            assert mailing.PLACEHOLDER not in body
    assert message_from_bytes(raws[0])["Message-ID"] != message_from_bytes(raws[1])["Message-ID"]


# --- A worker killed in the middle of a batch --------------------------------------

BATCH_IN_A_PROCESS = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
django.setup()
from django.conf import settings
from django.db import connections
name, port, post_id, ids = sys.argv[1:5]
connections["default"].settings_dict["NAME"] = name  # the test's database
settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                "OPTIONS": {"host": "127.0.0.1", "port": int(port), "timeout": 10}}}
settings.NEWPOST_EMAILS_PER_SECOND = 0
settings.NEWPOST_CLAIM_SECONDS = 1  # the dead worker's claim runs out quickly
from subscriptions import tasks
tasks.send_new_post_batch.fn(post_id, [int(i) for i in ids.split(",")])
"""


class KillOnMessage:
    """Takes the mail; on message number `kill_at`, SIGKILLs the sending process before answering 250."""

    def __init__(self, sink: SMTPSink, kill_at: int) -> None:
        self.sink, self.kill_at, self.victim = sink, kill_at, 0

    async def handle_DATA(self, server, session, envelope):
        import os
        import signal

        with self.sink.lock:
            self.sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            if len(self.sink.messages) == self.kill_at and self.victim:
                os.kill(self.victim, signal.SIGKILL)  # accepted, never acknowledged: the worst moment
        return "250 OK"


def test_a_worker_killed_mid_batch_sends_each_email_once_but_the_one_in_flight(alice, jobs, settings):
    import subprocess
    import sys
    import time

    settings.NEWPOST_STALL_SECONDS = 0
    users = readers(alice, 30)
    post = posts.create_post(creator=alice, title="Killed", content="Body")
    with settings_actors(settings, []):
        posts.publish_post(post=post, by=alice)
        jobs.drain()
    services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    sink = SMTPSink(host="127.0.0.1", port=free_port())
    handler = KillOnMessage(sink, kill_at=12)
    controller = Controller(handler, hostname=sink.host, port=sink.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": sink.host, "port": sink.port, "timeout": 10},
        }
    }
    try:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                BATCH_IN_A_PROCESS,
                str(connection.settings_dict["NAME"]),
                str(sink.port),
                str(post.pk),
                ",".join(map(str, ids)),
            ],
            cwd=str(settings.BASE_DIR),
        )
        handler.victim = worker.pid
        assert worker.wait(timeout=60) == -9
        # Every email the server acknowledged was recorded before the next one went out.
        assert len(sink.messages) == 12
        assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 11

        time.sleep(1.2)  # the dead worker's claim expires; the periodic job hands the rest out again
        tasks.resume_stalled_deliveries.send()
        jobs.drain()
    finally:
        controller.stop()

    received = [m["To"] for m in sink.messages]
    assert sorted(set(received)) == sorted(u.email for u in users)
    assert len(received) == 31  # the one in flight when the worker died went out twice; nothing else did
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_server_that_is_down_when_the_batch_starts_gets_the_emails_once_it_is_up(alice, jobs, settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    import time

    users = readers(alice, 5)
    sink = SMTPSink(host="127.0.0.1", port=port)
    controller = Controller(FlakyHandler(sink), hostname=sink.host, port=port)
    publish(alice)
    deadline = time.monotonic() + 30
    while not Delivery.objects.exclude(last_error="").exists():  # the first try found nobody listening
        assert time.monotonic() < deadline
        time.sleep(0.05)
    controller.start()
    try:
        jobs.drain(timeout_ms=60_000)
    finally:
        controller.stop()
    assert sorted(m["To"] for m in sink.messages) == sorted(u.email for u in users)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert max(Delivery.objects.values_list("attempts", flat=True)) > 1
