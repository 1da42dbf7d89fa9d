"""Cross-posting actors. Each takes ids and calls one service; retries are re-sends with a delay."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(max_retries=3)
def crosspost_published_post(post_id: str) -> None:
    """settings.POST_PUBLISHED_ACTORS: fan a published post out, one task per (post, network)."""
    from crossposting import services
    from posts.models import Post

    post = Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).first()
    if post is None:
        return
    services.start_crossposts(post=post)


# No Dramatiq retries: the service decides (temporary or not, and how long to wait, honouring
# Retry-After) and the actor re-sends itself with that delay.
@dramatiq.actor(max_retries=0, time_limit=120_000)
def send_crosspost(crosspost_id: int) -> None:
    from crossposting import services

    delay = services.send_crosspost(crosspost_id=crosspost_id)
    if delay is not None:
        send_crosspost.send_with_options(args=(crosspost_id,), delay=int(delay * 1000))


@dramatiq.actor(max_retries=0, time_limit=120_000)
def delete_remote_crosspost(crosspost_id: int) -> None:
    from crossposting import services

    delay = services.delete_remote(crosspost_id=crosspost_id)
    if delay is not None:
        delete_remote_crosspost.send_with_options(args=(crosspost_id,), delay=int(delay * 1000))
