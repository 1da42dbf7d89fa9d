"""publishing.cache: the Redis cache reuses one client (and connection) per process."""

import os
import threading

import pytest

from publishing.cache import SharedClientRedisCache

CACHE_URL = os.environ.get("CACHE_URL", "")
pytestmark = pytest.mark.skipif(not CACHE_URL.startswith("redis"), reason="needs a Redis cache (CACHE_URL)")


def test_every_cache_instance_in_the_process_shares_one_client_and_connection():
    made = []

    def per_thread():  # Django builds one cache object per thread
        made.append(SharedClientRedisCache(CACHE_URL, {"KEY_PREFIX": "test-shared-client"}))

    threads = [threading.Thread(target=per_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, *others = made
    first.set("greeting", "hello", 30)
    first.add("counter", 0, 30)
    for cache in others:
        assert cache.get("greeting") == "hello"
        cache.incr("counter")
    assert first.get("counter") == 2
    clients = {id(c._cache.get_client(write=w)) for c in made for w in (True, False)}
    assert len(clients) == 1
    pool = first._cache.get_client().connection_pool
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1
    first.delete_many(["greeting", "counter"])
