"""Background jobs: sent after the request, run by a real worker, traced back to the request."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import dramatiq
import pytest
from django.urls import reverse

from accounts.models import User
from tests.conftest import free_port, reset_broker

ROOT = Path(__file__).resolve().parents[2]

SIGNUP = {
    "email": "wren@example.com",
    "username": "wren",
    "password1": "a-long-Passphrase-42",
    "password2": "a-long-Passphrase-42",
    "role": "creator",
}


def test_the_welcome_email_is_sent_by_a_worker_after_the_request(transactional_db, smtp_server, client) -> None:
    from publishing.broker import load_task_modules

    load_task_modules()
    broker = dramatiq.get_broker()
    reset_broker(broker)
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert smtp_server.messages == []  # nothing was sent inside the request

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        for queue in list(broker.get_declared_queues()):
            broker.join(queue, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
        reset_broker(broker)
    subjects = sorted(m["Subject"] for m in smtp_server.to("wren@example.com"))
    assert len(subjects) == 2, subjects  # the welcome and allauth's address confirmation, both from the worker
    assert any("Welcome" in s for s in subjects)
    assert any("Confirm" in s for s in subjects)
    for message in smtp_server.to("wren@example.com"):
        assert message.get_body(("plain",)) is not None


def test_the_job_logs_carry_the_id_of_the_request_that_sent_it(jobs, smtp_server, client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="accounts.services")
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "kite@example.com", "username": "kite"})
    request_id = response["X-Request-ID"]
    jobs.drain()
    sent = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "welcome email sent"]
    assert [entry["request_id"] for entry in sent] == [request_id]
    assert sent[0]["actor"] == "send_welcome_email"
    assert smtp_server.to("kite@example.com")


@pytest.mark.slow
def test_make_run_mode_runs_jobs_in_process_without_redis(tmp_path, smtp_server) -> None:
    """`make run`'s server (runserver, no REDIS_URL) runs background jobs itself: the welcome email arrives."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    env.update(DEBUG="1", VAR_DIR=str(tmp_path), EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                page = opener.open(f"{base}/accounts/signup/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode({**SIGNUP, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{base}/accounts/signup/", data=data, headers={"Referer": base})
        assert opener.open(request, timeout=10).status == 200  # followed the redirect after sign-up
        deadline = time.monotonic() + 20
        while not smtp_server.to("wren@example.com") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert smtp_server.to("wren@example.com"), "the in-process worker did not send the welcome email"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_user_exists_even_if_the_mail_server_is_down(jobs, client, settings) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert User.objects.filter(username="wren").exists()
