"""Celery beat for the whole network: the periodic tasks of shared.bus.periodic (outbox sweeps,
pruning, the notifications delivery loop). Every task it sends is safe to run twice at once,
so two beats are harmless; each tick tells Redis that beat is alive, and when it falls silent
the workers send their own service's periodic tasks (shared.bus.watchdog).

Run: celery -A shared.bus.beat:app beat
"""
from __future__ import annotations

import redis
import structlog
from celery import Celery, signals
from celery.beat import PersistentScheduler

from shared import config
from shared.bus.periodic import mark_beat_alive, periodic_tasks
from shared.bus.settings import behind_the_web, celery_settings

log = structlog.get_logger("bookcross.beat")


class HeartbeatScheduler(PersistentScheduler):
    """The default scheduler, which also marks beat alive in Redis on every tick."""

    _client: redis.Redis | None = None

    def tick(self, *args, **kwargs):
        try:
            if self._client is None:
                self._client = redis.Redis.from_url(config.redis_url(), socket_timeout=2,
                                                    socket_connect_timeout=2)
            mark_beat_alive(self._client)
        except redis.RedisError as exc:
            log.warning("beat.heartbeat_failed", error=str(exc))
        return min(super().tick(*args, **kwargs), 1.0)


app = Celery("bookcross.beat", broker=config.redis_url(), set_as_current=False)
app.conf.update(celery_settings(default_queue="beat"))
app.conf.beat_scheduler = HeartbeatScheduler
app.conf.beat_schedule = {
    p.name: {"task": p.task, "schedule": p.every, "options": {"queue": p.queue, "expires": p.expires}}
    for p in periodic_tasks()
}


@signals.beat_init.connect
def _beat_behind_the_web(**_kwargs) -> None:
    behind_the_web()
