"""The web process's outbox: analytics events leave in batches, not one message per page view.

`add()` puts an event in this process's buffer and returns at once. The buffer goes to the
broker as one `process_analytics_events` message when it holds ANALYTICS_OUTBOX_BATCH
events (sent by the request that filled it), or when ANALYTICS_OUTBOX_SECONDS have passed
(sent by a daemon thread), and at exit. With ANALYTICS_OUTBOX_BATCH = 1 every event is
sent by its request, as before the outbox.

If the broker is down, the batch is dropped with a warning: analytics degrade, reading
never does. An abrupt kill loses at most the buffer (≤ one batch, ≤ one second of events).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Any

from django.conf import settings

logger = logging.getLogger("analytics.services")  # where operators (and the tests) look for analytics warnings

_lock = threading.Lock()
_buffer: list[dict[str, Any]] = []
_flusher: dict[int, threading.Thread] = {}  # per process id: a forked process starts its own


def add(payload: dict[str, Any]) -> bool:
    """Buffer one event; send the batch if it is full. Returns False only if a send failed (broker down)."""
    with _lock:
        _buffer.append(payload)
        full = len(_buffer) >= settings.ANALYTICS_OUTBOX_BATCH
    if full:
        return flush()
    _ensure_flusher()
    return True


def flush() -> bool:
    """Send whatever is buffered now, as one message. Returns False if the broker refused it."""
    with _lock:
        batch = _buffer[:]
        _buffer.clear()
    if not batch:
        return True
    from analytics import tasks

    try:
        tasks.process_analytics_events.send(batch)
    except Exception as e:  # the broker is down: analytics degrade, reading never does
        logger.warning("%d analytics event(s) dropped, broker unavailable: %s: %s", len(batch), type(e).__name__, e)
        return False
    return True


def pending() -> int:
    with _lock:
        return len(_buffer)


def discard() -> None:
    """Forget the buffer (tests: events of a test whose database is gone)."""
    with _lock:
        _buffer.clear()


def _run() -> None:
    while True:
        time.sleep(settings.ANALYTICS_OUTBOX_SECONDS)
        try:
            flush()
        except Exception:  # never let the thread die
            logger.exception("analytics outbox flush failed")


def _ensure_flusher() -> None:
    pid = os.getpid()
    if pid in _flusher:
        return
    with _lock:
        if pid in _flusher:
            return
        thread = threading.Thread(target=_run, name="analytics-outbox", daemon=True)
        _flusher.clear()
        _flusher[pid] = thread
    thread.start()


def _after_fork() -> None:
    """A forked worker process (gunicorn, …) starts empty: its parent's buffer is the parent's to send."""
    global _lock
    _lock = threading.Lock()
    _buffer.clear()
    _flusher.clear()


atexit.register(flush)
os.register_at_fork(after_in_child=_after_fork)
