"""Rate limits on public writes (Flask-Limiter, counters in Redis shared by every process).

The client is `request.remote_addr`: the socket's peer, or — behind TRUSTED_PROXIES proxies —
the address the nearest trusted proxy saw (Werkzeug's ProxyFix, set up in shared/web.py).
A forwarded header written by the client itself never counts.

Limits are configuration: each has an environment variable holding Flask-Limiter's notation
(`"10/minute;100/hour"`), read at request time. A request over a limit gets 429 with a
localised message and Retry-After. If Redis is away the requests go through (each process
keeps an in-memory count meanwhile): a tracking page that works beats a perfect limit.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter

from shared import config

# name → (environment variable, default)
LIMITS: dict[str, tuple[str, str]] = {
    "offers": ("RATE_LIMIT_OFFERS", "10/minute;60/hour"),
    "tracking": ("RATE_LIMIT_TRACKING", "30/minute"),
    "donor_actions": ("RATE_LIMIT_DONOR_ACTIONS", "10/hour"),
    "notes": ("RATE_LIMIT_NOTES", "5/hour"),
    "sign_in_client": ("RATE_LIMIT_SIGN_IN", "10/minute"),
    "sign_in_account": ("RATE_LIMIT_SIGN_IN_ACCOUNT", "5/minute;30/day"),
    "preferences": ("RATE_LIMIT_PREFERENCES", "20/hour"),
    "telegram_link": ("RATE_LIMIT_TELEGRAM_LINK", "5/hour"),
    "likes": ("RATE_LIMIT_LIKES", "30/hour"),
    "feedback": ("RATE_LIMIT_FEEDBACK", "20/minute"),
    "impact": ("RATE_LIMIT_IMPACT", "60/minute"),
    # Questions to the assistant: the "Ask us" box per client, the Telegram bot per chat.
    "questions": ("RATE_LIMIT_QUESTIONS", "10/minute;60/hour"),
}
# Older single-number settings, still honoured.
_LEGACY = {"tracking": ("TRACK_RATE_LIMIT", "minute"), "notes": ("NOTE_LIMIT_PER_HOUR", "hour"),
           "likes": ("LIKE_LIMIT_PER_HOUR", "hour"), "feedback": ("FEEDBACK_RATE_LIMIT", "minute")}


def limit_value(name: str) -> str:
    variable, default = LIMITS[name]
    if config.env(variable):
        return config.env(variable)
    legacy = _LEGACY.get(name)
    if legacy and config.env(legacy[0]):
        return f"{config.env_int(legacy[0], 0)}/{legacy[1]}"
    return default


def client_address() -> str:
    return request.remote_addr or "unknown"


# No X-RateLimit-* headers on every answer (each would cost Redis round trips for the window's
# state); a refused request gets its Retry-After from `shared.web`.
limiter = Limiter(client_address, headers_enabled=False, strategy="fixed-window", swallow_errors=True,
                  in_memory_fallback_enabled=True, key_prefix="bookcross")


def limited(name: str, *, key_func=None, methods: list[str] | None = None):
    """Decorate a view with the limit `name` (one shared counter for every view so decorated)."""
    return limiter.shared_limit(lambda: limit_value(name), scope=name, key_func=key_func, methods=methods)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", config.redis_url())
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    limiter.init_app(app)


def allowed(name: str, key: str | None = None) -> bool:
    """For a limit checked inside a view (not the whole request): counts one hit of `name` for
    this client (or `key`); False once over the limit. Redis away: allowed."""
    from limits import parse_many

    identity = key or client_address()
    try:
        return all(limiter.limiter.hit(item, "bookcross", name, identity)
                   for item in parse_many(limit_value(name)))
    except Exception:  # the storage is away: a working page beats a perfect limit
        return True
