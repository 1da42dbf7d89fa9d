"""Dramatiq set-up shared by the web process, the workers and the tests.

django_dramatiq builds the broker from `settings.DRAMATIQ_BROKER`. This module adds:
- `RequestIdMiddleware`, which carries the id of the request that sent a message into
  the job's log lines, so one request and the jobs it caused can be traced together;
- `start_inprocess_worker()`, the no-Redis mode: a worker thread (and the periodic job
  scheduler) inside the web process, so `make run` needs no Redis and jobs still run
  outside the request that sent them.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

import dramatiq
import structlog
from django.apps import apps
from dramatiq import Message, Middleware

logger = logging.getLogger(__name__)

_started = threading.Event()


class RequestIdMiddleware(Middleware):
    """Stamp each message with the current request id; bind it while the job runs."""

    def before_enqueue(self, broker: dramatiq.Broker, message: Message, delay: int) -> None:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id and "request_id" not in message.options:
            message.options["request_id"] = request_id

    def before_process_message(self, broker: dramatiq.Broker, message: Message) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=message.options.get("request_id"),
            actor=message.actor_name,
            message_id=message.message_id,
        )

    def after_process_message(
        self, broker: dramatiq.Broker, message: Message, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        structlog.contextvars.clear_contextvars()

    after_skip_message = after_process_message


def load_task_modules() -> None:
    """Import every app's `tasks` module so its actors (and cron jobs) are registered."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.tasks":
                raise


def start_inprocess_worker(*, threads: int = 2) -> dramatiq.Worker | None:
    """Start a Dramatiq worker and the cron scheduler as daemon threads of this process.

    Used only without Redis (the StubBroker keeps messages in this process's memory).
    Safe to call more than once; only the first call starts anything.
    """
    if _started.is_set():
        return None
    _started.set()
    load_task_modules()
    worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=threads, worker_timeout=250)
    worker.start()

    from dramatiq_crontab import scheduler

    threading.Thread(target=scheduler.start, name="cron-scheduler", daemon=True).start()
    logger.info("in-process dramatiq worker and scheduler started", extra={"threads": threads})
    return worker
