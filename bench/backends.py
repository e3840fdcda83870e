"""What every benchmark starts from: a private Redis (with AOF, as in production) and fresh,
migrated PostgreSQL databases, pointed at by this process's environment."""
from __future__ import annotations

import os
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from shared.embedded import EmbeddedRedis
from shared.testing import postgres

SERVICES = ("catalog", "donations", "notifications")


@contextmanager
def backends(prefix: str, extra_databases: tuple[str, ...] = (), **env: str):
    """Yields (work dir, database URLs, the environment to give the network's processes)."""
    # A bench stopped by `timeout` or Ctrl-C still stops the processes it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix=f"bookcross-{prefix}-"))
    redis_server = EmbeddedRedis(workdir / "redis", appendonly=True).start()
    admin = postgres.ensure_server()
    urls = {s: postgres.create_database(admin) for s in SERVICES + extra_databases}
    process_env = {"REDIS_URL": redis_server.url, "LOG_LEVEL": "INFO", "BOOKCROSS_SECRET_KEY": "bench",
                   **{f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()}, **env}
    os.environ.update(process_env)
    from shared import db
    from shared.migrate import upgrade

    try:
        for service in SERVICES:
            upgrade(service, urls[service])
        yield workdir, urls, process_env
    finally:
        redis_server.stop()
        db.dispose_all()
        for url in urls.values():
            postgres.drop_database(admin, url)
