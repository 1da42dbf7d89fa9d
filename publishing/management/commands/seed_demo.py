"""Create the demo content `make run` shows: users (passwords printed), then each app's data.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand

# Apps whose `demo.seed(stdout)` adds demo content, in dependency order.
DEMO_MODULES = ["accounts.demo", "posts.demo", "comments.demo", "subscriptions.demo", "analytics.demo"]


class Command(BaseCommand):
    help = "Create demo users and content (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as e:
                if e.name == name:
                    continue
                raise
            module.seed(self.stdout)
