"""Benchmark: the memory of the whole local stack, idle, as `make run` starts it.

    .venv/bin/python bench/memory.py [--settle 20]

Runs `bookcross up` on its embedded default (SQLite files, the embedded Redis, the local
mailbox) in a temporary folder, waits until every service answers /readyz and one offer has
gone through to notifications, leaves it idle for `--settle` seconds, and prints the resident
memory (RSS, and PSS where the kernel reports it: shared pages counted once) of every process
the supervisor started, grouped by program. Exits 1 if the total RSS is over 1.5 GiB.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.embedded import free_port  # noqa: E402
from shared.testing import wait_for  # noqa: E402
from shared.testing.network import up_environment  # noqa: E402

TARGET_BYTES = 1.5 * 2 ** 30
MIB = 2 ** 20


def _program(process: psutil.Process) -> str:
    cmdline = " ".join(process.cmdline())
    for service in ("catalog", "donations", "notifications"):
        if f"services.{service}" in cmdline or f"{service}@" in cmdline:
            return f"{service} web" if "gunicorn" in cmdline else f"{service} worker"
    if "beat" in cmdline:
        return "beat"
    if "redis" in process.name():
        return "redis"
    if "local_mail" in cmdline:
        return "mailbox"
    if "bookcross up" in cmdline or cmdline.endswith("bookcross up"):
        return "supervisor"
    return process.name()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settle", type=float, default=20)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bookcross-memory-"))
    ports = {s: free_port() for s in ("catalog", "donations", "notifications")}
    env = up_environment(workdir, ports)
    bookcross = str(Path(sys.executable).parent / "bookcross")
    log = open(workdir / "up.log", "wb")
    up = subprocess.Popen([bookcross, "up"], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                          start_new_session=True)
    try:
        for service, port in ports.items():
            wait_for(lambda p=port: requests.get(f"http://127.0.0.1:{p}/readyz", timeout=1).ok,
                     timeout=120, message=f"{service} ready")
        # One offer through the whole network, so every process has loaded what it serves with.
        from tests.samples import offer

        created = requests.post(f"http://127.0.0.1:{ports['donations']}/api/v1/donations", json=offer(), timeout=10)
        created.raise_for_status()
        wait_for(lambda: list((workdir / "var" / "mail" / "new").glob("*")), timeout=60,
                 message="the offer's letter in the local mailbox")
        time.sleep(args.settle)

        groups: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        root = psutil.Process(up.pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                name = _program(process)
                info = process.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            group = groups[name]
            group[0] += 1
            group[1] += info.rss
            group[2] += getattr(info, "pss", info.rss)
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)

    total_rss = sum(g[1] for g in groups.values())
    total_pss = sum(g[2] for g in groups.values())
    print(f"\nmemory benchmark — `bookcross up` (make run's embedded default), idle {args.settle:.0f} s "
          f"after one offer")
    for name, (count, rss, pss) in sorted(groups.items(), key=lambda item: -item[1][1]):
        print(f"  {name:22} {count:2} process{'es' if count > 1 else '  '}  RSS {rss / MIB:7.0f} MiB  "
              f"PSS {pss / MIB:7.0f} MiB")
    met = total_rss <= TARGET_BYTES
    print(f"  whole stack: {sum(g[0] for g in groups.values())} processes, RSS {total_rss / MIB:.0f} MiB, "
          f"PSS {total_pss / MIB:.0f} MiB (target RSS ≤ {TARGET_BYTES / MIB:.0f} MiB: {'met' if met else 'NOT met'})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
