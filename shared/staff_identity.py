"""Who a staff token stands for, as every service checks it on every request.

Catalog owns staff accounts. Each service database keeps `staff_identities`: one row per
account (role, centre, active, token and session versions), written by catalog in the same
transaction as the account's change and carried to the other services by the event
`catalog.staff_account_changed`. A token names an account and a version; the server checks
the row, so a disabled or removed account, a re-issued token or a changed role takes effect
without waiting for the token to expire. `revision` keeps an older event from undoing a newer
one (the bus does not promise order).

The check is one primary-key read, cached per process for STAFF_CHECK_CACHE_SECONDS
(default 2 s): a change made in this process clears the cache at once, other processes see
it within the TTL.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared import config, db
from shared.models import AwareDateTime, utcnow


class IdentityBase(DeclarativeBase):
    pass


class StaffIdentity(IdentityBase):
    __tablename__ = "staff_identities"

    staff_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


@dataclass(frozen=True)
class Identity:
    staff_id: int
    name: str
    role: str
    centre_code: str | None
    active: bool
    token_version: int
    session_version: int
    revision: int

    def payload(self) -> dict:
        return {"staff_id": self.staff_id, "name": self.name, "role": self.role,
                "centre_code": self.centre_code, "active": self.active,
                "token_version": self.token_version, "session_version": self.session_version,
                "revision": self.revision}


def _identity(row: StaffIdentity) -> Identity:
    return Identity(row.staff_id, row.name, row.role, row.centre_code, row.active,
                    row.token_version, row.session_version, row.revision)


def apply(session: Session, payload: dict) -> bool:
    """Store an account's state unless a newer revision is already here. True if stored."""
    staff_id = int(payload["staff_id"])
    # Insert-or-find, then lock: two appliers of one account (the event's consumer, a CLI in
    # another process) never collide on the key; the newer revision wins.
    db.insert_ignoring_duplicates(session, StaffIdentity.__table__, {
        "staff_id": staff_id, "name": payload["name"], "role": payload["role"], "active": False,
        "token_version": 0, "session_version": 0, "revision": -1, "updated_at": utcnow()})
    row = session.get(StaffIdentity, staff_id, with_for_update=True, populate_existing=True)
    if row.revision >= int(payload["revision"]):
        return False
    row.name, row.role, row.centre_code = payload["name"], payload["role"], payload.get("centre_code")
    row.active = bool(payload["active"])
    row.token_version, row.session_version = int(payload["token_version"]), int(payload["session_version"])
    row.revision, row.updated_at = int(payload["revision"]), utcnow()
    session.info.setdefault("staff_changed", set()).add(row.staff_id)
    forget(row.staff_id)
    return True


# --- the check, cached ------------------------------------------------------------------------

_cache: dict[tuple[str, int], tuple[float, Identity | None]] = {}
_lock = threading.Lock()


def cache_seconds() -> float:
    return config.env_float("STAFF_CHECK_CACHE_SECONDS", 2)


def lookup(service: str, staff_id: int, *, fresh: bool = False) -> Identity | None:
    """The account as this service knows it (None: unknown here), at most the cache TTL old
    (`fresh`: read now)."""
    key = (service, staff_id)
    now = time.monotonic()
    ttl = cache_seconds()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now and not fresh:
        return hit[1]
    with db.session_scope(service) as session:
        row = session.get(StaffIdentity, staff_id)
        found = _identity(row) if row is not None else None
    if ttl > 0:
        with _lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[key] = (now + ttl, found)
    return found


def forget(staff_id: int | None = None) -> None:
    """Drop cached identities (one account's, or all): a change made here counts at once."""
    with _lock:
        if staff_id is None:
            _cache.clear()
        else:
            for key in [k for k in _cache if k[1] == staff_id]:
                _cache.pop(key, None)
