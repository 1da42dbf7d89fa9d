"""publishing.cache: the Redis cache reuses one client (and connection) per process."""

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from publishing.cache import SharedClientRedisCache


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A throwaway redis-server of our own on a free port, so no other test has used the process's
    client for it (its pool would hold their connections); CI's CACHE_URL, with a database of its
    own, when there is no redis-server binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        if not os.environ.get("CACHE_URL", "").startswith("redis"):
            pytest.skip("needs a redis-server binary (Debian package redis-server) or CACHE_URL")
        yield os.environ["CACHE_URL"].rsplit("/", 1)[0] + "/15"
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def test_every_cache_instance_in_the_process_shares_one_client_and_connection(redis_url):
    CACHE_URL = redis_url
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
    # Kept in a list so no client is freed and its id() reused by the next one.
    clients = [c._cache.get_client(write=w) for c in made for w in (True, False) for _ in range(2)]
    assert all(client is clients[0] for client in clients)
    pool = first._cache.get_client().connection_pool
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1
    first.delete_many(["greeting", "counter"])
