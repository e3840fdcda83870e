"""A PostgreSQL server for tests and benchmarks: the machine's when it answers, else a private one."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def ensure_server() -> str:
    """Return an admin URL of a PostgreSQL server that answers, starting one if needed."""
    url = os.environ.get("BOOKCROSS_TEST_POSTGRES", DEFAULT_URL)
    if answers(url):
        return url
    # The machine's cluster may simply be stopped (as root, Debian's wrapper starts it).
    if os.geteuid() == 0 and shutil.which("pg_ctlcluster"):
        for conf in glob.glob("/etc/postgresql/*/main"):
            version = conf.split("/")[3]
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                           check=False, capture_output=True)
        if answers(url):
            return url
    return _start_private()


def _start_private() -> str:
    """A throwaway cluster with pytest-postgresql's executor (PostgreSQL refuses to run as root)."""
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

    from shared.embedded import free_port

    pg_ctl = _pg_bin("pg_ctl")
    if pg_ctl is None or os.geteuid() == 0:
        raise RuntimeError("no PostgreSQL answers and none can be started here "
                           "(need pg_ctl and a non-root user, or set BOOKCROSS_TEST_POSTGRES)")
    base = tempfile.mkdtemp(prefix="bookcross-pg-")
    port = free_port()
    executor = PostgreSQLExecutor(
        executable=pg_ctl, host="127.0.0.1", port=port, datadir=os.path.join(base, "data"),
        unixsocketdir=base, logfile=os.path.join(base, "pg.log"), startparams="-w",
        dbname="postgres", user="postgres")
    executor.start()
    _started.append(executor)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


_started: list = []


def stop_private() -> None:
    for executor in _started:
        executor.stop()
    _started.clear()


def create_database(admin_url: str, name: str | None = None) -> str:
    name = name or f"bc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
