"""What every service's Flask app has: the API, errors, health, metrics, request ids."""
from __future__ import annotations

import os
import time
import uuid
from typing import Any, Iterable

import redis
import structlog
from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api, Blueprint
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from shared import config, db
from shared.auth import public
from shared.i18n import t, translate_errors
from shared.logging import configure_logging
from shared.metrics import LATENCY, REQUESTS, render

log = structlog.get_logger("bookcross.web")

_STATUS_KEYS = {
    400: "error.bad_request", 401: "error.unauthorized", 403: "error.forbidden",
    404: "error.not_found", 405: "error.method_not_allowed", 409: "error.conflict",
    413: "error.too_large", 422: "error.unprocessable", 429: "error.too_many",
    500: "error.internal", 503: "error.unavailable",
}
_STATUS_NAMES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
                 422: "Unprocessable Entity", 429: "Too Many Requests",
                 500: "Internal Server Error", 503: "Service Unavailable"}


class ApiError(Exception):
    """An error a client gets as `{code, status, message, errors}` in its language."""

    def __init__(self, code: int, key: str | None = None, errors: Any = None, **params: Any):
        super().__init__(key)
        self.code = code
        self.key = key or _STATUS_KEYS.get(code, "error.internal")
        self.errors = errors
        self.params = params


def error_payload(code: int, message: str, errors: Any = None) -> dict:
    payload = {"code": code, "status": _STATUS_NAMES.get(code, "Error"), "message": message}
    if errors:
        payload["errors"] = translate_errors(errors)
    return payload


def _handle_api_error(err: ApiError):
    return jsonify(error_payload(err.code, t(err.key, **err.params), err.errors)), err.code


def _handle_http_exception(err: HTTPException):
    code = err.code or 500
    errors = None
    data = getattr(err, "data", None)
    if data and "messages" in data:
        # webargs: {"json": {"field": [...]}} — the location is noise to a client.
        messages = data["messages"]
        errors = {}
        for location_errors in messages.values():
            if isinstance(location_errors, dict):
                errors.update(location_errors)
            else:
                errors.setdefault("_schema", []).extend(location_errors)
        if code == 400 and "json" in messages and "_schema" in errors:
            return jsonify(error_payload(400, t("error.invalid_json"), errors)), 400
    key = _STATUS_KEYS.get(code, "error.internal")
    headers = getattr(err, "data", {}) or {}
    response = jsonify(error_payload(code, t(key), errors))
    response.status_code = code
    for name, value in (headers.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _handle_unexpected(err: Exception):
    log.exception("request.unhandled", error=str(err))
    return jsonify(error_payload(500, t("error.internal"))), 500


def create_service_app(service: str, *, title: str, blueprints: Iterable[Blueprint],
                       overrides: dict | None = None) -> Flask:
    configure_logging(service)
    app = Flask(f"services.{service}")
    app.config.update(
        SECRET_KEY=config.secret_key(),
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        JSON_SORT_KEYS=False,
        BOOKCROSS_SERVICE=service,
    )
    app.json.ensure_ascii = False
    if overrides:
        app.config.update(overrides)
    api = Api(app, spec_kwargs={"info": {"description": f"bookcross {service} service"}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "bookcross staff token"})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions["bookcross_api"] = api

    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.request_id = request_id[:64]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id,
                                               correlation_id=g.request_id)

    @app.after_request
    def _finish(response: Response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        REQUESTS.labels(service, request.method, endpoint, response.status_code).inc()
        LATENCY.labels(service, endpoint).observe(elapsed)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if endpoint not in ("/metrics", "/healthz", "/readyz"):
            log.info("request", method=request.method, path=request.path,
                     status=response.status_code, ms=round(elapsed * 1000, 2))
        return response

    @app.get("/healthz")
    @public
    def healthz():
        return {"status": "ok", "service": service}

    @app.get("/readyz")
    @public
    def readyz():
        checks = {}
        try:
            with db.engine_for(service).connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            client = redis.Redis.from_url(config.redis_url(), socket_timeout=1,
                                          socket_connect_timeout=1)
            client.ping()
            client.close()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return {"status": "ready" if ready else "not ready", "checks": checks}, (200 if ready else 503)

    @app.get("/metrics")
    @public
    def metrics():
        body, content_type = render(service)
        return Response(body, content_type=content_type)

    return app
