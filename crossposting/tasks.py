"""Cross-posting actors. Each takes ids and calls one service; retries are re-sends with a delay."""

from __future__ import annotations

import dramatiq
from django.db import OperationalError
from dramatiq_crontab import cron


def _database_hiccup(retries: int, exception: BaseException) -> bool:
    """Retry only when the database failed us (locked, connection lost): nothing was claimed or sent then."""
    return retries < 5 and isinstance(exception, OperationalError)


@dramatiq.actor(max_retries=3)
def crosspost_published_post(post_id: str) -> None:
    """settings.POST_PUBLISHED_ACTORS: fan a published post out, one task per (post, network)."""
    from crossposting import services
    from posts.models import Post

    post = Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).first()
    if post is None:
        return
    services.start_crossposts(post=post)


# Dramatiq retries only database hiccups: the service decides (temporary or not, and how long to wait, honouring
# Retry-After) and the actor re-sends itself with that delay.
@dramatiq.actor(retry_when=_database_hiccup, min_backoff=200, max_backoff=5_000, time_limit=120_000)
def send_crosspost(crosspost_id: int) -> None:
    from crossposting import services

    delay = services.send_crosspost(crosspost_id=crosspost_id)
    if delay is not None:
        send_crosspost.send_with_options(args=(crosspost_id,), delay=int(delay * 1000))


@dramatiq.actor(retry_when=_database_hiccup, min_backoff=200, max_backoff=5_000, time_limit=120_000)
def delete_remote_crosspost(crosspost_id: int) -> None:
    from crossposting import services

    delay = services.delete_remote(crosspost_id=crosspost_id)
    if delay is not None:
        delete_remote_crosspost.send_with_options(args=(crosspost_id,), delay=int(delay * 1000))


@cron("*/5 * * * *")
@dramatiq.actor(max_retries=0, time_limit=60_000)
def sweep_crossposts() -> None:
    """Every 5 minutes: fail interrupted sends, resend pending ones whose retry message was lost."""
    from crossposting import services

    services.sweep_crossposts()
