"""Celery settings for every bookcross worker and publisher, chosen on purpose.

Delivery guarantees on Redis (measured on Celery/kombu 5.7, proven in
tests/e2e/test_bus_failures.py):
- `task_acks_late`: a message is acknowledged only after its handler finished,
  so a crash mid-handler leaves it unacknowledged.
- `task_reject_on_worker_lost`: when a pool child is killed, Celery requeues its
  message at once instead of failing it with WorkerLostError.
- When the whole worker dies, its unacknowledged messages sit in kombu's
  `unacked` hash until another consumer's restore sweep finds one older than
  `visibility_timeout`. The sweep runs every `unacked_restore_interval` seconds
  scanning on every `unacked_restore_throttle`-th call: 1 and 1 make it a
  one-second sweep, so redelivery takes about `visibility_timeout` + 1 s.
- A healthy task must never be older than `visibility_timeout` while it is
  still unacknowledged, or it would be restored and run twice. Its age is at
  most: waiting for a free pool slot (prefetch 1: ≤ one task's run,
  ≤ TASK_TIME_LIMIT) + its own run (≤ TASK_TIME_LIMIT): 5 + 5 = 10 s < 15 s.
  That is why retries never use a countdown (an ETA task waits unacknowledged
  in the worker, however long its countdown, and a backlog of them would be
  restored and run twice): a retry pauses inside the task (`retry_pause`, part
  of its own run) and goes to the back of the queue at once. Periodic ticks
  (sweeps, the delivery loop) are acknowledged on receipt: the work they do is
  in the database, and the next tick comes anyway.
- `task_acks_on_timeout=False`: a task killed at the hard time limit is
  requeued, not acknowledged (its transaction rolled back; acknowledging it
  would lose the event for that consumer).
"""
from __future__ import annotations

import errno
import os
import time

from shared import config

TASK_SOFT_TIME_LIMIT = 4
TASK_TIME_LIMIT = 5
RETRY_MAX_PAUSE = 2.0
VISIBILITY_TIMEOUT = 15

assert 2 * TASK_TIME_LIMIT < VISIBILITY_TIMEOUT
assert RETRY_MAX_PAUSE < TASK_SOFT_TIME_LIMIT


def celery_settings(default_queue: str) -> dict:
    return dict(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_acks_on_timeout=False,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
        task_time_limit=TASK_TIME_LIMIT,
        task_default_queue=default_queue,
        task_create_missing_queues=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
            # A publisher must fail fast when Redis is away: the outbox keeps the event.
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
            "health_check_interval": 10,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )


def retry_pause(retries: int) -> float:
    return min(RETRY_MAX_PAUSE, 0.25 * (2 ** retries))


def behind_the_web() -> None:
    """Run this process BACKGROUND_NICE steps (default 10) below the web processes: on a machine
    they share, a page or a scan at the counter is answered first, and the events, letters and
    sweeps take the rest of the time (all of it when nobody is asking). Every worker and beat
    call it as they start; the pool children a worker forks inherit it.

    Linux's scheduler weighs a process's nice value only against the other processes of its own
    session when autogroups are on (`/proc/sys/kernel/sched_autogroup_enabled`, the default on
    most distributions): a worker started in a session of its own (by the supervisor, by a
    terminal, by a container) would compete with each web server as an equal however nice it
    is. So a process that leads its own session sets the same step on its session's group too."""
    step = config.env_int("BACKGROUND_NICE", 10)
    if step <= 0:
        return
    os.nice(step)
    if os.getsid(0) == os.getpid():  # the group holds only this process and its children
        _nice_autogroup(step)


def _nice_autogroup(step: int) -> None:
    path = "/proc/self/autogroup"
    for _attempt in range(20):
        try:
            with open(path) as current:  # "/autogroup-85 nice 0"
                nice = int(current.read().split()[-1])
            with open(path, "w") as autogroup:
                autogroup.write(str(min(19, nice + step)))
            return
        except OSError as exc:
            if exc.errno != errno.EAGAIN:
                return  # no autogroups (other kernels, other systems): the process's nice is enough
            # The kernel takes one change of any group's nice per tenth of a second: workers
            # starting together take turns.
            time.sleep(0.11)
        except (ValueError, IndexError):
            return
