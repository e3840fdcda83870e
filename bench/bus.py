"""Benchmark: the bus's own cost per event, against a bare durable hop, in the same run.

    .venv/bin/python bench/bus.py [--events 3000] [--producers 4] [--latency-samples 200] [--rounds 3]

Both run on the same private Redis (AOF) and the same PostgreSQL, with workers started by the
same command and settings (prefork, concurrency 2, acks_late, prefetch 1):
- baseline, a bare durable hop (bench/bare_app.py): P producer processes each commit one row
  in PostgreSQL and then send a Celery task; the task inserts one row in its own transaction.
- bookcross: P producer processes each write a `donations.pickup_rescheduled` event (one
  subscriber: notifications) to the donations outbox in its own committed transaction (the
  after-commit nudge relays it); notifications' consume task (bench/bus_app.py: the real one,
  with its idempotent guard) runs a handler that inserts one row, as the baseline's task does.
The events are sent in R bursts of each kind taken in turns (bare, bus, bare, bus, …): a shared
machine's speed drifts over minutes, and a baseline measured minutes before the bus made the
ratio move between 0.64 and 0.83 on the same code. For each: events/s over its bursts, each from
the first commit to the last event handled; latency at idle, one event
at a time (the producer's clock at commit → the time the task wrote in its row, in the
transaction that commits its work); and the CPU seconds per event of every
process taking part (producers with the relay, workers and beat; Redis; PostgreSQL's backends),
measured from /proc. Exits 1 if a target is missed: rate ≥ 0.7× the baseline's, p99 ≤ 20 ms.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.backends import backends  # noqa: E402
from bench.cpu import Cpu, CpuMeter  # noqa: E402
from shared.testing import wait_for  # noqa: E402

RATE_TARGET = 0.7
P99_TARGET_MS = 20.0


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3,
                        help="bursts of each kind, taken in turns (this machine's speed drifts)")
    args = parser.parse_args()

    from shared.testing.network import Network

    with backends("bus", extra_databases=("bare",), OUTBOX_SWEEP_SECONDS="2") as (workdir, urls, env):
        # After the environment names the run's Redis: their Celery apps read it at import.
        from bench import bare_app, bus_app

        bare_app.prepare(urls["bare"])  # their tables, once, before the workers start
        bus_app.prepare(urls["notifications"])
        env = dict(env, BARE_DATABASE_URL=urls["bare"])
        os.environ.update(env)
        network = Network(env, workdir / "logs", web=(), beat=True,
                          workers={"notifications": "bench.bus_app:app",
                                   "donations": "services.donations.tasks:app"})
        redis_port = int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        databases = tuple(url.rsplit("/", 1)[1] for url in urls.values())
        try:
            network.start()
            baseline, bus = interleaved(network, args, redis_port, databases)
        finally:
            network.stop()

    ratio = bus["rate"] / baseline["rate"]
    met_rate, met_p99 = ratio >= RATE_TARGET, bus["p99"] <= P99_TARGET_MS
    print(f"\nbus benchmark — {args.events} events, {args.producers} producers, {args.rounds} rounds of "
          f"each taken in turns, PostgreSQL, Redis with AOF, {os.cpu_count()}-core machine")
    for name, r in (("bare durable hop", baseline), ("bookcross bus   ", bus)):
        cpu = r["cpu"]
        per_event = 1000 / r["events"]
        print(f"  {name}: {r['rate']:6.0f} events/s  latency p50 {r['p50']:5.1f} ms  p99 {r['p99']:5.1f} ms  "
              f"CPU per event {cpu.total * per_event:5.2f} ms (ours {cpu.ours * per_event:5.2f}, "
              f"Redis {cpu.redis * per_event:4.2f}, PostgreSQL {cpu.postgres * per_event:4.2f})")
    print(f"  bookcross CPU per event by program (ms): {bus['cpu'].breakdown(bus['events'])}")
    print(f"  rate ratio bus/bare: {ratio:.2f} (target ≥ {RATE_TARGET}: {'met' if met_rate else 'NOT met'}); "
          f"p99 commit → handled {bus['p99']:.1f} ms (target ≤ {P99_TARGET_MS:.0f} ms: "
          f"{'met' if met_p99 else 'NOT met'}); CPU per event ratio "
          f"{bus['cpu'].total / bus['events'] / (baseline['cpu'].total / baseline['events']):.2f}")
    return 0 if met_rate and met_p99 else 1


def interleaved(network, args, redis_port: int, databases: tuple[str, ...]) -> tuple[dict, dict]:
    """The baseline's and the bus's bursts in turns (bare, bus, bare, bus, …), so that a machine
    whose speed drifts during the run (a shared VM) slows both alike; then each one's latency."""
    bare = BareSide(network, args, redis_port, databases)
    bus = BusSide(network, args, redis_port, databases)
    try:
        share = [args.events // args.rounds + (1 if i < args.events % args.rounds else 0)
                 for i in range(args.rounds)]
        rounds: dict[str, list[dict]] = {"bare": [], "bus": []}
        for events in share:
            rounds["bare"].append(bare.burst(events))
            rounds["bus"].append(bus.burst(events))
        return (dict(_combined(rounds["bare"]), **bare.latency()),
                dict(_combined(rounds["bus"]), **bus.latency()))
    finally:
        bare.stop()


