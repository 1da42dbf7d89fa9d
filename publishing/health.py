"""Liveness and readiness probes: /healthz and /readyz, JSON with a status per part."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import dramatiq
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)
    return type(cache).__name__


def check_broker() -> str:
    broker = dramatiq.get_broker()
    client = getattr(broker, "client", None)
    if client is None:
        return "in-process"
    client.ping()
    return "redis"


def check_storage() -> str:
    name = default_storage.save(f"healthcheck/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("a file written to storage is not there")
    finally:
        default_storage.delete(name)
    return type(default_storage).__name__


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Every part the site needs answers; 503 naming the parts that do not."""
    parts: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as e:
            parts[name] = {"status": "down", "error": f"{type(e).__name__}: {e}"[:300]}
        else:
            parts[name] = {"status": "ok", "backend": detail}
        parts[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ok = all(p["status"] == "ok" for p in parts.values())
    return JsonResponse({"status": "ok" if ok else "down", "checks": parts}, status=200 if ok else 503)
