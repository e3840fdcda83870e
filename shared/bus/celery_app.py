"""The Celery app of a service: its consume task, its relay task (the publisher it relays with is
`shared.bus.publisher`).

How the consume task keeps its promise (nothing lost, nothing stuck):
- it never fails: an event either succeeds, is dead-lettered (after CONSUMER_MAX_RETRIES
  failures of its own), or is sent again to the back of the queue — at once, after a short
  pause taken inside the task (never a Celery countdown: a delayed task waits unacknowledged
  in a worker's memory, where the visibility timeout can restore it and run it twice);
- a database that is away never counts as a failure: the event waits for it, whatever it takes,
  and so does a dead letter that cannot be written;
- if even the re-send fails (Redis away too), the message is rejected back to its queue, or
  stays unacknowledged and comes back after the visibility timeout;
- a task killed at the hard time limit is requeued (`task_acks_on_timeout=False`); one that
  overruns MAX_OVERRUNS times is dead-lettered instead of looping.
"""
from __future__ import annotations

import time

import redis
import structlog
from billiard.exceptions import SoftTimeLimitExceeded
from celery import Celery, signals
from celery.exceptions import Reject, Retry, TimeLimitExceeded

from shared import config, db
from shared.bus import retention
from shared.bus.consumer import Handlers, dead_letter, handle
from shared.bus.publisher import install_publisher
from shared.bus.settings import TASK_SOFT_TIME_LIMIT, behind_the_web, celery_settings, retry_pause
from shared.bus.subscriptions import consume_task_name, probe_task_name, prune_task_name, relay_task_name
from shared.bus.watchdog import start_watchdog
from shared.logging import configure_logging
from shared.outbox.listener import start_relay_listener
from shared.outbox.relay import relay_pending, resend_after_broker_restart

log = structlog.get_logger("bookcross.bus")


