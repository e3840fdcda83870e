"""From the hub to the shelves: allocations (proposed by `allocation.allocate`, edited and
accepted by logistics), one shipment per centre, dispatch, and closing."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.allocation import REASONS, Assignment, CentreState, CopyToPlace, allocate, explain
from services.catalog.domain import ON_SHELF, ON_THE_WAY
from services.catalog.models import Allocation, AllocationItem, Centre, Copy, OblastPriority, Shipment
from services.catalog.services.copies import centre_payload, copy_view, move_copies
from shared import codes, db, errors
from shared.auth import Staff
from shared.i18n import field_error
from shared.models import utcnow

SERVICE = "catalog"


def _centre_states(session: Session, exclude_allocation: int | None = None) -> dict[str, CentreState]:
    """Every centre with a shelf, with the books it holds or has on the way to it."""
    centres = list(session.scalars(select(Centre).where(Centre.has_shelf.is_(True))))
    weights = {p.oblast: p.weight for p in session.scalars(select(OblastPriority))}
    stock: Counter = Counter()
    titles: dict[str, set] = defaultdict(set)
    rows = session.execute(select(Copy.centre_code, Copy.destination_code, Copy.status, Copy.title_key)
                           .where(Copy.status.in_(ON_SHELF + ON_THE_WAY)))
    for centre_code, destination, status, title in rows:
        where = centre_code if status in ON_SHELF else destination
        if where:
            stock[where] += 1
            titles[where].add(title)
    return {c.code: CentreState(code=c.code, settlement=c.settlement, oblast=c.oblast,
                                capacity=c.shelf_capacity or 0, stock=stock[c.code],
                                visitors_per_year=c.visitors_per_year,
                                priority_weight=weights.get(c.oblast, 1.0),
                                titles=frozenset(titles[c.code])) for c in centres}


def propose(actor: str, donation_ids: list | None = None) -> dict:
    """Allocate every catalogued copy waiting at the hub (or those of the given donations)."""
    with db.session_scope(SERVICE) as session:
        query = select(Copy.code, Copy.title_key).where(Copy.status == "catalogued")
        if donation_ids:
            query = query.where(Copy.donation_id.in_(donation_ids))
        waiting = [CopyToPlace(code, title) for code, title in session.execute(query)]
        if not waiting:
            raise errors.Conflict("catalog.nothing_to_allocate")
        assignments = allocate(waiting, list(_centre_states(session).values()))
        allocation = Allocation(status="proposed", created_by=actor, created_at=utcnow())
        allocation.items = [AllocationItem(copy_code=a.copy_code, centre_code=a.centre_code,
                                           reasons=",".join(a.reasons)) for a in assignments]
        session.add(allocation)
        session.flush()
        view = _view(session, allocation)
        placed = {a.copy_code for a in assignments}
        view["unplaced"] = [codes.display(c.code, codes.COPY_GROUP) for c in waiting if c.code not in placed]
        return view


def _get(session: Session, allocation_id: int, *, lock: bool = False) -> Allocation:
    allocation = session.get(Allocation, allocation_id, with_for_update=lock)
    if allocation is None:
        raise errors.NotFound("catalog.allocation_not_found")
    return allocation


def _view(session: Session, allocation: Allocation, lang: str = "uk") -> dict:
    centres = {c.code: c for c in session.scalars(select(Centre).where(
        Centre.code.in_({i.centre_code for i in allocation.items})))}
    by_centre: dict[str, list] = defaultdict(list)
    for item in allocation.items:
        by_centre[item.centre_code].append(item)
    return {
        "id": allocation.id, "status": allocation.status, "created_by": allocation.created_by,
        "created_at": allocation.created_at, "copy_count": len(allocation.items),
        "centres": [{
            **centre_payload(centres[code]), "count": len(items),
            "copies": [{"code": codes.display(i.copy_code, codes.COPY_GROUP),
                        "reason": explain(Assignment(i.copy_code, code, tuple(
                            r for r in i.reasons.split(",") if r in REASONS)), lang) or i.reasons}
                       for i in items],
        } for code, items in sorted(by_centre.items())],
    }


def get_allocation(allocation_id: int, lang: str = "uk") -> dict:
    with db.session_scope(SERVICE) as session:
        return _view(session, _get(session, allocation_id), lang)


def move_item(allocation_id: int, copy_code: str, centre_code: str | None) -> dict:
    """Logistics edit a proposal: send a copy elsewhere (within shelf capacity), or keep it
    at the hub for now (centre None)."""
    code = codes.normalise(copy_code)
    with db.session_scope(SERVICE) as session:
        allocation = _get(session, allocation_id, lock=True)
        if allocation.status != "proposed":
            raise errors.Conflict("catalog.allocation_accepted")
        item = next((i for i in allocation.items if i.copy_code == code), None)
        if item is None:
            raise errors.NotFound("catalog.not_in_allocation")
        if centre_code is None:
            allocation.items.remove(item)
        else:
            state = _centre_states(session).get(centre_code)
            if state is None:
                raise errors.Invalid(errors={"centre_code": [field_error("catalog.no_shelf")]})
            planned = sum(1 for i in allocation.items if i.centre_code == centre_code and i is not item)
            if state.stock + planned + 1 > state.capacity:
                raise errors.Conflict("catalog.over_capacity", centre=centre_code)
            item.centre_code, item.reasons = centre_code, "staff"
        session.flush()
        return _view(session, allocation)


def accept(allocation_id: int, actor: str) -> dict:
    """The allocation becomes one shipment per centre, each with its manifest."""
    with db.session_scope(SERVICE) as session:
        allocation = _get(session, allocation_id, lock=True)
        if allocation.status != "proposed":
            raise errors.Conflict("catalog.allocation_accepted")
        wanted = {i.copy_code: i.centre_code for i in allocation.items}
        if not wanted:  # every copy was taken out of it
            raise errors.Conflict("catalog.nothing_to_allocate")
        copies = {c.code: c for c in session.scalars(  # locked in code order, as everywhere
            select(Copy).where(Copy.code.in_(wanted)).order_by(Copy.code).with_for_update())}
        for code in sorted(wanted):
            if copies[code].status != "catalogued":
                raise errors.Conflict("catalog.copy_taken_by_other",
                               copy=codes.display(code, codes.COPY_GROUP))
        # Another allocation may have filled a shelf since this one was proposed.
        states = _centre_states(session)
        for centre_code, count in sorted(Counter(wanted.values()).items()):
            state = states.get(centre_code)
            if state is None or state.stock + count > state.capacity:
                raise errors.Conflict("catalog.over_capacity", centre=centre_code)
        now = utcnow()
        shipments = {}
        for centre_code in sorted(set(wanted.values())):
            shipment = Shipment(centre_code=centre_code, allocation_id=allocation.id,
                                status="prepared", created_at=now)
            session.add(shipment)
            shipments[centre_code] = shipment
        session.flush()
        for code, centre_code in wanted.items():
            copies[code].shipment_id = shipments[centre_code].id
        counts = Counter(wanted.values())
        move_copies(session, [copies[code] for code in sorted(wanted)], "allocate", actor=actor,
                    destinations=wanted, batch={
                        "allocation_id": allocation.id,
                        "centres": [{"centre_code": c, "count": n} for c, n in sorted(counts.items())]})
        allocation.status, allocation.accepted_at = "accepted", now
        session.flush()
        return {"allocation_id": allocation.id,
                "shipments": [_shipment_view(session, s) for s in shipments.values()]}


def _get_shipment(session: Session, shipment_id: int, *, lock: bool = False) -> Shipment:
    shipment = session.get(Shipment, shipment_id, with_for_update=lock)
    if shipment is None:
        raise errors.NotFound("catalog.shipment_not_found")
    return shipment


def _shipment_view(session: Session, shipment: Shipment, *, with_copies: bool = True) -> dict:
    centre = session.get(Centre, shipment.centre_code)
    view = {"id": shipment.id, **centre_payload(centre), "status": shipment.status,
            "carrier_tracking": shipment.carrier_tracking, "allocation_id": shipment.allocation_id,
            "created_at": shipment.created_at, "dispatched_at": shipment.dispatched_at,
            "closed_at": shipment.closed_at}
    copies = list(session.scalars(select(Copy).where(Copy.shipment_id == shipment.id)
                                  .order_by(Copy.title_key, Copy.code)))
    view["copy_count"] = len(copies)
    view["received_count"] = sum(1 for c in copies if c.status in ON_SHELF + ("taken",)
                                 and c.centre_code == shipment.centre_code)
    if with_copies:
        view["copies"] = [copy_view(c) for c in copies]
    return view


def list_shipments(*, status: str | None, centre_code: str | None) -> list[dict]:
    with db.session_scope(SERVICE) as session:
        query = select(Shipment).order_by(Shipment.id.desc()).limit(500)
        if status:
            query = query.where(Shipment.status == status)
        if centre_code:
            query = query.where(Shipment.centre_code == centre_code)
        return [_shipment_view(session, s, with_copies=False) for s in session.scalars(query)]


def get_shipment(shipment_id: int) -> dict:
    with db.session_scope(SERVICE) as session:
        return _shipment_view(session, _get_shipment(session, shipment_id))


def check_own(shipment_id: int, staff: Staff) -> None:
    """Centre staff act only on shipments to their own centre."""
    if staff.role != "centre_staff":
        return
    with db.session_scope(SERVICE) as session:
        if _get_shipment(session, shipment_id).centre_code != staff.centre:
            raise errors.NotAllowed("error.forbidden_centre", centre=staff.centre)


def dispatch(shipment_id: int, carrier_tracking: str | None, actor: str) -> dict:
    with db.session_scope(SERVICE) as session:
        shipment = _get_shipment(session, shipment_id, lock=True)
        if shipment.status != "prepared":
            raise errors.Conflict("catalog.shipment_state", status=shipment.status)
        now = utcnow()
        shipment.status, shipment.dispatched_at = "in_transit", now
        shipment.carrier_tracking = carrier_tracking
        packed = list(session.scalars(select(Copy).where(
            Copy.shipment_id == shipment.id, Copy.status == "allocated").order_by(Copy.code)))
        per_donation = Counter(copy.donation_id for copy in packed)
        centre = session.get(Centre, shipment.centre_code)
        move_copies(session, packed, "dispatch", actor=actor, batch={
            "shipment_id": shipment.id, **centre_payload(centre), "carrier_tracking": carrier_tracking,
            "donations": [{"donation_id": d, "count": n} for d, n in sorted(per_donation.items(), key=str)]})
        session.flush()
        return _shipment_view(session, shipment)


def close(shipment_id: int, actor: str) -> dict:
    """Close a shipment: copies that never arrived are listed and marked missing."""
    with db.session_scope(SERVICE) as session:
        shipment = _get_shipment(session, shipment_id, lock=True)
        if shipment.status != "in_transit":
            raise errors.Conflict("catalog.shipment_state", status=shipment.status)
        missing = list(session.scalars(select(Copy).where(
            Copy.shipment_id == shipment.id, Copy.status.in_(ON_THE_WAY)).order_by(Copy.code)))
        shipment.status, shipment.closed_at = "closed", utcnow()
        view = _shipment_view(session, shipment, with_copies=False)
        move_copies(session, missing, "lose", actor=actor, batch={
            "shipment_id": shipment.id, "centre_code": shipment.centre_code,
            "received_count": view["received_count"]})
        session.flush()
        view = _shipment_view(session, shipment)
        view["missing"] = [copy_view(c) for c in missing]
        return view
