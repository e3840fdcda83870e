"""A whole bookcross network in real processes, for end-to-end tests and benchmarks.

Gunicorn apps, Celery workers and beat are started with the same commands
`bookcross up` uses (shared.processes), each logging to its own file.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from shared import config
from shared.embedded import free_port
from shared.processes import beat_command, web_command, worker_command
from shared.testing import wait_for

ROOT = Path(__file__).resolve().parents[2]


class Process:
    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            self.popen.wait(15)

    def stop(self) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            self.kill_group()
        except ProcessLookupError:
            pass


class Network:
    """Start with `services`: which gunicorn apps; `workers`: service → Celery app module."""

    def __init__(self, env: dict, log_dir: Path, *, web: tuple[str, ...] = config.SERVICES,
                 workers: dict[str, str] | None = None, beat: bool = True,
                 web_workers: int = 1, worker_concurrency: int = 2):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.ports = {s: free_port() for s in config.SERVICES}
        self.env = dict(os.environ, **env, PYTHONPATH=str(ROOT), BOOKCROSS_VAR_DIR=str(self.log_dir))
        for service, port in self.ports.items():
            self.env[f"{service.upper()}_PORT"] = str(port)
            self.env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        self.web = web
        self.workers = workers if workers is not None else {s: f"services.{s}.tasks:app"
                                                            for s in config.SERVICES}
        self.beat = beat
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.processes: dict[str, Process] = {}
        self._worker_generation = 0

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> "Network":
        for service in self.web:
            args = web_command(service, self.ports[service], self.web_workers)
            self.processes[service] = Process(service, args, self.env, self.log_dir).start()
        for service in self.workers:
            self.start_worker(service)
        if self.beat:
            args = beat_command(str(self.log_dir / "celerybeat-schedule"))
            self.processes["beat"] = Process("beat", args, self.env, self.log_dir).start()
        for service in self.web:
            wait_for(lambda s=service: requests.get(self.url(s) + "/readyz", timeout=1).ok,
                     timeout=60, message=f"{service} ready")
        for service in self.workers:
            self.wait_worker_ready(service)
        return self

    def start_worker(self, service: str, concurrency: int | None = None) -> Process:
        self._worker_generation += 1
        args = worker_command(service, concurrency or self.worker_concurrency,
                              hostname=f"{service}-{self._worker_generation}@%h")
        args[args.index("-A") + 1] = self.workers[service]
        name = f"{service}_worker"
        process = Process(f"{name}-{self._worker_generation}", args, self.env, self.log_dir).start()
        process.hostname = f"{service}-{self._worker_generation}@{socket.gethostname()}"
        self.processes[name] = process
        return process

    def wait_worker_ready(self, service: str, timeout: float = 60) -> None:
        wait_worker_ready(self.processes[f"{service}_worker"], self.env["REDIS_URL"], timeout)

    def worker(self, service: str) -> Process:
        return self.processes[f"{service}_worker"]

    def pool_children(self, service: str) -> list[int]:
        main = self.worker(service).pid
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"==== {p.name}\n{p.log()[-4000:]}" for p in self.processes.values())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_worker_ready(process: Process, redis_url: str, timeout: float = 60) -> None:
    """Ready means it answers a ping over the broker (whatever its log level)."""
    from celery import Celery

    app = Celery("bookcross.ping", broker=redis_url, set_as_current=False)

    def answers() -> bool:
        if not process.alive():
            raise RuntimeError(f"{process.name} died:\n{process.log()[-3000:]}")
        return bool(app.control.ping(destination=[process.hostname], timeout=0.5))

    try:
        wait_for(answers, timeout=timeout, interval=0.2, message=f"{process.name} ready")
    finally:
        app.close()


def stays(probe, seconds: float, interval: float = 0.2) -> bool:
    """True if `probe` keeps returning truthy for `seconds` (for "nothing more happens")."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not probe():
            return False
        time.sleep(interval)
    return True


def up_environment(workdir: Path, ports: dict[str, int]) -> dict[str, str]:
    """The environment of `bookcross up` as `make run` gives it: nothing on PATH but the
    system's, its own var/ folder, no env file, the services on `ports`."""
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
            "BOOKCROSS_VAR_DIR": str(workdir / "var"), "BOOKCROSS_ENV_FILE": str(workdir / "none.env"),
            **{f"{s.upper()}_PORT": str(p) for s, p in ports.items()}}
