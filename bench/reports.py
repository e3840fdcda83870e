"""Benchmark: the reports at network scale.

    .venv/bin/python bench/reports.py [--copies 1000000] [--centres 150] [--donations 100000]
                                      [--requests 300] [--clients 2]

Fills catalog's PostgreSQL database with a year of a big network (copies and their journey
steps, as catalog's use cases write them; and the event archive of every offer, pickup,
collection, message, feedback and channel choice the reports would have heard), then:
1. times a full `bookcross reports rebuild` (the read model made from those records);
2. starts catalog on gunicorn (×2) and asks for the dashboard — the JSON API and the HTML page
   with its charts and map — `--requests` times each from `--clients` clients, after one warm-up
   request per worker.
Prints the rebuild's time and p50/p95/p99 of each; exits 1 if a dashboard's p95 is 200 ms or more.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.backends import backends  # noqa: E402
from bench.bus import percentile  # noqa: E402

TARGET_P95_MS = 200
YEAR = datetime(2026, 1, 1, 6, tzinfo=timezone.utc)
STAGES = ("offered", "pickup_scheduled", "collected", "catalogued", "on_shelves", "taken")
# Where a copy ends up: status, and the journey steps that led there.
FATES = (("shelved", 60, ("catalogued", "allocated", "dispatched", "received", "shelved")),
         ("taken", 15, ("catalogued", "allocated", "dispatched", "received", "shelved", "taken")),
         ("received", 8, ("catalogued", "allocated", "dispatched", "received")),
         ("in_transit", 5, ("catalogued", "allocated", "dispatched")),
         ("catalogued", 7, ("catalogued",)),
         ("withdrawn", 5, ("catalogued", "withdrawn")))


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """PostgreSQL COPY, streamed."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def fill(copies: int, centres: int, donations: int, seed: int = 7) -> dict:
    """A year of the network, written straight into catalog's tables (not measured)."""
    from sqlalchemy import select, update

    from services.catalog.models import Centre
    from services.catalog.services.centres import seed_centres
    from shared import db

    rng = random.Random(seed)
    seed_centres(demo=True)
    with db.session_scope("catalog") as session:
        known = list(session.scalars(select(Centre.code)))
        for i in range(centres - len(known)):  # the reference list has 144: a few more, made up
            session.add(Centre(code=f"99{41 + i:02d}", name=f"ТСЦ 99{41 + i:02d}", region_code="99",
                               oblast=rng.choice(["Луганська", "Донецька", "Херсонська"]), settlement="—",
                               address="—", visitors_source="demo", shelf_source="demo"))
        session.flush()
        session.execute(update(Centre).values(has_shelf=True, shelf_capacity=copies // centres * 2,
                                              shelf_source="demo"))
        for centre in session.scalars(select(Centre)):
            centre.visitors_per_year = rng.randint(8_000, 60_000)
            centre.visitors_source = "demo"
        codes = sorted(c.code for c in session.scalars(select(Centre)))
    donation_ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(donations)]
    offered_at = {d: YEAR + timedelta(seconds=rng.randint(0, 330 * 86400)) for d in donation_ids}
    oblasts = ["Харківська", "Донецька", "Львівська", "Київська", "Одеська", "Дніпропетровська", "Полтавська",
               "Вінницька", "Сумська", "Чернігівська", "Запорізька", "Миколаївська", "Херсонська"]

    counts = {"copies": 0, "steps": 0, "events": 0}
    engine = db.engine_for("catalog")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        titles = [(f"t:книжка {i}|автор", f"Книжка {i}", "Автор", "staff", YEAR) for i in range(5000)]
        copy_rows(cursor, "titles", ("key", "title", "authors", "source", "created_at"), titles)
        weights = [f[1] for f in FATES]
        step_rows: list[tuple] = []
        copy_list: list[tuple] = []
        step_id = 0
        for n in range(copies):
            donation = donation_ids[n % donations]
            status, _, kinds = rng.choices(FATES, weights)[0]
            centre = rng.choice(codes)
            at = offered_at[donation] + timedelta(days=2 + rng.random() * 3)
            code = f"B{n:09d}"[:10]
            place = centre if status in ("shelved", "taken", "received") else None
            destination = centre if status in ("in_transit", "received", "shelved", "taken") else None
            copy_list.append((code, titles[n % len(titles)][0], donation, "good", status, place, destination,
                              at, at))
            for kind in kinds:
                step_id += 1
                at = at + timedelta(hours=rng.randint(1, 72))
                step_rows.append((step_id, code, kind, centre if kind not in ("catalogued", "withdrawn") else None,
                                  at, "bench"))
        counts["copies"] = copy_rows(cursor, "copies", ("code", "title_key", "donation_id", "condition", "status",
                                                        "centre_code", "destination_code", "catalogued_at",
                                                        "updated_at"), copy_list)
        del copy_list
        counts["steps"] = copy_rows(cursor, "copy_steps", ("id", "copy_code", "kind", "centre_code", "at", "actor"),
                                    step_rows)
        del step_rows
        cursor.execute("SELECT setval(pg_get_serial_sequence('copy_steps', 'id'), %s)", (step_id,))

        def events():
            message_id = 0
            for donation in donation_ids:
                at = offered_at[donation]
                oblast = rng.choice(oblasts)
                yield "donations.donation_offered", at, {"donation_id": str(donation), "donor_kind": "citizen",
                                                         "handover": "pickup", "centre_code": None, "oblast": oblast,
                                                         "declared_count": 10}
                if rng.random() < 0.05:
                    yield "donations.pickup_failed", at + timedelta(hours=20), {"donation_id": str(donation)}
                if rng.random() < 0.97:
                    yield "donations.pickup_scheduled", at + timedelta(hours=rng.randint(2, 30)), {
                        "donation_id": str(donation)}
                    yield "donations.donation_collected", at + timedelta(hours=rng.randint(30, 60)), {
                        "donation_id": str(donation), "collected_count": 10}
                else:
                    yield "donations.donation_cancelled", at + timedelta(hours=5), {"donation_id": str(donation),
                                                                                    "by": "donor"}
                for stage in rng.sample(STAGES, 4):
                    message_id += 1
                    channel = "email" if rng.random() < 0.8 else "sms"
                    status = "sent" if rng.random() < 0.97 else "failed"
                    when = (at + timedelta(hours=rng.randint(1, 200))).isoformat()
                    yield "notifications.message_delivered", at, {
                        "donation_id": str(donation), "message_id": message_id, "stage": stage, "channel": channel,
                        "status": status, "at": when}
                if rng.random() < 0.1:
                    when = at + timedelta(days=rng.randint(1, 10))
                    yield "donations.feedback_given", when, {
                        "donation_id": str(donation), "stage": rng.choice(STAGES[:3] + ("tracking",)),
                        "useful": rng.random() < 0.85, "comment": "Дякую!" if rng.random() < 0.2 else None,
                        "at": when.isoformat()}
                if rng.random() < 0.02:
                    yield "notifications.channels_changed", at + timedelta(days=3), {
                        "donor_id": str(uuid.UUID(int=rng.getrandbits(128))), "unsubscribed": ["email"]}

        counts["events"] = copy_rows(cursor, "report_event_archive",
                                     ("event_id", "event_type", "version", "occurred_at", "payload"),
                                     ((uuid.UUID(int=rng.getrandbits(128)), t, 1, at, json.dumps(p, ensure_ascii=False))
                                      for t, at, p in events()))
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return counts