def make_celery(service: str, handlers: Handlers) -> Celery:
    app = Celery(f"bookcross.{service}", broker=config.redis_url(), set_as_current=False)
    app.conf.update(celery_settings(default_queue=service))
    app.bookcross_publish = install_publisher(service)

    @app.task(name=consume_task_name(service), bind=True, max_retries=None)
    def consume(self, envelope: dict, failures: int = 0) -> dict:
        started = time.monotonic()
        summary: dict = {}
        try:
            if (self.request.delivery_info or {}).get("redelivered") and overruns(self.request.id) >= MAX_OVERRUNS:
                dead_letter(service, envelope, {f"{service}.consume": f"overran the time limit {MAX_OVERRUNS} times"})
                return {"dead_lettered": True}
            outcome = handle(service, handlers, envelope)
            summary = {"handled": outcome.handled, "duplicates": outcome.duplicates,
                       "failed": sorted(outcome.failed)}
            if outcome.invalid:
                dead_letter(service, envelope, {f"{service}.consume": outcome.invalid})
                return summary
            if not outcome.failed:
                return summary
            if not outcome.unavailable:
                failures += 1
                if failures > config.bus_settings().consumer_max_retries:
                    dead_letter(service, envelope, outcome.failed)
                    return summary
        except SoftTimeLimitExceeded:
            log.warning("consume.out_of_time", task_id=self.request.id)
        except Exception as exc:  # a dead letter that could not be written: the database is away
            log.warning("consume.will_retry", task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
        _pause(started, self.request.retries)
        try:
            # To the back of the queue, now; handlers that succeeded are recorded and skipped.
            raise self.retry(kwargs={"failures": failures}, countdown=0)
        except Retry:
            raise
        except Exception as exc:  # the broker is away too: back to the queue, or restored later
            log.warning("consume.requeue", task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
            raise Reject(str(exc), requeue=True) from exc

    # A periodic tick: acknowledged on receipt (the work is in the database; the next tick comes).
    @app.task(name=relay_task_name(service), ignore_result=True, acks_late=False)
    def relay() -> int:
        try:
            resend_after_broker_restart(service, _redis())
        except redis.RedisError:
            pass  # the broker is away: the next sweep looks again
        result = relay_pending(service)
        if result.sent or result.failed or result.dead:
            log.info("outbox.sweep", service=service, sent=result.sent,
                     failed=result.failed, dead=result.dead)
        return result.sent

    @app.task(name=probe_task_name(service), ignore_result=True, acks_late=False)
    def probe(token: str) -> None:
        """A round trip through this service's own queue (`bookcross status`)."""
        _redis().set(f"bookcross:probe:{token}", "1", ex=60)

    @app.task(name=prune_task_name(service), ignore_result=True, acks_late=False)
    def prune() -> int:
        pruned = retention.prune(service)
        if pruned.outbox or pruned.processed or pruned.dead_letters:
            log.info("bus.pruned", service=service, outbox=pruned.outbox, processed=pruned.processed,
                     dead_letters=pruned.dead_letters)
        return pruned.outbox + pruned.processed + pruned.dead_letters

    start_watchdog(app, service)
    start_relay_listener(app, service)
    return app


def _pause(started: float, retries: int) -> None:
    """Back off a little before the event goes round again (a database that is down is not
    hammered), within the time the task has left."""
    left = TASK_SOFT_TIME_LIMIT - (time.monotonic() - started) - 0.5
    pause = min(retry_pause(retries), left)
    if pause > 0:
        time.sleep(pause)


# --- a task that overran the hard time limit --------------------------------------------------
# Celery kills the pool child and requeues the message (task_acks_on_timeout=False). The
# worker's main process counts the overruns of each task id in Redis, so an event whose handler
# always overruns is dead-lettered instead of going round for ever.
MAX_OVERRUNS = 3
_OVERRUN_KEY = "bookcross:overruns:{}"
_redis_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    url = config.redis_url()
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _redis_clients[url]


def overruns(task_id: str) -> int:
    try:
        return int(_redis().get(_OVERRUN_KEY.format(task_id)) or 0)
    except redis.RedisError:
        return 0


@signals.task_failure.connect
def _count_overrun(sender=None, task_id=None, exception=None, **_kwargs) -> None:
    if isinstance(exception, TimeLimitExceeded) and getattr(sender, "name", "").endswith(".consume"):
        try:
            pipe = _redis().pipeline()
            pipe.incr(_OVERRUN_KEY.format(task_id))
            pipe.expire(_OVERRUN_KEY.format(task_id), 86400)
            pipe.execute()
        except redis.RedisError:
            pass
        log.error("consume.overran", task_id=task_id)


def _survive_redis_loss_on_close() -> None:
    """Celery 5.7 / kombu 5.7: when Redis dies under a worker, the consumer collects the broken
    connection (which drops its client) and then closes it; closing the channel tries to restore
    unacknowledged messages, needs a fresh client, reads `connection.client.hostname` from None
    and the AttributeError kills the whole worker (`Unrecoverable error`; the same family as
    kombu#582 and kombu#970). With no broker there is nothing to restore now anyway — the
    visibility timeout brings those messages back — so that case raises the transport's own
    connection error, which the close ignores, and the worker reconnects instead of dying."""
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    original = kombu_redis.Channel._connparams
    if getattr(original, "_bookcross", False):
        return

    def _connparams(self, asynchronous=False):
        if getattr(self.connection, "client", None) is None:
            raise RedisConnectionError("the broker connection is closed")
        return original(self, asynchronous=asynchronous)

    _connparams._bookcross = True
    kombu_redis.Channel._connparams = _connparams


_survive_redis_loss_on_close()


def _one_publish_client_per_pool() -> None:
    """kombu 5.7's Redis channel builds a new `redis.Redis` for every publish and every publish
    batch (`conn_or_acquire` → `_create_client`). Building one fills in some 170 response
    callbacks: a sixth of the CPU of sending one small task (a consume task sending its event
    round again, the watchdog's ticks). A client is a thin, thread-safe front of the channel's
    connection pool, so each channel keeps one for as long as its pool lives (a broken
    connection makes kombu drop the pool, and the next call builds a client for the new one).
    The channel's own asynchronous client (BRPOP, registered with the event loop) is left as
    kombu makes it."""
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.Channel._create_client
    if getattr(original, "_bookcross", False):
        return

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return original(self, asynchronous=True)
        pool = self.pool
        kept = self.__dict__.get("_bookcross_client")
        if kept is None or kept[0] is not pool:
            kept = self.__dict__["_bookcross_client"] = (pool, original(self))
        return kept[1]

    _create_client._bookcross = True
    kombu_redis.Channel._create_client = _create_client


_one_publish_client_per_pool()


@signals.worker_init.connect
def _worker_behind_the_web(**_kwargs) -> None:
    behind_the_web()  # the pool children it forks inherit it


@signals.worker_process_init.connect
def _fresh_connections_in_child(**_kwargs) -> None:
    # A forked pool child must not reuse the parent's database sockets.
    db.dispose_all()
    # SQLite's lock wait cannot be interrupted by the soft time limit: keep it well below.
    db.set_sqlite_busy_timeout(TASK_SOFT_TIME_LIMIT - 1.5)


@signals.setup_logging.connect
def _logging(**_kwargs) -> None:
    configure_logging()
