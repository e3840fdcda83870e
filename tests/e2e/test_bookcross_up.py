"""`bookcross up` as `make run` starts it: embedded SQLite and Redis, nothing on PATH but the
system's; a crashed worker or Redis is restarted while the rest keep running; and Ctrl-C stops
every process it started."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from shared.embedded import free_port
from shared.testing import wait_for
from shared.testing.network import up_environment
from tests.samples import offer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_up_runs_the_whole_network_on_the_embedded_default_and_stops_on_ctrl_c(tmp_path):
    ports = {s: free_port() for s in ("catalog", "donations", "notifications")}
    env = up_environment(tmp_path, ports)
    bookcross = str(Path(sys.executable).parent / "bookcross")
    log = open(tmp_path / "up.log", "wb")
    up = subprocess.Popen([bookcross, "up"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                          start_new_session=True)
    try:
        for service, port in ports.items():
            wait_for(lambda p=port: requests.get(f"http://127.0.0.1:{p}/readyz", timeout=1).ok,
                     timeout=90, message=f"{service} ready")
        text = (tmp_path / "up.log").read_text()
        token = re.search(r"admin token \(Authorization: Bearer …[^)]*\):\n(\S+)", text).group(1)
        assert (tmp_path / "var" / "catalog.db").exists() and (tmp_path / "var" / "redis.url").exists()

        created = requests.post(f"http://127.0.0.1:{ports['donations']}/api/v1/donations", json=offer(), timeout=10)
        assert created.status_code == 201, created.text
        donation_id = created.json()["id"]

        def notified():
            response = requests.get(f"http://127.0.0.1:{ports['notifications']}/api/v1/messages",
                                    params={"donation_id": donation_id},
                                    headers={"Authorization": f"Bearer {token}"}, timeout=5)
            return response.ok and response.json()

        wait_for(notified, timeout=30, message="the offer reached notifications over the embedded Redis")

        # A crash of the catalog worker and of Redis (power to them cut): each is restarted on
        # its own, the rest keep running, and a new offer goes all the way again.
        def started_pid(name: str) -> int:
            found = re.findall(rf"started {name} \(pid (\d+)\)", (tmp_path / "up.log").read_text())
            return int(found[-1])

        for name in ("catalog_worker", "redis"):
            os.killpg(started_pid(name), signal.SIGKILL)
        wait_for(lambda: (tmp_path / "up.log").read_text().count("restarting it in") >= 2, timeout=30,
                 message="the supervisor noticed both crashes")
        wait_for(lambda: "started redis" in (tmp_path / "up.log").read_text().split("redis exited")[-1],
                 timeout=30, message="redis restarted")
        second = requests.post(f"http://127.0.0.1:{ports['donations']}/api/v1/donations", json=offer(), timeout=10)
        assert second.status_code == 201, second.text
        donation_id = second.json()["id"]
        wait_for(notified, timeout=60, message="a new offer reached notifications after the crashes")
        assert requests.get(f"http://127.0.0.1:{ports['catalog']}/readyz", timeout=5).ok
        # With no SMTP_URL, the thank-you letter lands in the local mailbox, listed by `bookcross mail`.
        wait_for(lambda: list((tmp_path / "var" / "mail" / "new").glob("*")), timeout=30,
                 message="the letter in var/mail/new")
        listed = subprocess.run([bookcross, "mail"], env=env, cwd=tmp_path, capture_output=True, text=True,
                                timeout=30)
        assert "Дякуємо за книжки!" in listed.stdout, listed.stdout + listed.stderr
        status = subprocess.run([bookcross, "status"], env={**env}, cwd=tmp_path, capture_output=True,
                                text=True, timeout=30)
        assert status.returncode == 0, status.stdout + status.stderr
        assert status.stdout.count("web=ready") == 3
    finally:
        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            raise
    def survivors():
        out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if str(tmp_path) in line]

    def listening():
        redis_port = int((tmp_path / "var" / "redis.url").read_text().rsplit(":", 1)[1].split("/")[0])
        smtp_port = int(re.search(r"local SMTP server: smtp://127.0.0.1:(\d+)",
                                  (tmp_path / "up.log").read_text()).group(1))
        open_ports = []
        for port in [*ports.values(), redis_port, smtp_port]:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    open_ports.append(port)
        return open_ports

    wait_for(lambda: not survivors() and not listening(), timeout=20,
             message="every process stopped and every port closed after Ctrl-C")
