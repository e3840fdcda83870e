"""Contracts that tie schemas, subscriptions, handlers, producers and deployment together."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from shared import config
from shared.bus.subscriptions import SUBSCRIPTIONS, relay_queue, subscriptions_of
from shared.events import event_types, load_envelope
from tests.samples import sample_envelope

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = {s: importlib.import_module(f"services.{s}.handlers").HANDLERS for s in config.SERVICES}


def produced_event_types() -> dict[str, set[str]]:
    """Event types each service writes to its outbox, read from its source."""
    found: dict[str, set[str]] = {s: set() for s in (*config.SERVICES, "bus")}
    # add_event(session, "<type>", ...), or an (event type, payload) pair for insert_events
    pattern = re.compile(r'(?:add_event\(\s*session,|events\.append\(\()\s*"([a-z]+\.[a-z_]+)"')
    for service in config.SERVICES:
        for path in (ROOT / "services" / service).rglob("*.py"):
            found[service].update(pattern.findall(path.read_text()))
    # A copy's changes write the events their row of the copy table names.
    from services.catalog.domain import TRANSITIONS

    found["catalog"].update(t.event for t in TRANSITIONS.values() if t.event)
    # The bus publishes its own events (dead letters) from whichever service it runs in.
    for path in (ROOT / "shared" / "bus").rglob("*.py"):
        found["bus"].update(pattern.findall(path.read_text()))
    return found


def test_every_subscribed_event_has_a_schema():
    assert set(SUBSCRIPTIONS) <= event_types()


def test_every_subscriber_has_a_handler_and_every_handler_a_subscription():
    for service in config.SERVICES:
        assert set(HANDLERS[service]) == subscriptions_of(service), service


def test_every_produced_event_has_a_schema_its_producer_owns_and_a_subscriber():
    for service, types in produced_event_types().items():
        for event_type in types:
            assert event_type.startswith(service + "."), f"{service} writes {event_type}"
            assert event_type in event_types()
            # Listed, even if with no subscriber yet ("for the record"): a deliberate choice.
            assert event_type in SUBSCRIPTIONS, f"{event_type} is not in the subscription table"


def test_every_schema_is_produced_somewhere():
    produced = set().union(*produced_event_types().values())
    assert event_types() <= produced


@pytest.mark.parametrize("event_type", sorted(SUBSCRIPTIONS))
def test_sample_of_every_event_round_trips(event_type):
    envelope = sample_envelope(event_type)
    assert load_envelope(envelope)["type"] == event_type


def test_no_personal_data_reaches_catalog():
    from shared.events import schema_for

    personal = {"name", "email", "phone", "tracking_code", "address"}
    for event_type in subscriptions_of("catalog"):
        fields = set(schema_for(event_type, 1)().fields)
        assert not fields & personal, event_type


class TestCompose:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    def test_names_every_service_its_worker_and_beat(self):
        for service in config.SERVICES:
            assert service in self.services and f"{service}-worker" in self.services
        assert {"postgres", "redis", "beat"} <= set(self.services)

    def test_redis_persists_and_never_evicts(self):
        command = " ".join(self.services["redis"]["command"])
        assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command

    def test_workers_consume_their_queue_and_relay_queue(self):
        for service in config.SERVICES:
            command = self.services[f"{service}-worker"]["command"]
            assert f"services.{service}.tasks:app" in command
            assert command[command.index("-Q") + 1] == f"{service},{relay_queue(service)}"
            web = self.services[service]["command"]
            assert web[0] == "gunicorn" and web[1] == f"services.{service}.wsgi:app"
            assert f"0.0.0.0:{config.DEFAULT_PORTS[service]}" in web

    def test_one_origin_a_reverse_proxy_in_front(self):
        proxy = self.services["proxy"]
        assert proxy["image"].startswith("caddy:")
        assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
        assert sorted(proxy["ports"]) == ["443:443", "80:80"]
        for name, spec in self.services.items():  # the apps are reached only through it
            assert name == "proxy" or not spec.get("ports"), name
        env = self.services["catalog"]["environment"]
        assert env["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"
        assert env["PUBLIC_BASE_URL"] == "${PUBLIC_BASE_URL:-http://localhost}"

    def test_beat_runs_the_beat_app(self):
        assert "shared.bus.beat:app" in self.services["beat"]["command"]

    def test_every_long_running_container_has_a_health_check(self):
        for name, spec in self.services.items():
            assert spec.get("healthcheck", {}).get("test"), name

    def test_environment_names_every_variable_the_code_reads(self):
        env = self.services["catalog"]["environment"]
        for variable in ["REDIS_URL", "BOOKCROSS_SECRET_KEY", "BOOKCROSS_STAFF_KEY", "BOOKCROSS_DONOR_LINK_KEY",
                         "TRUSTED_PROXIES", "SMTP_URL", "PUBLIC_BASE_URL", "CATALOG_DATABASE_URL"]:
            assert variable in env, variable
        assert "${BOOKCROSS_SECRET_KEY:?" in (ROOT / "docker-compose.yml").read_text()

    def test_each_service_gets_only_its_own_database_as_its_own_role(self):
        import re

        for name, spec in self.services.items():
            if name in ("postgres", "redis", "mail", "migrate"):
                continue
            urls = {k: v for k, v in spec.get("environment", {}).items() if k.endswith("_DATABASE_URL")}
            service = name.removesuffix("-worker")
            if service not in config.SERVICES:
                assert not urls, f"{name} needs no database"
                continue
            assert list(urls) == [f"{service.upper()}_DATABASE_URL"], name
            url = urls[f"{service.upper()}_DATABASE_URL"]
            assert re.fullmatch(rf"postgresql://{service}:\$\{{[^}}]+\}}@postgres:5432/{service}", url), (name, url)
        init = (ROOT / "deploy" / "postgres-init.sh").read_text()
        assert 'CREATE ROLE :"role" LOGIN' in init and 'CREATE DATABASE :"role" OWNER :"role"' in init
        assert "for service in catalog donations notifications" in init
