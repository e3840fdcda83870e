"""Celery beat for the whole network: the periodic outbox sweep of every service.

Run: celery -A shared.bus.beat:app beat
"""
from __future__ import annotations

from celery import Celery

from shared import config
from shared.bus.settings import celery_settings
from shared.bus.subscriptions import relay_queue, relay_task_name

SWEEP = config.bus_settings().sweep_seconds

app = Celery("bookcross.beat", broker=config.redis_url(), set_as_current=False)
app.conf.update(celery_settings(default_queue="beat"))
app.conf.beat_schedule = {
    f"{service}-outbox-sweep": {
        "task": relay_task_name(service),
        "schedule": SWEEP,
        # A sweep that waited longer than a few periods is useless: drop it.
        "options": {"queue": relay_queue(service), "expires": SWEEP * 5},
    }
    for service in config.SERVICES
}
