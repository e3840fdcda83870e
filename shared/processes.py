"""The processes of a bookcross network, one definition for `bookcross up` (under
shared.supervisor), the end-to-end tests and docker-compose's commands."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from shared import config
from shared.bus.subscriptions import relay_queue


def executable(name: str) -> str:
    """The tool installed beside this Python (the virtual environment's), whatever PATH says."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def web_command(service: str, port: int, workers: int = 2) -> list[str]:
    return [executable("gunicorn"), f"services.{service}.wsgi:app", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--graceful-timeout", "5", "--timeout", "30"]


def worker_command(service: str, concurrency: int = 2, hostname: str | None = None) -> list[str]:
    return [executable("celery"), "-A", f"services.{service}.tasks:app", "worker",
            "-Q", f"{service},{relay_queue(service)}", "-n", hostname or f"{service}@%h",
            "-c", str(concurrency), "--without-gossip", "--without-mingle", "-l", "INFO"]


def beat_command(schedule_file: str) -> list[str]:
    return [executable("celery"), "-A", "shared.bus.beat:app", "beat", "-s", schedule_file, "-l", "INFO"]


def local_mail_command(port: int, maildir: str) -> list[str]:
    return [sys.executable, "-m", "shared.local_mail", "--port", str(port),
            "--maildir", maildir]


def network_programs(var_dir: str, web_workers: int = 2, worker_concurrency: int = 2,
                     local_mail_port: int | None = None) -> list[tuple[str, list[str]]]:
    """(name, command) of every process `bookcross up` runs, in the order it starts them."""
    programs = []
    if local_mail_port:
        programs.append(("mail", local_mail_command(local_mail_port, f"{var_dir}/mail")))
    for service in config.SERVICES:
        programs.append((service, web_command(service, config.port(service), web_workers)))
    for service in config.SERVICES:
        programs.append((f"{service}_worker", worker_command(service, worker_concurrency)))
    programs.append(("beat", beat_command(f"{var_dir}/celerybeat-schedule")))
    return programs
