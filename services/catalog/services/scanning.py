"""What a scan at a centre means. One word for a client to switch on, and a sentence for people.

Arrival: `received`, `already_received`, `misrouted`, `unknown`.
Shelve:  `shelved`, `already_shelved` (a copy that was still on its way is received and shelved).
Inventory: `counted` (once per copy per count).

Every scan carries a client-made id: a scan sent again (after the network came back, or a
double Enter) is answered as the first time, with no second effect.
"""
from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from services.catalog import (
    domain,
    texts,  # noqa: F401  (the scan answers)
)
from services.catalog.domain import ON_SHELF
from services.catalog.models import Centre, Copy, Inventory, Scan
from services.catalog.services.copies import copy_view, move_copies
from shared import codes, db, errors
from shared.i18n import t
from shared.models import utcnow

SERVICE = "catalog"
_URL_CODE = re.compile(r"/c/([0-9A-Za-z-]+)/?(?:[?#].*)?$")


def parse_code(raw: str) -> str | None:
    """A typed code, a scanned label, or a pasted QR URL → the canonical code, if well formed."""
    text = raw.strip()
    match = _URL_CODE.search(text)
    if match:
        text = match.group(1)
    code = codes.normalise(text)
    return code if codes.is_valid(code, codes.COPY_RANDOM_CHARS) else None


def _answer(result: str, key: str, copy: Copy | None, lang: str, scan_id, **params) -> dict:
    title = copy.title.title if copy is not None else ""
    return {"scan_id": scan_id, "result": result,
            "message": t(key, lang, title=title, **params),
            "copy": None if copy is None else {
                "code": codes.display(copy.code, codes.COPY_GROUP), "title": title,
                "status": copy.status, "centre_code": copy.centre_code,
                "destination_code": copy.destination_code}}


class _Replayed(Exception):
    """The scan id was seen before: undo this attempt, answer as the first time."""


def scan(centre_code: str, raw: str, mode: str, scan_id: uuid.UUID, actor: str,
         lang: str = "uk") -> dict:
    code = parse_code(raw)
    try:
        with db.session_scope(SERVICE) as session:
            centre = session.get(Centre, centre_code)
            if centre is None:
                raise errors.NotFound("catalog.unknown_centre")
            copy = None
            if code:
                copy = session.scalar(select(Copy).options(joinedload(Copy.title, innerjoin=True))
                                      .where(Copy.code == code).with_for_update(of=Copy))
            answer = _decide(session, centre, copy, mode, actor, lang, scan_id)
            # The scan row goes in last, in the same transaction: a scan id seen before (a
            # re-sent scan, or a twin racing this one) rolls all of this back.
            if not db.insert_ignoring_duplicates(session, Scan.__table__, {
                    "id": scan_id, "centre_code": centre_code, "mode": mode, "raw": raw[:300],
                    "copy_code": code, "result": answer["result"], "actor": actor, "at": utcnow(),
                    "inventory_id": answer.pop("_inventory_id", None)}):
                raise _Replayed()
            return answer
    except _Replayed:
        with db.session_scope(SERVICE) as session:
            return _replay(session, scan_id, centre_code, raw, lang)


def _replay(session: Session, scan_id, centre_code: str, raw: str, lang: str) -> dict:
    earlier = session.get(Scan, scan_id, populate_existing=True)
    if earlier.centre_code != centre_code or earlier.raw != raw[:300]:
        raise errors.Conflict("catalog.scan_id_reused")
    copy = session.get(Copy, earlier.copy_code) if earlier.copy_code else None
    key = {"received": "scan.already_received", "shelved": "scan.already_shelved",
           "counted": "scan.already_counted"}.get(earlier.result, f"scan.{earlier.result}")
    answer = _answer(earlier.result, key, copy, lang, scan_id, expected="—", count="")
    answer["replayed"] = True
    return answer


def _decide(session: Session, centre: Centre, copy: Copy | None, mode: str, actor: str,
            lang: str, scan_id) -> dict:
    plan = domain.plan_scan(None if copy is None else domain.CopyPlace(
        copy.status, copy.centre_code, copy.destination_code), centre.code, mode, centre.auto_shelve)
    for action in plan.actions:
        move_copies(session, [copy], action, actor=actor, centre=centre)
    if plan.result == "misrouted":
        return _misrouted_answer(session, copy, plan.message, lang, scan_id)
    if plan.result == "counted":
        return _count(session, centre, copy, lang, scan_id, actor)
    return _answer(plan.result, plan.message, copy, lang, scan_id)


def _misrouted_answer(session: Session, copy: Copy, message: str, lang: str, scan_id) -> dict:
    expected = None
    if copy.destination_code:
        target = session.get(Centre, copy.destination_code)
        expected = f"{target.settlement}, {target.code}" if target else copy.destination_code
    return _answer("misrouted", message, copy, lang, scan_id, expected=expected)


