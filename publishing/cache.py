"""Django's Redis cache with one client per process, not one per call.

`django.core.cache.backends.redis.RedisCacheClient.get_client()` builds a new
`redis.Redis` for every cache operation (it keeps the connection pool, not the client).
With redis-py 8 building one costs about half a millisecond of CPU, more than the GET
it is built for, and the page cache makes one or two calls per request. A `redis.Redis`
is thread-safe and checks its pool's pid after a fork, so one per server per process is
enough; the pools themselves are shared the same way.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict[str, Any] = {}  # server URL -> its redis.Redis, for the whole process
_lock = threading.Lock()


class SharedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        server = self._servers[self._get_connection_pool_index(write)]
        client = _clients.get(server)
        if client is None:
            with _lock:
                client = _clients.get(server)
                if client is None:
                    pool = self._pool_class.from_url(server, **self._pool_options)
                    client = _clients[server] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """`CACHES["default"]["BACKEND"]` when CACHE_URL is set (publishing/settings.py)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
