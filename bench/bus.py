"""Benchmark: end-to-end events per second on the bus, against a bare Celery no-op.

    .venv/bin/python bench/bus.py [--events 3000] [--producers 4] [--latency-samples 200]

Both run in the same process tree, on the same private Redis, with workers of the same
settings (prefork, concurrency 2, acks_late, prefetch 1):
- bare: N `bench.noop` tasks sent by P producer processes; time from the first send to the
  last task run; then latency of one task at a time (send → ran).
- bus: N `donations.pickup_scheduled` events, each written to the donations outbox in its
  own committed transaction by P producer processes (the after-commit nudge relays it), to
  the real notifications worker whose idempotent handler records it in PostgreSQL; time
  from the first commit to the last event handled; then latency at idle (commit → the
  processed_events row is visible), one event at a time.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.backends import backends  # noqa: E402
from shared.testing import wait_for  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--latency-samples", type=int, default=200)
    args = parser.parse_args()

    from shared.testing.network import Network

    with backends("bus", OUTBOX_SWEEP_SECONDS="2") as (workdir, _urls, env):
        network = Network(env, workdir / "logs", web=(), beat=True,
                          workers={"notifications": "services.notifications.tasks:app",
                                   "donations": "services.donations.tasks:app"})
        try:
            network.start()
            bare = bare_run(network, dict(network.env), args)
            bus = bus_run(args)
        finally:
            network.stop()

    print(f"\nbus benchmark — {args.events} events, {args.producers} producers, 2-core machine")
    print(f"  bare Celery no-op : {bare['rate']:7.0f} tasks/s   latency p50 {bare['p50']:.1f} ms  p99 {bare['p99']:.1f} ms")
    print(f"  bookcross bus     : {bus['rate']:7.0f} events/s  latency p50 {bus['p50']:.1f} ms  p99 {bus['p99']:.1f} ms"
          f"  (commit → handled, idle)")
    print(f"  ratio bus/bare    : {bus['rate'] / bare['rate']:.2f} (target ≥ 0.50); "
          f"p99 target < 50 ms: {'met' if bus['p99'] < 50 else 'NOT met'}")
    return 0


def bare_run(network, env, args) -> dict:
    import redis

    from shared.processes import worker_command
    from shared.testing.network import Process, wait_worker_ready

    command = worker_command("bare", 2, hostname="bare@%h")
    command[command.index("-A") + 1] = "bench.bare_app:app"
    command[command.index("-Q") + 1] = "bare"
    worker = Process("bare_worker", command, env, network.log_dir).start()
    worker.hostname = f"bare@{socket.gethostname()}"
    wait_worker_ready(worker, env["REDIS_URL"])
    from bench.bare_app import app, noop  # noqa: F401

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        client.delete("bench:done")
        producers = Producers("bare", args.events, args.producers)
        wait_for(lambda: int(client.get("bench:done") or 0) >= args.producers, timeout=60, interval=0.005)
        started = time.perf_counter()
        producers.go()
        wait_for(lambda: int(client.get("bench:done") or 0) >= args.events, timeout=600, interval=0.005)
        producers.join()
        rate = (args.events - args.producers) / (time.perf_counter() - started)
        latencies = []
        for i in range(args.latency_samples):
            marker = f"m{i}"
            t0 = time.perf_counter()
            app.send_task("bench.noop", args=[marker], queue="bare")
            client.blpop(f"bench:done:{marker}", timeout=10)
            latencies.append((time.perf_counter() - t0) * 1000)
    finally:
        worker.stop()
    return {"rate": rate, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def _producer(kind: str, count: int, ready, go) -> None:
    """One producer process, like one gunicorn worker: its own connections, warmed up
    (imports, first connection) before the clock starts."""
    if kind == "bare":
        from bench.bare_app import app

        def send():
            app.send_task("bench.noop", queue="bare")
    else:
        send = _write_pickup_event
    send()
    ready.release()
    go.wait()
    for _ in range(count - 1):
        send()


class Producers:
    """P producer processes that start sending together when `go()` is called."""

    def __init__(self, kind: str, total: int, processes: int):
        context = multiprocessing.get_context("spawn")
        self.ready, self.start_event = context.Semaphore(0), context.Event()
        share = [total // processes + (1 if i < total % processes else 0) for i in range(processes)]
        self.processes = [context.Process(target=_producer, args=(kind, n, self.ready, self.start_event))
                          for n in share]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.ready.acquire()  # each has sent its first message: warm

    def go(self) -> None:
        self.start_event.set()

    def join(self) -> None:
        for process in self.processes:
            process.join()
            if process.exitcode:
                raise RuntimeError("a producer failed")


def _write_pickup_event():
    import uuid

    import services.donations.tasks  # noqa: F401  (the after-commit nudge)
    from shared import db
    from shared.outbox import add_event

    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    with db.session_scope("donations") as session:
        event = add_event(session, "donations.pickup_scheduled", {
            "donation_id": uuid.uuid4(), "scheduled_start": start,
            "scheduled_end": start + timedelta(hours=2)}, producer="donations")
    return event.event_id


def bus_run(args) -> dict:
    from sqlalchemy import func, select

    from shared import db
    from shared.models import ProcessedEvent

    write_event = _write_pickup_event

    def handled_count() -> int:
        with db.session_scope("notifications") as session:
            return session.scalar(select(func.count()).select_from(ProcessedEvent))

    write_event()  # warm connections
    wait_for(lambda: handled_count() >= 1, timeout=30)
    producers = Producers("bus", args.events, args.producers)
    wait_for(lambda: handled_count() >= 1 + args.producers, timeout=60, interval=0.005)
    started = time.perf_counter()
    producers.go()
    wait_for(lambda: handled_count() >= 1 + args.events, timeout=600, interval=0.01)
    producers.join()
    rate = (args.events - args.producers) / (time.perf_counter() - started)

    latencies = []
    for _ in range(args.latency_samples):
        t0 = time.perf_counter()
        event_id = write_event()
        # PostgreSQL READ COMMITTED: each SELECT sees rows committed before it began.
        with db.session_scope("notifications") as session:
            query = select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id)
            deadline = time.perf_counter() + 10
            while session.scalar(query) is None and time.perf_counter() < deadline:
                time.sleep(0.0005)
        latencies.append((time.perf_counter() - t0) * 1000)
    return {"rate": rate, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


if __name__ == "__main__":
    sys.exit(main())
