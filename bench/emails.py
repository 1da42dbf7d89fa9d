"""Benchmark: fan a new post out to N subscribers through a real worker process.

    .venv/bin/python bench/emails.py [--subscribers 10000] [--threads 2,4] [--naive 1000] [--prepare 100000]

Everything is a separate process, as in production: PostgreSQL (`bench_emails`, made if missing),
the Redis broker (db 12), `manage.py rundramatiq --processes 1 --threads T` as the worker, and an
aiosmtpd sink. The post is published through `posts.services.publish_post`, and the clock runs
from there until every Delivery is settled and every subscriber has the in-app notification.

Prints one table: the time to prepare the Delivery rows for `--prepare` subscribers; per thread
count the worker's emails/s, its CPU time per email and its peak RSS (VmHWM from /proc); the
naive way in this process (one EmailMultiAlternatives per subscriber, templates rendered each
time, one reused connection), just before and just after each worker run, averaged; our sender
alone (no database); and worker ÷ naive, by emails/s and by CPU time per email.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_emails"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
CONTENT = "\n\n".join(
    f"Paragraph {i}: the beans went in on a **cold** morning, and the soil was still heavy from the rain. "
    "We waited a week, turned it twice, and sowed again in short rows so the seedlings would not crowd "
    "each other; see [the planting guide](https://example.com/guide) for spacing."
    for i in range(12)
)

SINK = r"""
import sys
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--threads", default="2,4", help="worker threads; a list such as 2,4 runs one send per value")
    parser.add_argument("--naive", type=int, default=1000, help="messages to time the naive way on")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--prepare", type=int, default=100_000, help="subscribers to time the preparation on (0: skip)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()

    port = free_port()
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DRAMATIQ_NAMESPACE": "bench-emails",
        "DRAMATIQ_INPROCESS_WORKER": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=30",
        "NEWPOST_EMAILS_PER_SECOND": "0",  # measure the ceiling; production paces with the setting
        "NEWPOST_BATCH_SIZE": str(args.batch),
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "VAR_DIR": tempfile.mkdtemp(prefix="bench-emails-"),
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "publishing.settings",
    }
    os.environ.update(env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-ups (the worker) on `timeout`
    from bench._setup import _create_database

    _create_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a fresh start each run

    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert sink.stdout is not None
    assert sink.stdout.readline().strip() == "ready"
    try:
        run(args)
    finally:
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(timeout=10)


def run(args: argparse.Namespace) -> None:
    import dramatiq

    from publishing.broker import load_task_modules

    load_task_modules()
    dramatiq.get_broker().flush_all()
    rows: list[tuple[str, str]] = []
    creator, big = set_up(args)

    if args.prepare:
        rows.append(prepare(args, big))

    sender = sender_rate(args, creator)
    ratios = []
    for threads in [int(t) for t in args.threads.split(",")]:
        # The naive way just before and just after, so both see about the same machine load.
        before = naive_rate(args, creator)
        result = through_worker(args, creator, threads)
        after = naive_rate(args, creator)
        naive, naive_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
        rate = result["sent"] / result["elapsed"]
        cpu_ms = result["cpu"] / max(result["sent"], 1) * 1000
        ratios.append((threads, rate / naive, naive_cpu / cpu_ms))
        rows.append(
            (
                f"{args.subscribers:,} subscribers, worker with {threads} threads",
                f"{result['elapsed']:.1f} s, {rate:,.0f} emails/s ({result['sent']:,} sent, "
                f"{result['notified']:,} in-app, analytics emails_sent {result['tracked']:,})",
            )
        )
        rows.append(
            (
                f"  worker CPU per email ({threads} threads)",
                f"{cpu_ms:.2f} ms (+ PostgreSQL {result['pg_cpu'] / max(result['sent'], 1) * 1000:.2f} ms)",
            )
        )
        rows.append((f"  worker peak RSS ({threads} threads)", f"{result['rss_kb'] / 1024:,.0f} MB"))
        rows.append(
            (
                "  naive, before/after: one EmailMultiAlternatives each, one connection",
                f"{naive:,.0f} emails/s ({before[0]:,.0f}/{after[0]:,.0f}), CPU {naive_cpu:.2f} ms/email",
            )
        )
    rows.append(("our sender alone (no database), 1 thread", f"{sender:,.0f} emails/s"))
    for threads, by_rate, by_cpu in ratios:
        rows.append((f"worker ({threads} threads) ÷ naive", f"{by_rate:.1f}× by emails/s, {by_cpu:.1f}× by CPU/email"))

    print()
    print(f"bench/emails.py, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load: {os.getloadavg()}")
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def set_up(args: argparse.Namespace):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from subscriptions.models import Subscription

    t = time.perf_counter()
    password = make_password(None)
    creator = User.objects.create(username="bench-creator", email="creator@example.com", role="creator")
    big = User.objects.create(username="bench-big", email="big@example.com", role="creator")
    total = max(args.subscribers, args.prepare)
    User.objects.bulk_create(
        [User(username=f"r{i}", email=f"reader{i}@example.com", password=password) for i in range(total)],
        batch_size=5000,
    )
    ids = list(User.objects.filter(username__startswith="r").order_by("username").values_list("pk", flat=True))
    now = timezone.now()
    subs = [Subscription(subscriber_id=pk, creator=creator, subscribed_at=now) for pk in ids[: args.subscribers]]
    if args.prepare:
        subs += [Subscription(subscriber_id=pk, creator=big, subscribed_at=now) for pk in ids[: args.prepare]]
    Subscription.objects.bulk_create(subs, batch_size=5000)
    print(f"set-up: {total:,} readers, {len(subs):,} subscriptions in {time.perf_counter() - t:.1f} s", flush=True)
    return creator, big


def new_post(creator, title: str):
    from posts import services as posts

    return posts.create_post(creator=creator, title=title, subtitle="What to sow now", content=CONTENT)


def prepare(args: argparse.Namespace, big) -> tuple[str, str]:
    from django.db import connection

    from subscriptions import services
    from subscriptions.models import Delivery

    post = new_post(big, "Prepared only")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None
    t = time.perf_counter()
    queued = services.prepare_deliveries(post_id=post.pk, creator_id=big.pk)
    elapsed = time.perf_counter() - t
    assert queued == args.prepare, queued
    Delivery.objects.filter(post=post).delete()
    print(f"prepare: {queued:,} deliveries in {elapsed:.2f} s", flush=True)
    return f"prepare deliveries, {queued:,} subscribers", f"{elapsed:.1f} s ({queued / elapsed:,.0f} rows/s)"


def naive_rate(args: argparse.Namespace, creator) -> tuple[float, float]:
    """One EmailMultiAlternatives per subscriber (templates rendered for each), one reused connection."""
    from django.conf import settings
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    from accounts.models import User

    post = new_post(creator, "Naive")
    m = min(args.naive, args.subscribers)
    emails = list(User.objects.filter(username__startswith="r").values_list("email", flat=True)[:m])
    connection = mail.mailers.default
    connection.open()
    t, cpu = time.perf_counter(), time.process_time()
    for i, address in enumerate(emails):
        unsubscribe = f"{settings.SITE_URL}/unsubscribe/{i}/"
        context = {
            "post": post,
            "author": creator,
            "link": post.full_url,
            "unsubscribe_url": unsubscribe,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "full_post": True,
        }
        message = EmailMultiAlternatives(
            subject=f"{post.title} — {creator.display_name}",
            body=render_to_string("subscriptions/email/new_post.txt", context),
            to=[address],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}one-click/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )
        message.attach_alternative(render_to_string("subscriptions/email/new_post.html", context), "text/html")
        message.send()
    rate = m / (time.perf_counter() - t)
    cpu_ms = (time.process_time() - cpu) / m * 1000
    connection.close()
    print(f"naive: {rate:,.0f} emails/s over {m:,}, CPU {cpu_ms:.2f} ms/email", flush=True)
    return rate, cpu_ms


