"""The baseline: a bare Celery no-op task with the same settings as the bus, on the same Redis."""
from __future__ import annotations

import redis
from celery import Celery

from shared import config
from shared.bus.settings import celery_settings

app = Celery("bench.bare", broker=config.redis_url(), set_as_current=False)
app.conf.update(celery_settings(default_queue="bare"))
_done = redis.Redis.from_url(config.redis_url())


@app.task(name="bench.noop")
def noop(marker: str | None = None) -> None:
    # The only work: tell the bench it ran (a counter, and the marker for latency runs).
    if marker:
        _done.rpush(f"bench:done:{marker}", 1)
    else:
        _done.incr("bench:done")
