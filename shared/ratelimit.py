"""A per-client fixed-window rate limit kept in Redis (shared by every gunicorn worker)."""
from __future__ import annotations

import time

import redis
from flask import request

from shared import config

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    url = config.redis_url()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return _clients[url]


def allow(bucket: str, limit: int, per_seconds: int = 60) -> bool:
    """True if this client may go on. If Redis is away, let the request through:
    a tracking page that works beats a perfect limit."""
    client_id = request.headers.get("X-Forwarded-For", request.remote_addr or "?").split(",")[0].strip()
    window = int(time.time() // per_seconds)
    key = f"bookcross:rl:{bucket}:{client_id}:{window}"
    try:
        pipe = _client().pipeline()
        pipe.incr(key)
        pipe.expire(key, per_seconds * 2)
        count, _ = pipe.execute()
    except redis.RedisError:
        return True
    return int(count) <= limit
