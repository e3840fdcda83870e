"""What the server-side token check costs on the scan path (PostgreSQL, one process).

Times `shared.auth.check` (the signature, the expiry, the account read from staff_identities)
with the per-process cache (STAFF_CHECK_CACHE_SECONDS, 2 s) and without it (every request reads
the row), then a whole arrival scan through the Flask app both ways.

    .venv/bin/python bench/token_check.py [--n 3000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def per_call_us(function, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    os.environ.setdefault("BOOKCROSS_SECRET_KEY", uuid.uuid4().hex)
    os.environ["BOOKCROSS_VAR_DIR"] = tempfile.mkdtemp()
    os.environ["LOG_LEVEL"] = "WARNING"
    from shared import config, db
    from shared.embedded import EmbeddedRedis
    from shared.testing import postgres

    redis_server = EmbeddedRedis(tempfile.mkdtemp()).start()
    os.environ["REDIS_URL"] = redis_server.url
    admin = postgres.ensure_server()
    urls = {s: postgres.create_database(admin) for s in config.SERVICES}
    try:
        for service, url in urls.items():
            os.environ[f"{service.upper()}_DATABASE_URL"] = url
        from services.catalog.app import create_app
        from services.catalog.services.centres import seed_centres
        from shared import auth
        from shared.migrate import upgrade
        from tests.staff import make_staff

        for service, url in urls.items():
            upgrade(service, url)
        seed_centres(demo=True)
        token = make_staff("bench", "centre_staff", "1241")
        claims = auth.read_token(token)
        client = create_app({"TESTING": True}).test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def scan():
            response = client.post("/api/v1/centres/1241/scans", headers=headers,
                                   json={"code": "ZZZZZ-ZZZZZ", "mode": "arrival", "scan_id": str(uuid.uuid4())})
            assert response.status_code == 200, response.get_data(as_text=True)

        rows = []
        for label, ttl in (("cached (2 s TTL)", "2"), ("uncached (a row read each time)", "0")):
            os.environ["STAFF_CHECK_CACHE_SECONDS"] = ttl
            from shared import staff_identity

            staff_identity.forget()
            check = per_call_us(lambda: auth.check(claims, cookie=False, service="catalog"), args.n)
            whole = per_call_us(scan, max(200, args.n // 10))
            rows.append((label, check, whole))
        print(f"{'token check':34} {'p50':>9} {'p99':>9}   {'whole scan p50':>15} {'p99':>9}")
        for label, (c50, c99), (w50, w99) in rows:
            print(f"{label:34} {c50:7.1f}µs {c99:7.1f}µs   {w50 / 1000:13.2f}ms {w99 / 1000:7.2f}ms")
    finally:
        db.dispose_all()
        for url in urls.values():
            postgres.drop_database(admin, url)
        redis_server.stop()


if __name__ == "__main__":
    main()