def sender_rate(args: argparse.Namespace, creator) -> float:
    """Our sender on one thread, no database: separates the SMTP cost from the bookkeeping."""
    from accounts.models import User
    from subscriptions import mailing, services

    post = new_post(creator, "Sender alone")
    m = min(args.naive, args.subscribers)
    emails = list(User.objects.filter(username__startswith="r").values_list("email", flat=True)[:m])
    post_mail = mailing.PostMail.build(post)
    token = services.unsubscribe_token("00000000-0000-0000-0000-000000000000")
    t = time.perf_counter()
    with mailing.Sender(rate=0) as sender:
        for address in emails:
            sender.send(post_mail, to=address, token=token)
    rate = m / (time.perf_counter() - t)
    print(f"sender alone: {rate:,.0f} emails/s over {m:,}", flush=True)
    return rate


# --- The worker ------------------------------------------------------------------------


def start_worker(threads: int) -> tuple[subprocess.Popen, list[str]]:
    """`manage.py rundramatiq`, ready once it has processed a no-op message."""
    import dramatiq

    from subscriptions import tasks

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", str(threads)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the worker processes it forks go with it
    )
    log: list[str] = []

    def read() -> None:
        assert worker.stderr is not None
        log.extend(worker.stderr)

    threading.Thread(target=read, daemon=True).start()
    tasks.resume_stalled_deliveries.send()  # nothing is stalled: a no-op that proves the worker is up
    try:
        dramatiq.get_broker().join(tasks.resume_stalled_deliveries.queue_name, timeout=60_000)
    except dramatiq.errors.QueueJoinTimeout:
        os.killpg(worker.pid, signal.SIGKILL)
        raise SystemExit("the worker did not start:\n" + "".join(log[-30:])) from None
    return worker, log


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def postgres_backend_cpu() -> float:
    """CPU seconds of this machine's PostgreSQL backends for our database (they serve the worker)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if b"postgres:" in cmdline and b"bench_emails" in cmdline:
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def through_worker(args: argparse.Namespace, creator, threads: int) -> dict:
    from analytics.models import DailyPostStats
    from notifications.models import Notification
    from posts import services as posts
    from subscriptions.models import Delivery

    worker, log = start_worker(threads)
    try:
        pids = descendants(worker.pid)
        cpu_before = sum(cpu_seconds(p) for p in pids)
        pg_before = postgres_backend_cpu()
        post = new_post(creator, f"Worker with {threads} threads")
        t = time.perf_counter()
        post = posts.publish_post(post=post, by=creator)
        n = args.subscribers
        while True:
            time.sleep(0.25)
            settled = Delivery.objects.filter(post=post).exclude(status=Delivery.Status.QUEUED).count()
            notified = Notification.objects.filter(url=post.get_absolute_url()).count()
            if settled >= n and notified >= n:
                break
            if worker.poll() is not None:
                raise SystemExit("the worker died:\n" + "".join(log[-30:]))
        elapsed = time.perf_counter() - t
        cpu = sum(cpu_seconds(p) for p in pids) - cpu_before
        pg_cpu = postgres_backend_cpu() - pg_before
        rss = max(peak_rss_kb(p) for p in pids)
        sent = Delivery.objects.filter(post=post, status=Delivery.Status.SENT).count()
        tracked = 0
        for _ in range(20):  # the analytics event is aggregated by the worker shortly after
            tracked = sum(DailyPostStats.objects.filter(post=post).values_list("emails_sent", flat=True))
            if tracked >= sent:
                break
            time.sleep(0.25)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    print(f"worker, {threads} threads: {sent:,} in {elapsed:.1f} s = {sent / elapsed:,.0f}/s", flush=True)
    return {
        "sent": sent,
        "elapsed": elapsed,
        "cpu": cpu,
        "pg_cpu": pg_cpu,
        "rss_kb": rss,
        "notified": notified,
        "tracked": tracked,
    }


if __name__ == "__main__":
    main()
