"""A thread in each worker's main process that keeps the worker honest.

- **A worker that consumes nothing.** After a reconnection to Redis a Celery worker can stay
  alive, answer `inspect ping` (which does not go through the task queue) and never take
  another message (celery/celery#10205, #10302). The watchdog counts the messages this worker
  receives; when its service's queue holds messages and it has received none for
  WORKER_STALL_SECONDS, it shuts the worker down, and its supervisor (`bookcross up`, Docker's
  restart policy) starts a fresh one.
- **A silent beat.** When beat's heartbeat (shared.bus.periodic) has not been seen for
  BEAT_SILENT_SECONDS, the worker sends its own service's periodic tasks at their periods, so
  outbox sweeps and donor letters do not wait for a person to restart beat.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import redis
import structlog
from celery import Celery, signals

from shared import config
from shared.bus.periodic import beat_alive, periodic_tasks

log = structlog.get_logger("bookcross.watchdog")

_received: dict[str, int] = {}  # messages this worker took, by queue


@signals.task_received.connect
def _count_received(request=None, **_kwargs) -> None:
    queue = ((getattr(request, "delivery_info", None) or {}).get("routing_key")) or "?"
    _received[queue] = _received.get(queue, 0) + 1


def stall_seconds() -> float:
    return config.env_float("WORKER_STALL_SECONDS", 30)


class Watchdog(threading.Thread):
    CHECK_EVERY = 1.0

    def __init__(self, app: Celery, service: str):
        super().__init__(name=f"bookcross-watchdog-{service}", daemon=True)
        self.app = app
        self.service = service
        self.client = redis.Redis.from_url(config.redis_url(), socket_timeout=2, socket_connect_timeout=2)
        self.last_sent: dict[str, float] = {}
        self.standing_in = False
        self.seen_received = 0
        self.idle_since: float | None = None

    def run(self) -> None:
        while True:
            time.sleep(self.CHECK_EVERY)
            try:
                self.stand_in_for_beat()
                self.check_consuming()
            except redis.RedisError:
                self.idle_since = None  # Redis away: nothing to judge by; kombu reconnects
            except Exception as exc:  # the watchdog must never die of a surprise
                log.warning("watchdog.error", error=f"{type(exc).__name__}: {exc}")

    def stand_in_for_beat(self) -> None:
        if beat_alive(self.client):
            if self.standing_in:
                log.info("watchdog.beat_back", service=self.service)
                self.standing_in = False
            return
        if not self.standing_in:
            log.warning("watchdog.beat_silent", service=self.service,
                        action="this worker sends its service's periodic tasks")
            self.standing_in = True
        now = time.monotonic()
        for periodic in periodic_tasks():
            if periodic.service == self.service and now - self.last_sent.get(periodic.task, -1e9) >= periodic.every:
                self.app.send_task(periodic.task, queue=periodic.queue, expires=periodic.expires)
                self.last_sent[periodic.task] = now

    def check_consuming(self) -> None:
        received, waiting = _received.get(self.service, 0), self.client.llen(self.service)
        if received != self.seen_received or not waiting:
            self.seen_received, self.idle_since = received, None
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        elif now - self.idle_since >= stall_seconds():
            log.error("watchdog.consumes_nothing", service=self.service, waiting=waiting,
                      seconds=round(now - self.idle_since), action="shutting down to be restarted")
            self.shut_down()

    def shut_down(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # warm: running tasks finish (≤ their time limit)
        time.sleep(30)
        os._exit(75)  # still here: the shutdown itself is stuck


def start_watchdog(app: Celery, service: str) -> None:
    @signals.worker_ready.connect(weak=False)
    def _start(sender=None, **_kwargs) -> None:
        if sender is not None and getattr(sender, "app", None) is not app:
            return
        Watchdog(app, service).start()
