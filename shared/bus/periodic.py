"""The network's periodic work, one list for beat and for the workers that stand in for it.

Every task here is safe to run twice at once (claims with SKIP LOCKED or a lease, idempotent
deletes, the delivery loop's network-wide lock), so two beats are harmless; and when no beat
is heard for a while (BEAT_SILENT_SECONDS), each worker sends its own service's periodic
tasks itself (shared.bus.watchdog), so a stopped beat delays nothing.

Each service adds its own periodic work through an entry point of the group
`bookcross.periodic` (pyproject.toml): a function returning its `Periodic` entries.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

import redis

from shared import config
from shared.bus import retention
from shared.bus.subscriptions import prune_task_name, relay_queue, relay_task_name

PERIODIC_GROUP = "bookcross.periodic"
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
    tasks += [task for hook in entry_points(group=PERIODIC_GROUP) for task in hook.load()()]
    return tasks


def beat_silent_after() -> float:
    return config.env_float("BEAT_SILENT_SECONDS", 15)


def beat_alive(client: redis.Redis) -> bool:
    return bool(client.exists(BEAT_KEY))


def mark_beat_alive(client: redis.Redis) -> None:
    client.set(BEAT_KEY, "1", px=int(beat_silent_after() * 1000))
