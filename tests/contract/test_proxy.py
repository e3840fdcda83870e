"""The network's one origin (deploy/Caddyfile, docker compose's `proxy`): run by a real Caddy in
front of three stand-in upstreams, every route of every app reaches the service that owns it,
each service's own documents and health are under its name, and metrics stay inside.

A route added to an app without its line in the Caddyfile fails here."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from shared import config
from shared.embedded import free_port
from shared.testing.network import wait_for
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {"int": "7", "uuid": str(uuid.UUID(int=7)), "path": "swagger-ui.css"}


def app_rules() -> dict[str, list[tuple[str, str]]]:
    """service → (rule, a path that matches it) of every route of its Flask app."""
    from services.catalog.app import create_app as catalog
    from services.donations.app import create_app as donations
    from services.notifications.app import create_app as notifications

    rules = {}
    for service, make in (("catalog", catalog), ("donations", donations), ("notifications", notifications)):
        rules[service] = sorted({(rule.rule, _sample(rule.rule)) for rule in make().url_map.iter_rules()})
    return rules


def _sample(rule: str) -> str:
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLES.get(m.group(1) or "string", "K7QM4"), rule)
    return path.replace("centres.K7QM4", "centres.csv").replace("centres-months.K7QM4", "centres-months.csv")


# Every service has these; through the proxy each is under the service's name.
PER_SERVICE = ("/api/docs", "/api/openapi.json", "/healthz", "/readyz", "/metrics", "/static/")


class _Upstream(BaseHTTPRequestHandler):
    def _answer(self):
        body = json.dumps({"service": self.server.service, "path": self.path,
                           "forwarded_proto": self.headers.get("X-Forwarded-Proto"),
                           "forwarded_host": self.headers.get("X-Forwarded-Host")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    caddy = shutil.which("caddy")
    if caddy is None:
        unavailable("Debian's caddy is not installed (make test installs it)")
    upstreams, env = [], dict(os.environ)
    for service in config.SERVICES:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
        server.service = service
        threading.Thread(target=server.serve_forever, daemon=True).start()
        upstreams.append(server)
        env[f"{service.upper()}_UPSTREAM"] = f"127.0.0.1:{server.server_address[1]}"
    port = free_port()
    home = tmp_path_factory.mktemp("caddy")
    env.update(SITE_ADDRESS=f"http://127.0.0.1:{port}", CADDY_ADMIN="off", HOME=str(home),
               XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"))
    process = subprocess.Popen([caddy, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(base + "/staff/", timeout=1).ok
        except requests.ConnectionError:
            return False
    try:
        wait_for(up, timeout=20, message="caddy answers")
        yield base
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
        for server in upstreams:
            server.shutdown()
        if process.returncode not in (0, -15):
            print(output)


def through(proxy: str, path: str) -> dict:
    answer = requests.get(proxy + path, timeout=5, allow_redirects=False)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    return answer.json()


def test_every_route_of_every_app_reaches_its_service(proxy):
    wrong = []
    for service, rules in app_rules().items():
        for rule, path in rules:
            if rule.startswith(PER_SERVICE):
                continue
            reached = through(proxy, path)
            if reached["service"] != service or reached["path"] != path:
                wrong.append(f"{service} {rule}: reached {reached['service']} {reached['path']}")
    assert wrong == []


def test_each_services_own_documents_are_under_its_name(proxy):
    for service in config.SERVICES:
        for path in ("/api/docs", "/api/docs/static/swagger-ui.css", "/api/openapi.json", "/healthz", "/readyz"):
            reached = through(proxy, f"/{service}{path}")
            assert (reached["service"], reached["path"]) == (service, path)


def test_metrics_stay_inside_the_network(proxy):
    for path in ("/metrics", "/catalog/metrics", "/donations/metrics", "/notifications/metrics"):
        assert requests.get(proxy + path, timeout=5).status_code == 404


def test_the_apps_hear_how_they_were_reached(proxy):
    reached = through(proxy, "/staff/board")
    assert reached["forwarded_proto"] == "http" and reached["forwarded_host"] == proxy.removeprefix("http://")
