"""Shared fixtures: the personas, a real Dramatiq worker, a real SMTP server, a browser."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from queue import Queue

import dramatiq
import pytest
from django.core.cache import caches
from dramatiq.brokers.stub import StubBroker
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + the ORM in tests


def clear_cache() -> None:
    """Empty this test process's cache. On Redis, cache.clear() is FLUSHDB, which would also
    wipe the keys of other test processes sharing the server (xdist, parallel checkouts),
    so only keys under this process's KEY_PREFIX are deleted there."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


# --- Personas ----------------------------------------------------------------


@pytest.fixture
def alice(db):
    """A creator: writes and publishes posts."""
    return UserFactory(username="alice", email="alice@example.com", role="creator", bio="I write about gardens.")


@pytest.fixture
def bob(db):
    """A reader: reads, comments and subscribes to alice."""
    return UserFactory(username="bob", email="bob@example.com", role="reader")


@pytest.fixture
def carol(db):
    """A stranger to alice and bob: a creator who must not see or touch their things."""
    return UserFactory(username="carol", email="carol@example.com", role="creator")


@pytest.fixture
def staff(db):
    """Staff: runs the site through the admin."""
    return UserFactory(username="sam", email="sam@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_for(user) -> str:
    from accounts import services

    return services.issue_tokens(user=user)["access_token"]


@pytest.fixture
def api_as():
    """`api_as(user)` → an APIClient that sends that user's bearer token."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


# --- Background jobs: a real worker on the configured broker --------------------


@dataclass
class Jobs:
    broker: dramatiq.Broker
    worker: dramatiq.Worker

    def drain(self, timeout_ms: int = 30_000) -> None:
        """Send this process's buffered analytics events, then wait until every queue is empty and the
        worker is idle (twice: jobs queue more jobs, e.g. a stored batch its aggregation run)."""
        from analytics import outbox

        outbox.flush()
        for _ in range(2):
            for queue in list(self.broker.get_declared_queues()):
                self.broker.join(queue, timeout=timeout_ms)
            self.worker.join()


@pytest.fixture
def jobs(transactional_db) -> Iterator[Jobs]:
    """A real Dramatiq worker (threads) on the site's broker: StubBroker locally, Redis in CI.

    Uses transactional_db, since the worker's own DB connection must see committed rows.
    """
    from analytics import outbox
    from publishing.broker import load_task_modules

    load_task_modules()
    broker = dramatiq.get_broker()
    reset_broker(broker)
    outbox.discard()  # events buffered by an earlier test, whose rows are gone
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        yield Jobs(broker=broker, worker=worker)
    finally:
        worker.stop()
        reset_broker(broker)


def reset_broker(broker: dramatiq.Broker) -> None:
    """Empty every queue. A stopped worker may still hold messages it had taken (a retry
    waiting out its backoff); the StubBroker would count them unfinished for ever, and a
    later test's join() would time out, so its queues are replaced outright."""
    broker.flush_all()
    if isinstance(broker, StubBroker):
        for name in list(broker.queues):
            broker.queues[name] = Queue()
        broker.dead_letters_by_queue.clear()


# --- A real SMTP server ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SMTPSink:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPSink]:
    """aiosmtpd on 127.0.0.1; the site's default mailer points at it for the test."""
    from aiosmtpd.controller import Controller

    sink = SMTPSink(host="127.0.0.1", port=free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": sink.host, "port": sink.port, "timeout": 10},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


# --- A real browser ------------------------------------------------------------

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator:
    """Debian's Chromium driven by Playwright (`playwright install` cannot download here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
