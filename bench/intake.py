"""Benchmark: a flash mob of donation offers against the running donations service.

    .venv/bin/python bench/intake.py [--offers 10000] [--clients 20] [--web-workers 4] [--rounds 3]

Starts the network on PostgreSQL and a private Redis (gunicorn donations with W workers,
the three Celery workers and beat, all on this machine), sends N offers from C concurrent
clients (each a distinct donor, so none is taken for a double submit), and prints offers/s,
p50/p99 latency, and how many of the offers' events reached notifications (must be all).
In the same run, the same clients send the same bodies to the baseline (bench/bare_flask.py,
same gunicorn settings): a bare Flask endpoint that writes the rows an offer writes — donor,
donation, items, history, two outbox rows — with SQLAlchemy Core in one transaction, with no
validation and no bus. The offers go in R bursts of each kind taken in turns (bare, bookcross,
then a wait until the bookcross burst's events are all handled), so that the machine's drifting
speed slows both alike; the kind not measured is paused (SIGSTOP), so beat's ticks never run
beside the baseline. Exits 1 if a target is missed: rate ≥ 0.5× the baseline's, p99 ≤ 250 ms,
every offer's events delivered.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.backends import backends  # noqa: E402
from bench.bus import percentile  # noqa: E402
from bench.cpu import Cpu, CpuMeter  # noqa: E402
from bench.pauses import no_collector_pauses  # noqa: E402
from shared.embedded import free_port  # noqa: E402
from shared.testing import wait_for  # noqa: E402


def offer_body(i: int) -> dict:
    return {
        "donor": {"kind": "citizen", "email": f"flashmob+{i}-{uuid.uuid4().hex[:6]}@example.com",
                  "consent": True},
        "items": [{"isbn": "0-306-40615-2", "quantity": 2}, {"title": "Кобзар", "authors": "Тарас Шевченко"}],
        "handover": {"kind": "pickup", "address": f"вул. Тестова, {i}", "city": "Харків",
                     "oblast": "Харківська"},
    }


RATE_TARGET = 0.5
P99_TARGET_MS = 250.0


def burst(url: str, total: int, clients: int, meter: CpuMeter | None = None) -> dict:
    local = threading.local()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def send(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        body = offer_body(i)
        started = time.perf_counter()
        response = session.post(url, json=body, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    for i in range(clients):  # warm every connection
        send(-1 - i)
    latencies.clear()
    statuses.clear()
    if meter:
        meter.start()
    started = time.perf_counter()
    with no_collector_pauses(), ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(total)))
    elapsed = time.perf_counter() - started
    cpu = meter.stop() if meter else None
    return {"rate": total / elapsed, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "statuses": statuses, "seconds": elapsed, "cpu": cpu, "latencies": latencies, "offers": total}


@contextmanager
def paused(processes):
    """The process groups of `processes` stopped (SIGSTOP) while the other kind is measured:
    idle as they are, their periodic work would take its share of the cores."""
    groups = [p.pid for p in processes if p.alive()]
    for group in groups:
        os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        for group in groups:
            os.killpg(group, signal.SIGCONT)


def _combined(bursts: list[dict]) -> dict:
    """Several bursts of one kind as one: offers over their seconds, percentiles of all latencies."""
    latencies = [ms for b in bursts for ms in b["latencies"]]
    statuses: dict[int, int] = {}
    cpu = Cpu()
    for b in bursts:
        for code, n in b["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
        cpu.add(b["cpu"])
    offers = sum(b["offers"] for b in bursts)
    return {"rate": offers / sum(b["seconds"] for b in bursts), "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "statuses": statuses, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3,
                        help="bursts of each kind, taken in turns (this machine's speed drifts)")
    args = parser.parse_args()

    from bench import bare_flask
    from shared.processes import executable
    from shared.testing.network import Network, Process

    # A flash mob from one address: the per-client offer limit would refuse it.
    with backends("intake", extra_databases=("bare",), RATE_LIMIT_OFFERS="1000000/minute") as (workdir, urls, env):
        bare_flask.prepare(urls["bare"])  # its tables, once, before its workers start
        network = Network(env, workdir / "logs", web=("donations",), web_workers=args.web_workers)
        redis_port = int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        databases = {url.rsplit("/", 1)[1]: name for name, url in urls.items()}
        bare_port = free_port()
        bare = Process("bare_flask", [executable("gunicorn"), "bench.bare_flask:app", "--bind",
                                      f"127.0.0.1:{bare_port}", "--workers", str(args.web_workers)],
                       dict(network.env, BARE_DATABASE_URL=urls["bare"]), network.log_dir)
        try:
            bare.start()
            wait_for(lambda: requests.post(f"http://127.0.0.1:{bare_port}/offers", json=offer_body(0),
                                           timeout=1).ok, timeout=60, message="bare endpoint up")
            network.start()
            bare_url = f"http://127.0.0.1:{bare_port}/offers"
            our_url = network.url("donations") + "/api/v1/donations"
            share = [args.offers // args.rounds + (1 if i < args.offers % args.rounds else 0)
                     for i in range(args.rounds)]
            bursts: dict[str, list[dict]] = {"bare": [], "bookcross": []}
            expected, waited = 0, 0.0
            for offers in share:
                # In turns, each on a quiet machine: the previous burst's events all handled.
                with paused(network.processes.values()):  # not even beat's ticks beside the baseline
                    bursts["bare"].append(burst(bare_url, offers, args.clients, CpuMeter(
                        [bare.pid], redis_port=redis_port, databases=databases)))
                with paused([bare]):
                    bursts["bookcross"].append(burst(our_url, offers, args.clients, CpuMeter(
                        [p.pid for p in network.processes.values()], redis_port=redis_port, databases=databases)))
                expected += offers + args.clients
                reached, after = _wait_for_notifications(expected)
                waited = max(waited, after)
        finally:
            bare.stop()
            network.stop()
    baseline, result = _combined(bursts["bare"]), _combined(bursts["bookcross"])

    delivered = reached - args.clients * args.rounds
    ratio = result["rate"] / baseline["rate"]
    met = {"rate": ratio >= RATE_TARGET, "p99": result["p99"] <= P99_TARGET_MS, "delivered": delivered == args.offers}
    print(f"\nintake benchmark — {args.offers} offers from {args.clients} clients in {args.rounds} bursts of "
          f"each taken in turns, gunicorn ×{args.web_workers}, PostgreSQL, the Celery workers and beat "
          f"on the same {os.cpu_count()} cores")
    for name, r in (("bare Flask + Core, the offer's rows", baseline), ("bookcross POST /api/v1/donations  ", result)):
        print(f"  {name}: {r['rate']:6.0f} offers/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
              f"CPU per offer during the burst {r['cpu'].total * 1000 / args.offers:5.1f} ms "
              f"(ours {r['cpu'].ours * 1000 / args.offers:5.1f})  {r['statuses']}")
    print(f"  bookcross CPU per offer by program (ms): {result['cpu'].breakdown(args.offers)}; "
          f"by server: {result['cpu'].breakdown(args.offers, servers=True)}")
    print(f"  offers whose events reached notifications: {delivered} of {args.offers} "
          f"(at most {waited:.0f} s after a burst; target all: {'met' if met['delivered'] else 'NOT met'})")
    print(f"  rate ratio bookcross/bare: {ratio:.2f} (target ≥ {RATE_TARGET}: {'met' if met['rate'] else 'NOT met'}); "
          f"p99 {result['p99']:.0f} ms (target ≤ {P99_TARGET_MS:.0f} ms: {'met' if met['p99'] else 'NOT met'})")
    return 0 if all(met.values()) else 1


def _wait_for_notifications(expected: int) -> tuple[int, float]:
    from sqlalchemy import func, select

    from services.notifications.models import Notice
    from shared import db

    def reached() -> int:
        with db.session_scope("notifications") as session:
            return session.scalar(select(func.count()).select_from(Notice).where(Notice.stage == "offered"))

    started = time.perf_counter()
    try:
        wait_for(lambda: reached() >= expected, timeout=900, interval=1)
    except TimeoutError:
        pass
    return reached(), time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
