"""Requests/s and latency of the reader pages, as a logged-out visitor sees them.

    .venv/bin/python bench/pages.py [--database-url URL] [--duration 10] [--connections 8]

Creates the PostgreSQL database if it is missing, migrates, seeds demo content (long
posts with code, tables and images, filler posts so the home page is full, and 60
comments on the benchmarked post), then for
each configuration starts gunicorn (2 sync workers, DEBUG off, Redis cache) and runs
`wrk` (Debian package `wrk`) against:

  post page and home page  uncached (PAGE_CACHE_SECONDS=0) and cached (page cache on Redis)
  a bare view: one tiny template, one query       and the same behind Django's cache_page

It prints requests/s and p50/p99 latency per URL: the best of --rounds interleaved runs
(all rounds shown), since on a shared machine other load only ever slows a run down, and
the CPU time the gunicorn workers spent per request (user + system, from /proc/<pid>/stat):
unlike requests/s, that figure hardly moves with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_pages"
CACHE_URL = "redis://127.0.0.1:6379/9"
FILLER_POSTS = 40
COMMENTS, COMMENT_WRITERS = 60, 12


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


SEED_FILLER = f"""
from posts import services
from posts.models import Post
from accounts.models import User
ada = User.objects.get(username="ada")
source = Post.objects.filter(creator=ada, status="published").first()
have = Post.objects.filter(creator=ada, title__startswith="Field notes #").count()
for n in range(have, {FILLER_POSTS}):
    post = services.create_post(creator=ada, title=f"Field notes #{{n + 1}}", subtitle=source.subtitle,
                                content=source.content, tags=["Software", "Notes"])
    services.publish_post(post=post, by=ada)
print(Post.objects.filter(status="published").count(), "published posts")
try:
    from comments import services as comments
    from comments.models import Comment
except ImportError:  # the comments app is not there
    comments = None
if comments:
    post = Post.objects.get(creator=ada, title="The boring parts win")
    readers = [User.objects.get_or_create(username=f"bench-reader-{{i}}",
                                          defaults={{"email": f"r{{i}}@example.com"}})[0]
               for i in range({COMMENT_WRITERS})]
    have = Comment.objects.filter(post=post).count()
    for n in range(have, {COMMENTS}):
        parent = Comment.objects.filter(post=post, parent=None).order_by("?").first() if n % 3 == 2 else None
        comments.post_comment(post=post, user=readers[n % len(readers)], parent=parent,
                              content=f"Comment {{n + 1}}: thanks, this matches what I have seen in production. " * 2)
    print(Comment.objects.filter(post=post).count(), "comments on the benchmarked post")
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would leave them
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [GUNICORN, "bench.wsgi_app:application", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, duration: int, connections: int, pids: list[int]) -> tuple[float, str, str, float]:
    """requests/s, p50, p99 and the workers' CPU milliseconds per request."""
    urllib.request.urlopen(url, timeout=10).read()  # warm up (and fill the cache)
    cpu_before = cpu_seconds(pids)
    out = subprocess.run(
        # Accept-Encoding as every browser sends it (the page cache stores gzipped pages).
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", "Accept-Encoding: gzip, br", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors:\n{out}")
    return rps, p50, p99, 1000 * cpu / max(requests, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per URL; the best is reported")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    var = tempfile.mkdtemp(prefix="bench-pages-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": CACHE_URL,
        "CACHE_KEY_PREFIX": "bench-pages",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DRAMATIQ_INPROCESS_WORKER": "0",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": var,
        "DB_CONN_MAX_AGE": "600",
    }
    env.pop("REDIS_URL", None)
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo")
    seed_env = {**env, "API_COMMENT_RATE": "10000/min"}  # seeding is not a spammer
    subprocess.run([PY, "manage.py", "shell", "-c", SEED_FILLER], cwd=ROOT, env=seed_env, check=True)

    slug = subprocess.run(
        [PY, "manage.py", "shell", "-c",
         "from posts.models import Post; p = Post.objects.get(creator__username='ada', title='The boring parts win');"
         "print(p.get_absolute_url(), p.word_count)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1].split()  # fmt: skip
    post_url, words = slug[0], slug[1]
    print(f"post page: {post_url} ({words} words)\n")

    pages = [("post page", post_url), ("home page", "/")]
    runs = [
        ("uncached", {"PAGE_CACHE_SECONDS": "0"}, [*pages, ("bare view", "/bench/bare/")]),
        ("cached", {"PAGE_CACHE_SECONDS": "600"}, [*pages, ("bare cache_page", "/bench/bare-cached/")]),
    ]
    results = []
    for label, extra, urls in runs:
        port = free_port()
        proc = start_gunicorn({**env, **extra}, port)
        try:
            # Interleaved rounds, best one reported: on a shared machine, other load only ever slows a run down.
            pids = worker_pids(proc.pid)
            rounds: dict[str, list[tuple[float, str, str, float]]] = {name: [] for name, _ in urls}
            for _ in range(args.rounds):
                for name, path in urls:
                    url = f"http://127.0.0.1:{port}{path}"
                    rounds[name].append(wrk(url, args.duration, args.connections, pids))
            for name, _ in urls:
                rps, p50, p99, _cpu = max(rounds[name])
                cpu = min(r[3] for r in rounds[name])
                all_rps = " / ".join(f"{r[0]:.0f}" for r in rounds[name])
                results.append((label, name, rps, p50, p99, cpu))
                print(
                    f"{label:9} {name:16} {rps:7.1f} req/s  p50 {p50:>8}  p99 {p99:>8}  "
                    f"CPU {cpu:5.2f} ms/req  (rounds: {all_rps} req/s)",
                    flush=True,
                )
        finally:
            stop(proc)
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
