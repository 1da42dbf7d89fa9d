"""Benchmark: fan a new post out to N subscribers through the real Dramatiq worker.

    .venv/bin/python bench/emails.py [--subscribers 10000] [--threads 2] [--naive 1000]

A local aiosmtpd sink (its own process, so it does not share our CPU time slice of the GIL)
takes the mail. Prints: the time to prepare the Delivery rows, emails/s and the total time
through the worker, the worker's peak memory, and the rate of the naive way (one
EmailMultiAlternatives per subscriber, templates rendered each time, over one reused
connection) for comparison. Uses a throwaway SQLite database (or DATABASE_URL if set).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SINK = r"""
import asyncio, sys
from aiosmtpd.controller import Controller
class H:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        H.n += 1
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--naive", type=int, default=1000, help="messages to time the naive way on")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--prepare-only", action="store_true", help="only time the Delivery rows (e.g. for 100,000)")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="bench-emails-")
    os.environ.setdefault("VAR_DIR", var)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ["DRAMATIQ_INPROCESS_WORKER"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "publishing.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # DATABASE_URL may point at a used database

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert sink.stdout.readline().strip() == "ready"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
        }
    }
    settings.NEWPOST_EMAILS_PER_SECOND = 0  # measure the ceiling; production paces with the setting
    settings.NEWPOST_BATCH_SIZE = args.batch
    settings.POST_PUBLISHED_ACTORS = []  # we start the fan-out ourselves, to time it
    try:
        run(args)
    finally:
        sink.stdin.close()
        sink.wait(timeout=10)


def run(args: argparse.Namespace) -> None:
    import dramatiq
    from django.contrib.auth.hashers import make_password
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import timezone

    from accounts.models import User
    from posts import services as posts
    from publishing.broker import load_task_modules
    from subscriptions import mailing, services, tasks
    from subscriptions.models import Delivery, Subscription

    n = args.subscribers
    password = make_password(None)
    creator = User.objects.create(username="bench-creator", email="creator@example.com", role="creator")
    t = time.perf_counter()
    readers = [User(username=f"r{i}", email=f"reader{i}@example.com", password=password) for i in range(n)]
    User.objects.bulk_create(readers, batch_size=2000)
    ids = list(User.objects.exclude(pk=creator.pk).values_list("pk", flat=True))
    now = timezone.now()
    Subscription.objects.bulk_create(
        [Subscription(subscriber_id=pk, creator=creator, subscribed_at=now) for pk in ids], batch_size=2000
    )
    print(f"set-up: {n} readers and subscriptions in {time.perf_counter() - t:.1f} s")

    post = posts.create_post(
        creator=creator, title="A post for everyone", subtitle="Benchmark", content="Some **Markdown**.\n\n" * 20
    )
    post = posts.publish_post(post=post, by=creator)

    t = time.perf_counter()
    services.prepare_deliveries(post_id=post.pk, creator_id=creator.pk)
    prepare = time.perf_counter() - t
    print(f"prepare deliveries: {n} rows in {prepare:.2f} s ({n / prepare:,.0f} rows/s)")
    Delivery.objects.filter(post=post).delete()
    if args.prepare_only:
        return

    load_task_modules()
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=args.threads, worker_timeout=100)
    worker.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    tasks.send_new_post_notifications.send(str(post.pk))
    for queue in list(broker.get_declared_queues()):
        broker.join(queue, timeout=3_600_000)
    worker.join()
    elapsed = time.perf_counter() - t
    worker.stop()
    sent = Delivery.objects.filter(post=post, status=Delivery.Status.SENT).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"worker ({args.threads} threads, batches of {args.batch}): {sent}/{n} sent in {elapsed:.1f} s "
        f"= {sent / elapsed:,.0f} emails/s (incl. fan-out and in-app notifications)"
    )
    print(
        f"peak memory of the process running the worker: {peak / 1024:,.0f} MB"
        f" (before sending {rss_before / 1024:,.0f} MB)"
    )

    # The naive way: render + build one EmailMultiAlternatives per subscriber, one reused connection.
    m = min(args.naive, n)
    emails = list(User.objects.exclude(pk=creator.pk).values_list("email", flat=True)[:m])
    connection = mail.mailers.default
    connection.open()
    t = time.perf_counter()
    for address in emails:
        context = {
            "post": post,
            "author": creator,
            "link": post.full_url,
            "unsubscribe_url": "https://x/u/",
            "site_name": "Inkwell",
            "site_url": "https://x",
            "full_post": True,
        }
        message = EmailMultiAlternatives(
            subject=post.title,
            body=render_to_string("subscriptions/email/new_post.txt", context),
            to=[address],
            headers={"List-Unsubscribe": "<https://x/u/>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            connection=connection,
        )
        message.attach_alternative(render_to_string("subscriptions/email/new_post.html", context), "text/html")
        message.send()
    naive = m / (time.perf_counter() - t)
    connection.close()

    # Our sender alone on one thread (no DB), to separate SMTP cost from bookkeeping.
    post_mail = mailing.PostMail.build(post)
    token = services.unsubscribe_token("00000000-0000-0000-0000-000000000000")
    t = time.perf_counter()
    with mailing.Sender(rate=0) as sender:
        for address in emails:
            sender.send(post_mail, to=address, token=token)
    ours = m / (time.perf_counter() - t)
    print(f"naive (one EmailMultiAlternatives each, one connection, 1 thread): {naive:,.0f} emails/s over {m}")
    print(f"our sender alone (render once, raw SMTP bytes, 1 thread): {ours:,.0f} emails/s over {m}")
    print(f"worker end-to-end vs naive: {sent / elapsed / naive:.1f}x")


if __name__ == "__main__":
    main()