def _combined(bursts: list[dict]) -> dict:
    events = sum(b["events"] for b in bursts)
    seconds = sum(b["seconds"] for b in bursts)
    cpu = Cpu()
    for b in bursts:
        cpu.add(b["cpu"])
    return {"rate": events / seconds, "events": events, "cpu": cpu}


class BareSide:
    """The baseline: its own worker on its own queue, the same worker command and settings."""

    def __init__(self, network, args, redis_port: int, databases: tuple[str, ...]):
        from bench import bare_app
        from shared.processes import worker_command
        from shared.testing.network import Process, wait_worker_ready

        self.args, self.redis_port, self.databases = args, redis_port, databases
        command = worker_command("bare", 2, hostname="bare@%h")
        command[command.index("-A") + 1] = "bench.bare_app:app"
        command[command.index("-Q") + 1] = "bare"
        self.worker = Process("bare_worker", command, network.env, network.log_dir).start()
        self.worker.hostname = f"bare@{os.uname().nodename}"
        wait_worker_ready(self.worker, network.env["REDIS_URL"])
        self.app = bare_app

    def handled(self) -> int:
        from sqlalchemy import func, select

        with self.app.engine().connect() as conn:
            return conn.scalar(select(func.count()).select_from(self.app.DONE))

    def burst(self, events: int) -> dict:
        meter = CpuMeter([self.worker.pid], redis_port=self.redis_port, databases=self.databases)
        return _burst("bare", events, self.args.producers, self.handled, meter)

    def latency(self) -> dict:
        from sqlalchemy import select

        latencies = []
        for _ in range(self.args.latency_samples):
            row_id = self.app.send_hop()
            committed = datetime.now(timezone.utc)
            query = select(self.app.DONE.c.at).where(self.app.DONE.c.id == row_id)
            latencies.append(_handled_after(self.app.engine(), query, committed))
        return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}

    def stop(self) -> None:
        self.worker.stop()


def _scalar(engine, query):
    with engine.connect() as conn:
        return conn.scalar(query)


