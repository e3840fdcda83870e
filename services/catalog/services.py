"""Catalog's use cases for this stage: the centre register and staff accounts."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from services.catalog.models import Centre, OblastPriority, StaffAccount
from shared import db
from shared.auth import ROLES, Staff
from shared.centres import reference_centres

SERVICE = "catalog"

# Oblasts the communications team names as priority in the brief (the East, de-occupied
# and frontline areas). The weights are demo values until an admin sets them.
DEMO_PRIORITY_OBLASTS = ("Донецька", "Харківська", "Херсонська", "Запорізька",
                         "Миколаївська", "Сумська", "Чернігівська", "Дніпропетровська")
DEMO_SHELF_COUNT = 20
DEMO_SHELF_CAPACITY = 150
NETWORK_VISITORS_PER_YEAR = 4_000_000


def _stable_fraction(code: str) -> float:
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def seed_centres(*, demo: bool = False) -> dict[str, int]:
    """Load the reference centres; add new ones, refresh names and addresses of known ones.

    Facts an admin has set are never overwritten. With `demo`, unknown visitor
    numbers, shelves and priorities get made-up values, marked 'demo'.
    """
    rows = reference_centres()
    added = updated = 0
    with db.session_scope(SERVICE) as session:
        existing = {c.code: c for c in session.scalars(select(Centre))}
        demo_shelves = set(sorted(rows, key=_stable_fraction)[:DEMO_SHELF_COUNT])
        for code, row in rows.items():
            centre = existing.get(code)
            if centre is None:
                centre = Centre(code=code)
                session.add(centre)
                added += 1
            else:
                updated += 1
            centre.name, centre.region_code, centre.oblast = row["name"], row["region_code"], row["oblast"]
            centre.settlement, centre.address = row["settlement"], row["address"]
            centre.notes = row["notes"] or None
            if demo and centre.visitors_source in ("unknown", "demo", None):
                share = NETWORK_VISITORS_PER_YEAR / len(rows)
                centre.visitors_per_year = int(share * (0.5 + _stable_fraction(code)))
                centre.visitors_source = "demo"
            if demo and centre.shelf_source in ("unknown", "demo", None):
                centre.has_shelf = code in demo_shelves
                centre.shelf_capacity = DEMO_SHELF_CAPACITY if centre.has_shelf else None
                centre.shelf_source = "demo"
            if centre.visitors_source is None:
                centre.visitors_source = "unknown"
            if centre.shelf_source is None:
                centre.shelf_source = "unknown"
            if centre.has_shelf is None:
                centre.has_shelf = False
        if demo:
            known = {p.oblast: p for p in session.scalars(select(OblastPriority))}
            for oblast in {r["oblast"] for r in rows.values()}:
                priority = known.get(oblast)
                if priority is None:
                    priority = OblastPriority(oblast=oblast, source="demo")
                    session.add(priority)
                if priority.source == "demo":
                    priority.weight = 1.5 if oblast in DEMO_PRIORITY_OBLASTS else 1.0
    return {"added": added, "updated": updated, "total": len(rows)}


def list_centres(*, with_shelf: bool | None = None, oblast: str | None = None) -> list[Centre]:
    with db.session_scope(SERVICE) as session:
        query = select(Centre).order_by(Centre.code)
        if with_shelf is not None:
            query = query.where(Centre.has_shelf == with_shelf)
        if oblast:
            query = query.where(Centre.oblast == oblast)
        return list(session.scalars(query))


class StaffError(ValueError):
    pass


def add_staff(name: str, role: str, centre: str | None = None,
              password: str | None = None) -> Staff:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role == "centre_staff" and not centre:
        raise StaffError("centre staff need --centre CODE")
    if role != "centre_staff" and centre:
        raise StaffError("only centre staff are bound to a centre")
    with db.session_scope(SERVICE) as session:
        if centre and session.get(Centre, centre) is None:
            raise StaffError(f"no centre {centre} (run `bookcross seed` first?)")
        if session.scalar(select(StaffAccount).where(StaffAccount.name == name)):
            raise StaffError(f"staff {name!r} exists already")
        account = StaffAccount(name=name, role=role, centre_code=centre,
                               password_hash=generate_password_hash(password) if password else None)
        session.add(account)
        session.flush()
        return Staff(id=account.id, name=account.name, role=account.role, centre=account.centre_code)


def check_login(name: str, password: str) -> Staff | None:
    with db.session_scope(SERVICE) as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name))
        if account is None or not account.password_hash:
            return None
        if not check_password_hash(account.password_hash, password):
            return None
        return Staff(id=account.id, name=account.name, role=account.role, centre=account.centre_code)
