"""Admin's levers on the network: shelves, their capacity, visitor flow, oblast priorities."""
from __future__ import annotations

from sqlalchemy import func, select

from services.catalog.domain import ON_SHELF, ON_THE_WAY
from services.catalog.models import Centre, Copy, OblastPriority
from shared import db
from shared.outbox import add_event
from shared.web import ApiError

SERVICE = "catalog"


def _centre(session, code: str, *, lock: bool = False) -> Centre:
    centre = session.get(Centre, code, with_for_update=lock)
    if centre is None:
        raise ApiError(404, "catalog.unknown_centre")
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
            raise ApiError(409, "catalog.shelf_exists")
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
                raise ApiError(409, "catalog.no_shelf")
            held = _held(session, code)
            if changes["shelf_capacity"] < held:
                raise ApiError(409, "catalog.capacity_below_stock", stock=held)
            centre.shelf_capacity, centre.shelf_source = changes["shelf_capacity"], "admin"
        if "visitors_per_year" in changes:
            centre.visitors_per_year, centre.visitors_source = changes["visitors_per_year"], "admin"
        if "auto_shelve" in changes:
            centre.auto_shelve = changes["auto_shelve"]
        return centre


def set_priority(oblast: str, weight: float) -> OblastPriority:
    with db.session_scope(SERVICE) as session:
        if not session.scalar(select(func.count()).select_from(Centre).where(Centre.oblast == oblast)):
            raise ApiError(404, "catalog.unknown_oblast")
        priority = session.get(OblastPriority, oblast, with_for_update=True)
        if priority is None:
            priority = OblastPriority(oblast=oblast)
            session.add(priority)
        priority.weight, priority.source = weight, "admin"
        return priority


def priorities() -> list[OblastPriority]:
    with db.session_scope(SERVICE) as session:
        return list(session.scalars(select(OblastPriority).order_by(OblastPriority.oblast)))
