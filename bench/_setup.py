"""Shared set-up for the analytics benchmarks: Django on PostgreSQL, a database made if missing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_analytics"


def setup(database_url: str | None = None, *, redis_url: str | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-anything-real-0123456789abcdef")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publishing.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if redis_url:  # the Redis broker (the benchmark still starts its own worker, in this process)
        os.environ["REDIS_URL"] = redis_url
        os.environ["DRAMATIQ_NAMESPACE"] = "bench"
    else:
        os.environ.pop("REDIS_URL", None)  # one in-process worker on the StubBroker
    os.environ["DRAMATIQ_INPROCESS_WORKER"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _create_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_user(username: str):
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@bench.example", "role": User.Role.CREATOR}
    )
    return user


def bench_posts(creator, n: int) -> list:
    from django.utils import timezone

    from posts.models import Post

    have = list(Post.objects.filter(creator=creator).order_by("slug")[:n])
    Post.objects.bulk_create(
        [
            Post(
                creator=creator,
                title=f"Bench post {i}",
                slug=f"bench-post-{i:04d}",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
            )
            for i in range(len(have), n)
        ]
    )
    return list(Post.objects.filter(creator=creator).order_by("slug")[:n])
