"""Which failures are the infrastructure's, not the event's.

A consumer whose database is down, restarting, or locked has done nothing wrong: it waits and
tries again for as long as it takes, and such a try never counts towards the retries after
which an event is dead-lettered. A failure of the handler itself (a bug, a constraint the
data breaks, a handler that overran its time) counts. The relay makes the same distinction
for the broker: Redis away is not the event's fault.
"""
from __future__ import annotations

import socket

from sqlalchemy import exc as sa_exc

# SQLite answers these when another process holds the write lock, or the file cannot be opened
# (a full disk, a vanished mount): waiting is the cure.
_SQLITE_TRANSIENT = ("database is locked", "database is busy", "database table is locked",
                     "unable to open database file", "disk i/o error")


def database_unavailable(exc: BaseException) -> bool:
    """True for a database that cannot be reached or is busy: connection refused or lost,
    the server shutting down or starting up, a pool timeout, SQLite's lock."""
    if isinstance(exc, (sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            psycopg = None
        if psycopg is not None and isinstance(orig, psycopg.OperationalError):
            # Class 08 (connection exception), 57P0x (shutting down, starting up, crash
            # recovery), 40001/40P01 (serialization failure, deadlock), or no SQLSTATE at all
            # (the connection itself failed).
            state = getattr(orig, "sqlstate", None) or ""
            return not state or state.startswith(("08", "57P", "40001", "40P01", "53"))
        if isinstance(exc, sa_exc.OperationalError):
            message = str(orig).lower()
            return any(text in message for text in _SQLITE_TRANSIENT)
    return isinstance(exc, (ConnectionError, socket.timeout))


def broker_unavailable(exc: BaseException) -> bool:
    """True when the message broker could not take a message: refused, reset, timed out."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, (KombuOperationalError, RedisConnectionError, RedisTimeoutError,
                            ConnectionError, TimeoutError, socket.timeout, OSError))
