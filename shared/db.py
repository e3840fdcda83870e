"""Engines and sessions, one database per service.

SQLite (the embedded default) runs in WAL mode and every transaction starts with
BEGIN IMMEDIATE, so a read-then-write transaction never fails half way with
"database is locked"; PostgreSQL gets a normal pool. Engines are made per
process, lazily, so a forked Celery pool child never shares a parent's sockets.
"""
from __future__ import annotations

import functools
import os
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from shared import config

_engines: dict[tuple[int, str], Engine] = {}

# How long SQLite waits for another writer's lock. Web requests wait patiently; a Celery pool
# child waits less than its soft time limit (`set_sqlite_busy_timeout`), because SQLite's wait
# happens in C where the soft limit cannot interrupt it: "database is locked" then makes the
# event wait its turn (shared.bus.failures) instead of the task being killed.
SQLITE_BUSY_DEFAULT = 30.0
_sqlite_busy_seconds = SQLITE_BUSY_DEFAULT
# A PostgreSQL server that accepts the TCP connection but does not answer (frozen, or behind a
# hung network) must fail a connection attempt, not hang it.
PG_CONNECT_TIMEOUT = 5
_factories: dict[tuple[int, str], sessionmaker] = {}


def is_sqlite(url_or_engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else str(url_or_engine)
    return str(url).startswith("sqlite")


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        busy = _sqlite_busy_seconds
        engine = create_engine(url, connect_args={"timeout": busy, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Take transaction control away from pysqlite so BEGIN IMMEDIATE below is ours.
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=5, max_overflow=10,
                           connect_args={"connect_timeout": PG_CONNECT_TIMEOUT})
    _ping_when_idle(engine)
    return engine


# A pooled connection that rested longer than this is pinged before it is handed out (a server
# restarted or a network cut meanwhile: a fresh one is made instead). One busy a moment ago is
# not: pinging on every checkout (`pool_pre_ping`) cost a round trip per transaction — three
# per event on the bus. A connection that breaks in use anyway raises a disconnect error, which
# SQLAlchemy answers by replacing every connection of the pool made before it.
IDLE_PING_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        rested = record.info.get("checked_in_at")
        if rested is None or time.monotonic() - rested <= IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection did not answer a ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("a pooled connection did not answer a ping")


def set_sqlite_busy_timeout(seconds: float) -> None:
    """How long SQLite engines made from now on wait for another writer's lock."""
    global _sqlite_busy_seconds
    _sqlite_busy_seconds = seconds


def engine_for(service: str) -> Engine:
    key = (os.getpid(), service)
    if key not in _engines:
        _engines[key] = make_engine(config.database_url(service))
    return _engines[key]


def session_factory(service: str) -> sessionmaker:
    key = (os.getpid(), service)
    if key not in _factories:
        _factories[key] = sessionmaker(bind=engine_for(service), expire_on_commit=False,
                                      info={"service": service})
    return _factories[key]


@contextmanager
def session_scope(service: str) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = session_factory(service)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


# A forked child's copies of its parent's engines: kept, never used, never collected. Collecting
# them would close their connections, and closing a libpq connection tells the server the session
# is over: the parent's session (its socket is the same one) would end with it.
_inherited: list[Engine] = []


def dispose_all() -> None:
    for (pid, _), engine in list(_engines.items()):
        if pid == os.getpid():
            engine.dispose()
        else:
            _inherited.append(engine)
    _engines.clear()
    _factories.clear()


def insert_ignoring_duplicates(session: Session, table, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike.

    True if the row went in; False if a row with the same key exists (or, on PostgreSQL,
    was committed by a concurrent transaction this one waited for).
    """
    statement = _insert_ignoring_statement(session.get_bind().dialect.name == "postgresql", table)
    return session.connection().execute(statement, values).first() is not None


@functools.cache
def insert_statement(table):
    """`INSERT INTO <table>`, built once per table: executed with a row's values (or a list of
    rows) as its parameters, so SQLAlchemy compiles it once too. For hot paths (an offer, an
    event's outbox row) that write known rows without the ORM's unit of work."""
    from sqlalchemy import insert

    return insert(table)


@functools.cache
def _insert_ignoring_statement(postgresql: bool, table):
    """Built once per table (every consumed event inserts its guard row with it): the values
    are the execution's parameters, so SQLAlchemy compiles it once, too."""
    if postgresql:
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    key = list(table.primary_key.columns)[0]
    return insert(table).on_conflict_do_nothing().returning(key)
