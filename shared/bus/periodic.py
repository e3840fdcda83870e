"""The network's periodic work, one list for beat and for the workers that stand in for it.

Every task here is safe to run twice at once (claims with SKIP LOCKED or a lease, idempotent
deletes, the delivery loop's network-wide lock), so two beats are harmless; and when no beat
is heard for a while (BEAT_SILENT_SECONDS), each worker sends its own service's periodic
tasks itself (shared.bus.watchdog), so a stopped beat delays nothing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import redis

from shared import config
from shared.bus import retention
from shared.bus.subscriptions import prune_task_name, relay_queue, relay_task_name

BEAT_KEY = "bookcross:beat:alive"  # set by beat on every tick, with a short expiry


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    service: str
    every: float

    @property
    def queue(self) -> str:
        # Sweeps and ticks have their own queue, so a backlog of events never delays them.
        return relay_queue(self.service)

    @property
    def expires(self) -> float:
        # A tick that waited longer than a few periods is useless: the next one is coming.
        return max(self.every * 5, 10.0)


def periodic_tasks() -> list[Periodic]:
    sweep = config.bus_settings().sweep_seconds
    tasks = [Periodic(f"{s}-outbox-sweep", relay_task_name(s), s, sweep) for s in config.SERVICES]
    tasks += [Periodic(f"{s}-bus-prune", prune_task_name(s), s, retention.prune_every())
              for s in config.SERVICES]
    tasks.append(Periodic("notifications-deliver", "bookcross.notifications.deliver",  # notifications/tasks.py
                          "notifications", float(os.environ.get("NOTIFY_TICK_SECONDS", "2"))))
    # The consultation assistant: catalog tells it where books are needed, when that changed;
    # questions' words and quiet Telegram conversations are forgotten after ASSISTANT_KEEP_DAYS.
    tasks.append(Periodic("catalog-needs", "bookcross.catalog.publish_needs", "catalog",  # catalog/tasks.py
                          float(os.environ.get("ASSISTANT_NEEDS_SECONDS", "300"))))
    tasks += [Periodic(f"{s}-assistant-forget", f"bookcross.{s}.assistant_forget", s, 3600.0)
              for s in ("donations", "notifications")]
    return tasks


def beat_silent_after() -> float:
    return float(os.environ.get("BEAT_SILENT_SECONDS", "15"))


def beat_alive(client: redis.Redis) -> bool:
    return bool(client.exists(BEAT_KEY))


def mark_beat_alive(client: redis.Redis) -> None:
    client.set(BEAT_KEY, "1", px=int(beat_silent_after() * 1000))
