"""At most one run at a time, across every process of the network: for periodic work that two
beats, or a tick that overran the next one, would otherwise do twice at once (redis-py's Lock:
SET NX with an expiry, released only by its holder)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import redis

from shared import config

_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    url = config.redis_url()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]


@contextmanager
def exclusive(name: str, seconds: float) -> Iterator[bool]:
    """Yields True if this process holds `name` (for at most `seconds`: a holder that dies
    frees it then), False if another holds it or Redis cannot say."""
    try:
        lock = _client().lock(f"bookcross:exclusive:{name}", timeout=seconds, blocking=False)
        held = lock.acquire()
    except redis.RedisError:
        held = False
    try:
        yield held
    finally:
        if held:
            try:
                lock.release()
            except (redis.RedisError, redis.exceptions.LockError):
                pass  # expired, or Redis away: it frees itself
