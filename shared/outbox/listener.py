"""A thread in each worker's main process that relays its service's events as they are committed.

A web server's processes leave relaying to the workers (`shared.outbox.relay.relay_in_workers`):
after a commit that added events, their nudge thread PUBLISHes on the service's channel. This
listener, subscribed to it, then relays every due row of the service, a batch (OUTBOX_RELAY_BATCH)
per claim, until none is left; signals that arrive meanwhile are taken together. It runs at the
worker's priority, below the web's (shared.bus.settings.behind_the_web): during a burst of offers
the relaying waits for the people being answered, and catches up in a few claims.

Nothing depends on the signal arriving: a web process that finds nobody subscribed relays its
rows itself, and the periodic sweep sends whatever is still pending. When Redis goes away the
listener subscribes again as soon as it is back, and first relays what was committed meanwhile.
"""
from __future__ import annotations

import threading
import time

import redis
import structlog
from celery import Celery, signals

from shared import config
from shared.outbox.relay import relay_channel, relay_pending

log = structlog.get_logger("bookcross.relay")


class RelayListener(threading.Thread):
    WAIT = 1.0           # seconds per wait for a signal (the thread checks `stopping` between)
    MAX_PAUSE = 5.0      # after an error, the longest pause before subscribing again

    def __init__(self, service: str):
        super().__init__(name=f"bookcross-relay-{service}", daemon=True)
        self.service = service
        self.stopping = threading.Event()
        self.relayed = 0

    def run(self) -> None:
        self.pause = 0.25
        while not self.stopping.is_set():
            try:
                self._listen()
            except redis.RedisError as exc:
                log.info("outbox.listener_reconnecting", service=self.service, error=str(exc))
            except Exception as exc:  # a database that is away, a surprise: the thread must live on
                log.warning("outbox.listener_error", service=self.service, error=f"{type(exc).__name__}: {exc}")
            self.stopping.wait(self.pause)
            self.pause = min(self.MAX_PAUSE, self.pause * 2)

    def stop(self) -> None:
        self.stopping.set()

    def _listen(self) -> None:
        client = redis.Redis.from_url(config.redis_url(), socket_connect_timeout=2, socket_timeout=10,
                                      health_check_interval=5)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(relay_channel(self.service))
            self.pause = 0.25
            self.relay_due()  # what was committed while nobody listened
            while not self.stopping.is_set():
                if pubsub.get_message(timeout=self.WAIT) is None:
                    continue
                while pubsub.get_message(timeout=0) is not None:  # signals of the same moment: one relay
                    pass
                self.relay_due()
        finally:
            pubsub.close()
            client.close()

    def relay_due(self) -> None:
        """Every due row, a claim at a time, until a claim comes back short (or fails: then the
        sweep's period and back-off pace the next try)."""
        batch = config.bus_settings().relay_batch
        while not self.stopping.is_set():
            result = relay_pending(self.service, limit=batch)
            self.relayed += result.sent
            if result.sent < batch or result.failed or result.dead or result.broker_unavailable:
                return


def start_relay_listener(app: Celery, service: str) -> None:
    """Once the worker is ready, its main process listens for its service's new events."""
    @signals.worker_ready.connect(weak=False)
    def _start(sender=None, **_kwargs) -> None:
        if sender is not None and getattr(sender, "app", None) is not app:
            return
        RelayListener(service).start()


def wait_until_listening(service: str, timeout: float = 10.0) -> bool:
    """True once someone listens on `service`'s channel (for tests)."""
    client = redis.Redis.from_url(config.redis_url(), socket_timeout=2, socket_connect_timeout=2)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if dict(client.pubsub_numsub(relay_channel(service))).get(relay_channel(service).encode(), 0):
                return True
            time.sleep(0.05)
        return False
    finally:
        client.close()
