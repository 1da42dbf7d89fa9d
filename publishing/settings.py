"""Settings for the publishing platform: one module, read from the environment.

Every value has a safe local default, so a fresh clone runs with no configuration
(SQLite, in-process background jobs, mail written to files, media on local disk).
`.env.example` documents every variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from publishing.env import env_bool, env_float, env_int, env_list, env_str, mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has none; SQLite, mail and media live here

DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules

# A well-known key is only acceptable where nothing real is at stake.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start on the "
            "development key: set SECRET_KEY (or SECRET_KEY_FILE) to a long random string."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif SECRET_KEY == DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Inkwell")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    # Third party
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "django_htmx",
    "django_dramatiq",
    "django_structlog",
    # Ours
    "publishing",
    "accounts",
    "notifications",
    "posts",
    "comments",
    "subscriptions",
    "analytics",
    "uploads",
    "crossposting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "publishing.middleware.RequestIdHeaderMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the user and the final response (page-cache hits included).
    "analytics.middleware.PostViewMiddleware",
]

ROOT_URLCONF = "publishing.urls"
WSGI_APPLICATION = "publishing.wsgi.application"
ASGI_APPLICATION = "publishing.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "publishing.context_processors.site",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------
# SQLite by default, so a clone runs with nothing installed; DATABASE_URL for PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the in-process worker write while a request reads.
    # IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue up (the
    # timeout) instead of failing at once with "database is locked" when both try to upgrade a read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache must be a different Redis database or instance from the broker's: the
# broker must never evict, the cache should (allkeys-lru).
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing one client per process (see publishing/cache.py).
            "BACKEND": "publishing.cache.SharedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "publishing"),
            "TIMEOUT": env_int("CACHE_TIMEOUT", 300),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "publishing",
            "TIMEOUT": env_int("CACHE_TIMEOUT", 300),
        }
    }

# --- Background jobs ------------------------------------------------------
# With REDIS_URL: the Redis broker and separate worker processes (`manage.py rundramatiq`,
# `manage.py crontab`). Without it: a StubBroker drained by a worker thread inside the
# web process (publishing/broker.py), so `make run` needs no Redis and jobs still run
# outside the request that sent them.
REDIS_URL = env_str("REDIS_URL")
_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "dramatiq.middleware.CurrentMessage",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    "publishing.broker.RequestIdMiddleware",
]
if REDIS_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {"url": REDIS_URL, "namespace": env_str("DRAMATIQ_NAMESPACE", "publishing")},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE,
    }
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# Start an in-process worker thread in servers when there is no Redis (see publishing/broker.py).
DRAMATIQ_INPROCESS_WORKER = env_bool("DRAMATIQ_INPROCESS_WORKER", default=not REDIS_URL)
DRAMATIQ_CRONTAB = {"REDIS_URL": REDIS_URL or None}
# Actors that react to a post being published, each sent the post id (posts.tasks).
POST_PUBLISHED_ACTORS: list[str] = [
    "subscriptions.tasks.send_new_post_notifications",
    "crossposting.tasks.crosspost_published_post",
]
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Raw analytics events older than this are deleted daily; the daily aggregates stay.
ANALYTICS_RETENTION_DAYS = env_int("ANALYTICS_RETENTION_DAYS", 90)
# The web process sends analytics events in batches: one message per this many events, or
# per this many seconds, whichever comes first (analytics/outbox.py). 1 = one message per event.
ANALYTICS_OUTBOX_BATCH = max(1, env_int("ANALYTICS_OUTBOX_BATCH", 50))
ANALYTICS_OUTBOX_SECONDS = env_float("ANALYTICS_OUTBOX_SECONDS", 1.0)
# The worker folds stored events into the daily figures in one run per this delay at most (0:
# as soon as a worker thread is free); a queued run is assumed lost after the debounce seconds.
ANALYTICS_AGGREGATE_DELAY_MS = env_int("ANALYTICS_AGGREGATE_DELAY_MS", 0)
ANALYTICS_AGGREGATE_DEBOUNCE_SECONDS = env_int("ANALYTICS_AGGREGATE_DEBOUNCE_SECONDS", 5)

# --- Cross-posting ----------------------------------------------------------
# Fernet key(s) for the social tokens at rest, comma-separated (first encrypts, all decrypt).
# Unset: a key derived from SECRET_KEY (rotating SECRET_KEY then means reconnecting).
CROSSPOST_ENCRYPTION_KEY = env_str("CROSSPOST_ENCRYPTION_KEY")
CROSSPOST_MAX_ATTEMPTS = env_int("CROSSPOST_MAX_ATTEMPTS", 6)
CROSSPOST_HTTP_TIMEOUT = env_float("CROSSPOST_HTTP_TIMEOUT", 20.0)  # seconds per call to a network
CROSSPOST_RETRY_BASE_SECONDS = env_float("CROSSPOST_RETRY_BASE_SECONDS", 30.0)
CROSSPOST_RETRY_MAX_SECONDS = env_float("CROSSPOST_RETRY_MAX_SECONDS", 3600.0)
# The networks' API addresses: settings so tests (and staging) can point them elsewhere.
# Creators type Mastodon/PDS addresses: only public https hosts, unless this is on (tests, local dev).
CROSSPOST_ALLOW_PRIVATE_HOSTS = env_bool("CROSSPOST_ALLOW_PRIVATE_HOSTS", default=False)
CROSSPOST_BLUESKY_URL = env_str("CROSSPOST_BLUESKY_URL", "https://bsky.social")
CROSSPOST_REDDIT_OAUTH_URL = env_str("CROSSPOST_REDDIT_OAUTH_URL", "https://oauth.reddit.com")
CROSSPOST_REDDIT_URL = env_str("CROSSPOST_REDDIT_URL", "https://www.reddit.com")
CROSSPOST_GRAPH_URL = env_str("CROSSPOST_GRAPH_URL", "https://graph.facebook.com/v21.0")
CROSSPOST_THREADS_URL = env_str("CROSSPOST_THREADS_URL", "https://graph.threads.net/v1.0")

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

# The mobile API's tokens: allauth's headless JWT strategy (one auth stack for web and
# mobile). Stateful validation makes logout revoke the access token at once.
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"  # noqa: S105
HEADLESS_JWT_PRIVATE_KEY = env_str("JWT_PRIVATE_KEY")  # RS256 PEM; empty: HS256 with SECRET_KEY
HEADLESS_JWT_ALGORITHM = "RS256" if HEADLESS_JWT_PRIVATE_KEY else "HS256"
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env_int("JWT_ACCESS_TOKEN_SECONDS", 300)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env_int("JWT_REFRESH_TOKEN_SECONDS", 60 * 60 * 24 * 30)
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "publishing.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "publishing.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("API_LOGIN_RATE", "10/min"),
        "token_refresh": env_str("API_TOKEN_REFRESH_RATE", "30/min"),
        "register": env_str("API_REGISTER_RATE", "20/hour"),
        "comment": env_str("API_COMMENT_RATE", "5/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "The creator publishing platform's REST API for mobile and third-party clients.\n\n"
        "Authenticate with `Authorization: Bearer <access_token>` from `POST /users/login`; refresh tokens "
        "work once (`POST /users/token/refresh`), and replaying a used one ends that session.\n\n"
        'Every error answers `{"detail": str, "code": str, "field_errors": {field: message}}`: 400 malformed '
        "JSON or invalid input, 401 missing/expired/invalid token (with `WWW-Authenticate`), 403 not allowed, "
        "404 unknown, 405 wrong method, 409 `duplicate` (an email or username already taken, named in "
        "`field_errors`), 415 not JSON, 429 too many attempts (with `Retry-After`), 500 our fault."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several fields are called `status`; name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "PostStatusEnum": "posts.models.Post.Status",
        "PostWriteStatusEnum": [("draft", "Draft"), ("published", "Published")],
        "SubscriptionStatusEnum": "subscriptions.models.Subscription.Status",
    },
}

# --- Email ----------------------------------------------------------------
# Django 6.1 MAILERS (EMAIL_BACKEND is deprecated). Default: one file per message
# under var/mail/, so a developer can read what the site sent.
MAILERS = {"default": mailer_from_url(env_str("EMAIL_URL"), default_file_path=VAR_DIR / "mail")}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_RATE_PER_SECOND = env_float("EMAIL_RATE_PER_SECOND", 50.0)
# New-post emails (subscriptions): per-worker send rate, recipients per batch message, retries.
NEWPOST_EMAILS_PER_SECOND = env_float("NEWPOST_EMAILS_PER_SECOND", 20.0)
NEWPOST_BATCH_SIZE = env_int("NEWPOST_BATCH_SIZE", 200)
NEWPOST_MAX_ATTEMPTS = env_int("NEWPOST_MAX_ATTEMPTS", 8)
NEWPOST_RETRY_BASE_SECONDS = env_float("NEWPOST_RETRY_BASE_SECONDS", 30.0)
NEWPOST_EMAIL_FULL_POST = env_bool("NEWPOST_EMAIL_FULL_POST", default=True)

# --- Media and static files ---------------------------------------------------
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "custom_domain": env_str("S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("S3_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "default_acl": None,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media"), "base_url": "/media/"},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not S3_BUCKET)
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = env_int("MAX_IMAGE_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
MAX_IMAGE_UPLOADS_PER_HOUR = env_int("MAX_IMAGE_UPLOADS_PER_HOUR", 120)  # per user; 0 = no limit

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", default=False):
    # Only behind a proxy that sets this header itself; never trust it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    # Rate limits (allauth's and the API's) must count per client, not per proxy:
    # take the client address from the X-Forwarded-For hop our own proxies added.
    ALLAUTH_TRUSTED_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"] = env_int("TRUSTED_PROXY_COUNT", 1)
    # The proxy's X-Request-ID, so one id follows a request from the edge to the jobs it caused.
    DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

_media_origins = [env_str("S3_CUSTOM_DOMAIN") and f"https://{env_str('S3_CUSTOM_DOMAIN')}", env_str("S3_ENDPOINT_URL")]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # EasyMDE/CodeMirror set inline styles; scripts stay strict.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:", *[o for o in _media_origins if o]],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Logs -------------------------------------------------------------------
# JSON lines in production, readable lines in development; every line carries the
# request id (django-structlog binds it; publishing/broker.py carries it into jobs).
LOG_FORMAT = env_str("LOG_FORMAT", "console" if DEBUG else "json")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
from publishing.logging import configure_logging  # noqa: E402

LOGGING = configure_logging(fmt=LOG_FORMAT, level=LOG_LEVEL)
DJANGO_STRUCTLOG_CELERY_ENABLED = False
