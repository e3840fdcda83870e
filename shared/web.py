"""What every service's Flask app has: the API, errors, health, metrics, request ids.

Errors are answered here, in one place: a use case's domain error (`shared.errors`) becomes
`{code, status, message, errors}` for the API and a sentence in the user's language for a page
(`page_message`, `field_messages`, or the error page when a page lets it through)."""
from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any, Iterable

import redis
import structlog
from flask import Flask, Response, g, jsonify, render_template_string, request, send_from_directory
from flask_limiter.errors import RateLimitExceeded
from flask_smorest import Api, Blueprint
from jinja2 import ChoiceLoader, PackageLoader
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from shared import config, db, errors, limits
from shared.auth import public
from shared.i18n import t, translate_errors
from shared.logging import configure_logging
from shared.metrics import LATENCY, REQUESTS, render

log = structlog.get_logger("bookcross.web")

_STATUS_KEYS = {
    400: "error.bad_request", 401: "error.unauthorized", 403: "error.forbidden",
    404: "error.not_found", 405: "error.method_not_allowed", 409: "error.conflict",
    413: "error.too_large", 415: "error.unsupported_media", 422: "error.unprocessable", 429: "error.too_many",
    500: "error.internal", 503: "error.unavailable",
}
_STATUS_NAMES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
                 415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
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


# Each kind of domain error and the HTTP status it is answered with.
DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404, errors.Conflict: 409, errors.Invalid: 422, errors.NotAllowed: 403,
}


def status_of(err: errors.DomainError) -> int:
    for kind in type(err).__mro__:
        if kind in DOMAIN_STATUS:
            return DOMAIN_STATUS[kind]
    return 409


def page_message(err: errors.DomainError, lang: str | None = None) -> str:
    """The refusal as one sentence for a page, in its language."""
    return t(err.key, lang, **err.params)


def field_messages(err: errors.DomainError, lang: str | None = None) -> dict[str, str]:
    """A form's fields and the first message for each (an error without fields: `form`)."""
    if not err.errors:
        return {"form": page_message(err, lang)}
    return {field: (messages[0] if isinstance(messages, list) else str(messages))
            for field, messages in translate_errors(err.errors, lang).items()}


_ERROR_PAGE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ code }}</title></head>
<body><main><h1>{{ code }}</h1><p role="alert">{{ message }}</p></main></body></html>"""


# On a staff page the refusal keeps the workspace's header: the way on is one click away.
_STAFF_ERROR_PAGE = """{% extends "staff_base.html" %}{% block title %}{{ code }}{% endblock %}
{% block content %}<h1>{{ code }}</h1><p class="error" role="alert" id="error">{{ message }}</p>{% endblock %}"""


def _handle_domain_error(err: errors.DomainError):
    code = status_of(err)
    message = page_message(err)
    if request.path.startswith("/api/"):
        return jsonify(error_payload(code, message, err.errors)), code
    from shared.i18n import current_language

    page = _STAFF_ERROR_PAGE if request.path.startswith("/staff/") else _ERROR_PAGE
    return Response(render_template_string(page, code=code, message=message, lang=current_language()),
                    status=code, content_type="text/html")


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


def _handle_rate_limited(err: RateLimitExceeded):
    """429 with Retry-After (Flask-Limiter adds it) and a message in the client's language:
    JSON for the API, a short page for people."""
    retry_after = max(1, int(err.limit.limit.get_expiry()) if err.limit else 60)
    message = t("error.too_many_wait", seconds=retry_after)
    if request.path.startswith("/api/"):
        response = jsonify(error_payload(429, message))
    else:
        response = Response(render_template_string(_TOO_MANY_PAGE, message=message), content_type="text/html")
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


_TOO_MANY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>429</title></head>
<body><main><h1>429</h1><p role="alert">{{ message }}</p></main></body></html>"""