def _open_inventory(session: Session, centre_code: str, actor: str) -> Inventory:
    inventory = session.scalar(select(Inventory).where(
        Inventory.centre_code == centre_code, Inventory.closed_at.is_(None)).with_for_update())
    if inventory is None:
        inventory = Inventory(centre_code=centre_code, opened_by=actor, opened_at=utcnow())
        session.add(inventory)
        session.flush()
    return inventory


def _count(session: Session, centre: Centre, copy: Copy, lang: str, scan_id, actor: str) -> dict:
    inventory = _open_inventory(session, centre.code, actor)
    seen = session.scalar(select(func.count()).select_from(Scan).where(
        Scan.inventory_id == inventory.id, Scan.copy_code == copy.code, Scan.result == "counted"))
    counted = session.scalar(select(func.count(func.distinct(Scan.copy_code))).where(
        Scan.inventory_id == inventory.id, Scan.result == "counted")) + (0 if seen else 1)
    answer = _answer("counted", "scan.already_counted" if seen else "scan.counted", copy, lang,
                     scan_id, count=counted)
    answer["_inventory_id"] = inventory.id
    answer["inventory"] = {"id": inventory.id, "counted": counted}
    return answer


def current_inventory(centre_code: str) -> dict:
    """The open shelf count of the centre."""
    with db.session_scope(SERVICE) as session:
        inventory = session.scalar(select(Inventory).where(
            Inventory.centre_code == centre_code, Inventory.closed_at.is_(None)))
        if inventory is None:
            raise errors.NotFound("catalog.inventory_not_found")
        return _inventory_view(session, inventory)


def _inventory_view(session: Session, inventory: Inventory) -> dict:
    counted = session.scalar(select(func.count(func.distinct(Scan.copy_code))).where(
        Scan.inventory_id == inventory.id, Scan.result == "counted"))
    return {"id": inventory.id, "centre_code": inventory.centre_code, "opened_at": inventory.opened_at,
            "opened_by": inventory.opened_by, "closed_at": inventory.closed_at, "counted": counted}


def close_inventory(centre_code: str, actor: str) -> dict:
    """Copies on this centre's shelf that the count did not see were taken by readers."""
    with db.session_scope(SERVICE) as session:
        inventory = session.scalar(select(Inventory).where(
            Inventory.centre_code == centre_code, Inventory.closed_at.is_(None)).with_for_update())
        if inventory is None:
            raise errors.NotFound("catalog.inventory_not_found")
        centre = session.get(Centre, centre_code)
        seen = select(Scan.copy_code).where(Scan.inventory_id == inventory.id,
                                            Scan.result == "counted", Scan.copy_code.is_not(None))
        taken = list(session.scalars(select(Copy).where(
            Copy.centre_code == centre_code, Copy.status.in_(ON_SHELF), Copy.code.not_in(seen))
            .order_by(Copy.code)))
        move_copies(session, taken, "take", actor=actor, centre=centre)
        inventory.closed_at = utcnow()
        view = _inventory_view(session, inventory)
        view["taken"] = [codes.display(c.code, codes.COPY_GROUP) for c in taken]
        return view


def decide_misrouted(centre_code: str, copy_code: str, decision: str, actor: str) -> dict:
    """One click on a misrouted copy: keep it here, or send it on to where it was going."""
    code = codes.normalise(copy_code)
    with db.session_scope(SERVICE) as session:
        copy = session.get(Copy, code, with_for_update=True)
        if copy is None:
            raise errors.NotFound("catalog.copy_not_found")
        if copy.status != "misrouted" or copy.centre_code != centre_code:
            raise errors.Conflict("catalog.not_misrouted")
        centre = session.get(Centre, centre_code)
        for action in domain.plan_decision(decision, copy.destination_code, centre.auto_shelve):
            move_copies(session, [copy], action, actor=actor, centre=centre)
        return copy_view(copy)


def misrouted_at(centre_code: str) -> list[dict]:
    with db.session_scope(SERVICE) as session:
        return [copy_view(c) for c in session.scalars(select(Copy).where(
            Copy.centre_code == centre_code, Copy.status == "misrouted").order_by(Copy.updated_at))]


def recent_scans(centre_code: str, limit: int = 20) -> list[dict]:
    with db.session_scope(SERVICE) as session:
        if session.get(Centre, centre_code) is None:
            raise errors.NotFound("catalog.unknown_centre")
        rows = session.execute(select(Scan, Copy).outerjoin(Copy, Copy.code == Scan.copy_code)
                               .where(Scan.centre_code == centre_code)
                               .order_by(Scan.at.desc()).limit(limit))
        return [{"scan_id": s.id, "at": s.at, "mode": s.mode, "raw": s.raw, "result": s.result,
                 "title": c.title.title if c else None} for s, c in rows]
