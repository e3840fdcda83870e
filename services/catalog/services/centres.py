"""The network's centres: the register (seeded from `shared/data/centres.csv`), and admin's
levers on it — shelves, their capacity, visitor flow, oblast priorities."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from services.catalog.domain import ON_SHELF, ON_THE_WAY
from services.catalog.models import Centre, Copy, OblastPriority
from shared import db, errors
from shared.centres import reference_centres
from shared.outbox import add_event

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


def _centre(session, code: str, *, lock: bool = False) -> Centre:
    centre = session.get(Centre, code, with_for_update=lock)
    if centre is None:
        raise errors.NotFound("catalog.unknown_centre")
    return centre


def _held(session, code: str) -> int:
    on_shelf = session.scalar(select(func.count()).select_from(Copy).where(
        Copy.centre_code == code, Copy.status.in_(ON_SHELF)))
    coming = session.scalar(select(func.count()).select_from(Copy).where(
        Copy.destination_code == code, Copy.status.in_(ON_THE_WAY)))
    return on_shelf + coming


def open_shelf(code: str, capacity: int, auto_shelve: bool) -> Centre:
    with db.session_scope(SERVICE) as session:
        centre = _centre(session, code, lock=True)
        if centre.has_shelf and centre.shelf_source == "admin":
            raise errors.Conflict("catalog.shelf_exists")
        centre.has_shelf, centre.shelf_source = True, "admin"
        centre.shelf_capacity, centre.auto_shelve = capacity, auto_shelve
        add_event(session, "catalog.shelf_opened", {
            "centre_code": centre.code, "centre_name": centre.name, "capacity": capacity},
            producer=SERVICE)
        return centre


def change_centre(code: str, changes: dict) -> Centre:
    with db.session_scope(SERVICE) as session:
        centre = _centre(session, code, lock=True)
        if "shelf_capacity" in changes:
            if not centre.has_shelf:
                raise errors.Conflict("catalog.no_shelf")
            held = _held(session, code)
            if changes["shelf_capacity"] < held:
                raise errors.Conflict("catalog.capacity_below_stock", stock=held)
            centre.shelf_capacity, centre.shelf_source = changes["shelf_capacity"], "admin"
        if "visitors_per_year" in changes:
            centre.visitors_per_year, centre.visitors_source = changes["visitors_per_year"], "admin"
        if "auto_shelve" in changes:
            centre.auto_shelve = changes["auto_shelve"]
        return centre


def set_priority(oblast: str, weight: float) -> OblastPriority:
    with db.session_scope(SERVICE) as session:
        if not session.scalar(select(func.count()).select_from(Centre).where(Centre.oblast == oblast)):
            raise errors.NotFound("catalog.unknown_oblast")
        priority = session.get(OblastPriority, oblast, with_for_update=True)
        if priority is None:
            priority = OblastPriority(oblast=oblast)
            session.add(priority)
        priority.weight, priority.source = weight, "admin"
        return priority


def priorities() -> list[OblastPriority]:
    with db.session_scope(SERVICE) as session:
        return list(session.scalars(select(OblastPriority).order_by(OblastPriority.oblast)))