def _handle_unexpected(err: Exception):
    if isinstance(err, RecursionError):  # JSON nested deeper than the parser goes
        return jsonify(error_payload(400, t("error.invalid_json"))), 400
    log.exception("request.unhandled", error=str(err))
    return jsonify(error_payload(500, t("error.internal"))), 500


class BoundedInt(IntegerConverter):
    """`<int:…>` path ids up to what a database integer holds: a longer number is a 404, not a
    database overflow (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


# Secrets in paths (tracking codes, signed donor links) never reach the logs.
_SECRET_PATHS = re.compile(r"(/(?:api/v1/)?(?:track|preferences|unsubscribe)/)[^/?#]+")


def masked_path(path: str) -> str:
    return _SECRET_PATHS.sub(r"\1***", path)


def trusted_proxies() -> int:
    """How many reverse proxies stand in front of the app (TRUSTED_PROXIES, default 0): only the
    forwarded headers they add are believed, never ones the client wrote."""
    return config.env_int("TRUSTED_PROXIES", 0)


def _origins() -> str:
    found = set()
    for service in config.SERVICES:
        for url in (config.service_url(service), config.public_base_url(service)):
            match = re.match(r"^(https?://[^/]+)", url)
            if match:
                found.add(match.group(1))
    return " ".join(sorted(found))


def security_headers(response: Response) -> Response:
    """On every answer: a content security policy (scripts and styles only our own, inline ones
    only with this response's nonce), no framing, no MIME sniffing, no Referer (our URLs carry
    tracking codes and signed links)."""
    nonce = g.get("csp_nonce", "")
    docs = request.path.startswith("/api/docs")
    style = "'self' 'unsafe-inline'" if docs else f"'self' 'nonce-{nonce}'"
    policy = (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src {style}; "
              "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
              f"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' {_origins()}")
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="{{ base }}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{{ base }}/swagger-ui-bundle.js"></script>
<script nonce="{{ csp_nonce() }}">
window.ui = SwaggerUIBundle({url: {{ spec_url|tojson }}, dom_id: "#swagger-ui", deepLinking: true,
  requestInterceptor: function (r) { r.headers["X-Requested-With"] = "swagger"; return r; }});
</script></body></html>"""


def _register_docs(app: Flask, title: str) -> None:
    """Swagger UI from the installed swagger-ui-bundle package, on our own origin: the page that
    may carry the staff cookie loads no script from anybody else."""
    from swagger_ui_bundle import swagger_ui_path

    @app.get("/api/docs")
    @public
    def api_docs():
        # Relative to /api/docs, so the page works under the reverse proxy's per-service prefix
        # (/donations/api/docs loads donations' own document) as well as on the service's port.
        return render_template_string(_DOCS_PAGE, title=title, base="docs/static", spec_url="openapi.json")

    @app.get("/api/docs/static/<path:filename>")
    @public
    def api_docs_static(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)


def create_service_app(service: str, *, title: str, blueprints: Iterable[Blueprint],
                       overrides: dict | None = None) -> Flask:
    configure_logging(service)
    app = Flask(f"services.{service}")
    app.url_map.converters["int"] = BoundedInt
    proxies = trusted_proxies()
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    app.config.update(
        SECRET_KEY=config.secret_key(),
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=config.env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
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

    _register_docs(app, title)
    limits.init_app(app)

    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(errors.DomainError, _handle_domain_error)
    app.register_error_handler(RateLimitExceeded, _handle_rate_limited)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)

    @app.context_processor
    def _nonce():
        return {"csp_nonce": lambda: g.get("csp_nonce", "")}

    # The staff workspace's one layout (shared/templates/staff_base.html) for every service.
    from shared.workspace import workspace

    app.jinja_loader = ChoiceLoader([app.jinja_loader, PackageLoader("shared", "templates")])
    app.jinja_env.globals.update(workspace=workspace, t=t)

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        g.csp_nonce = secrets.token_urlsafe(16)
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
        security_headers(response)
        if endpoint not in ("/metrics", "/healthz", "/readyz"):
            log.info("request", method=request.method, path=masked_path(request.path),
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
