"""The real catalog worker with its real handlers, instrumented for failure tests.

Each handler run is recorded in Redis (`test:runs`: "<event_id>|<pid>"), and the test can
make handlers slow (`test:delay` seconds) or fail (`test:fail`) through Redis keys, or make
the next run overrun the hard time limit (`test:overrun` seconds, once) the way SQLite's busy
wait does: in a place the soft time limit cannot interrupt. The consume task, retries, dead
letters and idempotency guard are the production code.
"""
from __future__ import annotations

import os
import signal
import time

import redis

from services.catalog import assistant_feed
from services.catalog.handlers import HANDLERS as REAL_HANDLERS
from services.catalog.services import reports
from shared import config
from shared.bus.celery_app import make_celery

_client: redis.Redis | None = None


def control() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(config.redis_url(), decode_responses=True)
    return _client


def instrument(handler):
    def wrapped(session, event):
        control().rpush("test:runs", f"{event['event_id']}|{os.getpid()}")
        overrun = float(control().getdel("test:overrun") or 0)
        if overrun:
            # Celery's soft limit is SIGUSR1: blocked, as if waiting inside C code.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
            time.sleep(overrun)
        delay = float(control().get("test:delay") or 0)
        if delay:
            time.sleep(delay)
        if control().get("test:fail"):
            raise RuntimeError("the hub database is away (told to fail by the test)")
        return handler(session, event)

    return wrapped  # under the same consumer name as in production (the table's)


# The reports' handlers run as they are: the failure tests watch the hub's own handlers (their
# runs, delays and failures), and an extra instrumented handler per event would blur that.
HANDLERS = {event: {name: h if name.startswith("report_") else instrument(h) for name, h in handlers.items()}
            for event, handlers in REAL_HANDLERS.items()}
app = make_celery("catalog", HANDLERS)
assistant_feed.register_task(app)  # catalog's periodic word to the assistant, as in production
reports.register_task(app)  # and its reports' catch-up
