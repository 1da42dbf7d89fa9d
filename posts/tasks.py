from __future__ import annotations

import dramatiq
from django.utils.module_loading import import_string
from dramatiq_crontab import cron


@dramatiq.actor(max_retries=10)
def announce_post_published(post_id: str) -> None:
    """The one 'post published' event: hand the post to every feature that reacts to it.

    Each reaction is its own actor (settings.POST_PUBLISHED_ACTORS), so a slow or failing
    one (a social network down) neither delays nor repeats the others.
    """
    from posts import services
    from posts.models import Post

    if not Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED).exists():
        return
    for path in services.post_published_actors():
        import_string(path).send(post_id)


@cron("* * * * *")
@dramatiq.actor(max_retries=0, time_limit=50_000)
def publish_scheduled_posts() -> None:
    """Every minute: publish scheduled posts whose time has come."""
    from posts import services

    services.publish_due_posts()
