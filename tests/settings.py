"""Test settings: the real settings module, with test-only speed-ups and isolation."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-anything-real-0123456789")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="publishing-test-var-"))

from publishing.settings import *  # noqa: F403
from publishing.settings import CACHES, DRAMATIQ_BROKER, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Several test processes may share one Redis (xdist, parallel checkouts): give each its
# own broker namespace and cache prefix.
_run = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
if "namespace" in DRAMATIQ_BROKER["OPTIONS"] or DRAMATIQ_BROKER["BROKER"].endswith("RedisBroker"):
    DRAMATIQ_BROKER["OPTIONS"]["namespace"] = f"test-{_run}"
CACHES["default"]["KEY_PREFIX"] = f"test-{_run}"
DRAMATIQ_INPROCESS_WORKER = False
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
# SQLite: a file, not Django's shared-cache in-memory database, whose table locks fail at once
# (SQLITE_LOCKED) when the `jobs` worker threads write while another connection reads.
# A file in WAL mode makes them wait instead (the `timeout` option).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["VAR_DIR"], "test-db.sqlite3")}  # noqa: F405
