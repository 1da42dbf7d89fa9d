"""Demo subscriptions for `make run`: rita (the reader) follows ada and grace, and the creators follow each other.

Idempotent: `subscribe` keeps one row per pair. linus is left out of rita's list on purpose, so
the reader can try the Subscribe button.
"""

from __future__ import annotations

from typing import TextIO

from accounts.models import User
from subscriptions import services
from subscriptions.models import Subscription

# (subscriber, creator)
PAIRS = [("rita", "ada"), ("rita", "grace"), ("admin", "ada"), ("grace", "ada"), ("linus", "grace"), ("ada", "linus")]


def seed(stdout: TextIO) -> list[Subscription]:
    users = {u.username: u for u in User.objects.filter(username__in={name for pair in PAIRS for name in pair})}
    added: list[Subscription] = []
    for subscriber, creator in PAIRS:
        if subscriber not in users or creator not in users:
            continue
        if Subscription.objects.filter(subscriber=users[subscriber], creator=users[creator]).exists():
            continue
        sub, _created = services.subscribe(subscriber=users[subscriber], creator=users[creator])
        added.append(sub)
    stdout.write(f"Demo subscriptions: {len(added)} added (rita follows ada and grace).")
    return added
