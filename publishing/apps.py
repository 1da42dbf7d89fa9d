from __future__ import annotations

import os
import sys

from django.apps import AppConfig
from django.conf import settings


def _is_server_process() -> bool:
    """True in the process that serves requests (not in manage.py migrate, shell, tests)."""
    if "runserver" in sys.argv:
        # With the autoreloader, the serving child has RUN_MAIN set.
        return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
    return "gunicorn" in os.path.basename(sys.argv[0]) if sys.argv else False


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing platform"

    def ready(self) -> None:
        if settings.DRAMATIQ_INPROCESS_WORKER and not settings.TESTING and _is_server_process():
            from publishing import broker

            broker.start_inprocess_worker()
