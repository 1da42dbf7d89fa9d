"""Settings for bench/pages.py: the real site plus two baseline views (see bench/urls.py)."""

from publishing.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
