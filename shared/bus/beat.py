"""Celery beat for the whole network: the periodic outbox sweep of every service, the pruning
of the bus's tables, and the notifications delivery loop. Every task it sends is safe to run
twice at once, so two beats are harmless.

Run: celery -A shared.bus.beat:app beat
"""
from __future__ import annotations

import os

from celery import Celery

from shared import config
from shared.bus import retention
from shared.bus.settings import celery_settings
from shared.bus.subscriptions import prune_task_name, relay_queue, relay_task_name

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
for service in config.SERVICES:
    app.conf.beat_schedule[f"{service}-bus-prune"] = {
        "task": prune_task_name(service),
        "schedule": retention.prune_every(),
        "options": {"queue": relay_queue(service), "expires": retention.prune_every()},
    }
DELIVER_EVERY = float(os.environ.get("NOTIFY_TICK_SECONDS", "2"))
app.conf.beat_schedule["notifications-deliver"] = {
    "task": "bookcross.notifications.deliver",  # services/notifications/tasks.py
    "schedule": DELIVER_EVERY,
    "options": {"queue": relay_queue("notifications"), "expires": DELIVER_EVERY * 5},
}