def measure(url: str, headers: dict, total: int, clients: int) -> dict:
    def one(_):
        started = time.perf_counter()
        response = requests.get(url, headers=headers, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, response.status_code, len(response.content)

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(total)))
    latencies = sorted(r[0] for r in results)
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "statuses": sorted({r[1] for r in results}), "bytes": results[-1][2]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=1_000_000)
    parser.add_argument("--centres", type=int, default=150)
    parser.add_argument("--donations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    from shared.testing.network import Network
    from tests.staff import staff_cookie, staff_token

    with backends("reports") as (workdir, _urls, env):
        started = time.perf_counter()
        print(f"filling catalog: {args.copies} copies, {args.centres} centres, {args.donations} donations …",
              flush=True)
        counts = fill(args.copies, args.centres, args.donations)
        print(f"  {counts['copies']} copies, {counts['steps']} journey steps, {counts['events']} archived events "
              f"in {time.perf_counter() - started:.0f} s", flush=True)

        from services.catalog.services.reports import rebuild

        started = time.perf_counter()
        rebuilt = rebuild(echo=lambda line: print("  " + line, flush=True))
        rebuild_s = time.perf_counter() - started
        print(f"full rebuild: {rebuild_s:.1f} s ({rebuilt['copies']} copies, {rebuilt['donations']} donations, "
              f"{rebuilt['messages']} messages, {rebuilt['events']} events)", flush=True)

        network = Network(env, workdir / "logs", web=("catalog",), workers={}, beat=False,
                          web_workers=args.web_workers)
        token = staff_token("bench", "logistics", days=7)
        results = {}
        try:
            network.start()
            base = network.url("catalog")
            api = (f"{base}/api/v1/reports/dashboard", {"Authorization": f"Bearer {token}"})
            page = (f"{base}/staff/reports", {"Cookie": f"bookcross_staff={staff_cookie('bench', 'logistics')[1]}"})
            for name, (url, headers) in (("GET /api/v1/reports/dashboard", api), ("GET /staff/reports (HTML)", page)):
                cold = time.perf_counter()
                measure(url, headers, args.web_workers * 2, args.web_workers)  # each worker computes its months once
                print(f"  {name}: first answers (cold, per worker) in {(time.perf_counter() - cold) * 1000:.0f} ms",
                      flush=True)
                results[name] = measure(url, headers, args.requests, args.clients)
        finally:
            network.stop()

    print(f"\nreports benchmark — {args.copies} copies, {args.centres} centres, {args.donations} donations; "
          f"PostgreSQL, gunicorn ×{args.web_workers}, {args.clients} clients, 2-core machine")
    print(f"  full rebuild: {rebuild_s:.1f} s")
    failed = False
    for name, r in results.items():
        met = r["p95"] < TARGET_P95_MS
        failed |= not met or r["statuses"] != [200]
        print(f"  {name}: p50 {r['p50']:.1f} ms  p95 {r['p95']:.1f} ms  p99 {r['p99']:.1f} ms  "
              f"({r['bytes'] // 1024} KiB, statuses {r['statuses']}) — p95 < {TARGET_P95_MS} ms: "
              f"{'met' if met else 'NOT MET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

