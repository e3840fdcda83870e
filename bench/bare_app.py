"""The baseline of bench/bus.py: a bare durable hop, with the bus's Celery settings, on the
same Redis and PostgreSQL. A producer commits one row (`send_hop`) and then sends a task; the
task inserts one row in its own transaction. No outbox, no relay, no envelope, no
idempotency: what is left is the durable work any event bus must do.

BARE_DATABASE_URL names its PostgreSQL database; `prepare()` creates the tables once,
before the worker starts.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

from celery import Celery, signals
from sqlalchemy import Column, DateTime, MetaData, Table, Uuid, create_engine, insert

from shared import config
from shared.bus.settings import behind_the_web, celery_settings

metadata = MetaData()
SENT = Table("bare_sent", metadata, Column("id", Uuid, primary_key=True),
             Column("at", DateTime(timezone=True), nullable=False))
DONE = Table("bare_done", metadata, Column("id", Uuid, primary_key=True),
             Column("at", DateTime(timezone=True), nullable=False))

app = Celery("bench.bare", broker=config.redis_url(), set_as_current=False)
app.conf.update(celery_settings(default_queue="bare"))
_engines: dict[int, object] = {}


def engine():
    pid = os.getpid()  # a forked pool child makes its own connections
    if pid not in _engines:
        url = os.environ["BARE_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        _engines[pid] = create_engine(url, pool_size=2)
    return _engines[pid]


@signals.worker_init.connect
def _same_priority_as_the_bus(**_kwargs) -> None:
    behind_the_web()  # the bus's workers' priority: the same worker settings


def prepare(url: str) -> None:
    os.environ["BARE_DATABASE_URL"] = url
    metadata.create_all(engine())


@app.task(name="bench.hop")
def hop(row_id: str) -> None:
    with engine().begin() as conn:
        conn.execute(insert(DONE).values(id=uuid.UUID(row_id), at=datetime.now(timezone.utc)))


def send_hop() -> uuid.UUID:
    row_id = uuid.uuid4()
    with engine().begin() as conn:
        conn.execute(insert(SENT).values(id=row_id, at=datetime.now(timezone.utc)))
    app.send_task("bench.hop", args=[str(row_id)], queue="bare")
    return row_id


@signals.worker_process_init.connect
def _fresh_connections(**_kwargs) -> None:
    _engines.clear()
