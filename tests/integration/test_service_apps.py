"""What every service app has: health, readiness, metrics, OpenAPI, and guarded endpoints."""
from __future__ import annotations

import importlib

import pytest

from shared import config

APPS = {s: importlib.import_module(f"services.{s}.app").create_app for s in config.SERVICES}


@pytest.fixture(params=config.SERVICES)
def service_client(request, databases, redis_client):
    return request.param, APPS[request.param]({"TESTING": True}).test_client()


def test_health_readiness_metrics_and_openapi(service_client):
    service, client = service_client
    assert client.get("/healthz").get_json() == {"status": "ok", "service": service}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok", "redis": "ok"}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "bookcross_outbox_events" in metrics and "bookcross_dead_letters" in metrics
    spec = client.get("/api/openapi.json").get_json()
    assert spec["info"]["version"] == "v1" and spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_readiness_fails_when_redis_is_unreachable(service_client, monkeypatch):
    _, client = service_client
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["redis"].startswith("error")


def test_unknown_path_is_a_localised_404(service_client):
    _, client = service_client
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json() == {"code": 404, "status": "Not Found", "message": "Nothing was found here."}


def _view_functions(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("api-docs."):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        if view_class is None:
            yield rule, None, view
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            yield rule, method, getattr(view_class, method.lower())


@pytest.mark.parametrize("service", config.SERVICES)
def test_every_endpoint_is_either_public_by_decision_or_guarded_by_role(service, databases):
    app = APPS[service]({"TESTING": True})
    for rule, method, function in _view_functions(app):
        guarded = getattr(function, "_bookcross_roles", None) is not None
        public = getattr(function, "_bookcross_public", False)
        assert guarded or public, f"{service} {method} {rule} has no access decision"


def test_centres_are_public_and_mark_demo_values(databases, redis_client, seeded_centres):
    client = APPS["catalog"]({"TESTING": True}).test_client()
    centres = client.get("/api/v1/centres").get_json()
    assert len(centres) == 144
    assert {c["visitors_source"] for c in centres} == {"demo"}
    with_shelf = client.get("/api/v1/centres?with_shelf=true").get_json()
    assert len(with_shelf) == 20 and all(c["shelf_capacity"] for c in with_shelf)
    kharkiv = client.get("/api/v1/centres?oblast=Харківська").get_json()
    assert kharkiv and {c["oblast"] for c in kharkiv} == {"Харківська"}