def _handled_after(engine, query, committed: datetime) -> float:
    """Milliseconds from the producer's commit to the consumer's row (its own clock: the same
    machine's), looked up every 20 ms so that looking does not take the cores it measures."""
    deadline = time.monotonic() + 10
    while (at := _scalar(engine, query)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError("an event was not handled within 10 s")
        time.sleep(0.02)
    time.sleep(0.01)  # idle between samples: one event at a time
    return (at - committed).total_seconds() * 1000


def _burst(kind: str, total: int, processes: int, handled, meter: CpuMeter) -> dict:
    """P producers send `total` events together; measured from their go to the last one
    handled. Each producer sends one event first (warm: imports, connections, pool children)."""
    base = handled()
    producers = Producers(kind, total, processes)
    wait_for(lambda: handled() >= base + processes, timeout=60, interval=0.005)
    meter.start()
    started = time.perf_counter()
    producers.go()
    wait_for(lambda: handled() >= base + total, timeout=600, interval=0.005)
    elapsed = time.perf_counter() - started
    producer_cpu = producers.join()
    cpu = meter.stop()
    events = total - processes
    return {"rate": events / elapsed, "events": events, "seconds": elapsed,
            "cpu": Cpu(cpu.ours + producer_cpu, cpu.redis, cpu.postgres,
                       {**cpu.programs, "producers with their relay": producer_cpu})}


def _producer(kind: str, count: int, ready, go, spent) -> None:
    """One producer process, like one gunicorn worker: its own connections, warmed up
    (imports, first connection) before the clock starts. Reports the CPU it spent after the
    go, its relay thread's included."""
    if kind == "bare":
        from bench.bare_app import send_hop as send
    else:
        send = _write_pickup_event
    send()
    ready.release()
    go.wait()
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(count - 1):
        send()
    if kind != "bare":
        from shared.outbox.relay import wait_for_nudges
        wait_for_nudges(60)
    after = resource.getrusage(resource.RUSAGE_SELF)
    spent.put((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


class Producers:
    """P producer processes that start sending together when `go()` is called."""

    def __init__(self, kind: str, total: int, processes: int):
        context = multiprocessing.get_context("spawn")
        self.ready, self.start_event, self.spent = context.Semaphore(0), context.Event(), context.Queue()
        share = [total // processes + (1 if i < total % processes else 0) for i in range(processes)]
        self.processes = [context.Process(target=_producer, args=(kind, n, self.ready, self.start_event,
                                                                  self.spent))
                          for n in share]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.ready.acquire()  # each has sent its first message: warm

    def go(self) -> None:
        self.start_event.set()

    def join(self) -> float:
        """Wait for every producer; the CPU seconds they spent."""
        spent = sum(self.spent.get(timeout=120) for _ in self.processes)
        for process in self.processes:
            process.join()
            if process.exitcode:
                raise RuntimeError("a producer failed")
        return spent


def _write_pickup_event():
    import uuid

    import services.donations.tasks  # noqa: F401  (the after-commit nudge)
    from bench.bus_app import EVENT_TYPE
    from shared import db
    from shared.outbox import add_event

    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    with db.session_scope("donations") as session:
        event = add_event(session, EVENT_TYPE, {
            "donation_id": uuid.uuid4(), "scheduled_start": start, "scheduled_end": start + timedelta(hours=2),
            "previous_start": start - timedelta(days=1)}, producer="donations")
    return event.event_id


class BusSide:
    """Bookcross: the donations outbox, its relay, notifications' real consume task."""

    def __init__(self, network, args, redis_port: int, databases: tuple[str, ...]):
        self.network, self.args, self.redis_port, self.databases = network, args, redis_port, databases
        _write_pickup_event()  # warm connections
        wait_for(lambda: self.handled() >= 1, timeout=30)

    def handled(self) -> int:
        from sqlalchemy import func, select

        from bench.bus_app import DONE
        from shared import db

        with db.session_scope("notifications") as session:
            return session.scalar(select(func.count()).select_from(DONE))

    def burst(self, events: int) -> dict:
        meter = CpuMeter([p.pid for p in self.network.processes.values()], redis_port=self.redis_port,
                         databases=self.databases)
        return _burst("bus", events, self.args.producers, self.handled, meter)

    def latency(self) -> dict:
        from sqlalchemy import select

        from bench.bus_app import DONE
        from shared import db

        latencies = []
        engine = db.engine_for("notifications")
        for _ in range(self.args.latency_samples):
            event_id = _write_pickup_event()
            committed = datetime.now(timezone.utc)
            query = select(DONE.c.at).where(DONE.c.id == event_id)
            latencies.append(_handled_after(engine, query, committed))
        return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


if __name__ == "__main__":
    sys.exit(main())
