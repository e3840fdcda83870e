"""Catalog's use cases: the one way a copy changes, the centre register and staff accounts."""
from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.catalog import domain
from services.catalog.models import Centre, Copy, CopyStep, OblastPriority, StaffAccount
from shared import db, staff_identity
from shared.auth import ROLES, Staff, issue_token
from shared.centres import reference_centres
from shared.models import utcnow
from shared.outbox import add_event
from shared.staff_identity import Identity, StaffIdentity

SERVICE = "catalog"


def centre_payload(centre: Centre) -> dict:
    return {"centre_code": centre.code, "centre_name": centre.name,
            "settlement": centre.settlement, "oblast": centre.oblast}


# What each per-copy event says besides the copy, its donation and the centre where it happens.
_COPY_EVENT_FIELDS = {
    "catalog.copy_catalogued": lambda copy, came_from: {"title": copy.title.title, "condition": copy.condition},
    "catalog.copy_withdrawn": lambda copy, came_from: {"reason": "damaged"},
    "catalog.copy_arrived": lambda copy, came_from: {"shipment_id": copy.shipment_id},
    "catalog.copy_misrouted": lambda copy, came_from: {"expected_centre_code": copy.destination_code},
    "catalog.copy_moved": lambda copy, came_from: {"from_centre_code": came_from},
    "catalog.copy_sent_on": lambda copy, came_from: {"from_centre_code": came_from,
                                                     "destination_code": copy.destination_code},
}


def move_copies(session: Session, copies: Sequence[Copy], action: str, *, actor: str | None,
                centre: Centre | None = None, destinations: Mapping[str, str] | None = None,
                batch: dict | None = None) -> None:
    """The one way a copy changes: `action` is a row of `domain.TRANSITIONS`.

    Every copy must be in a state the row starts from, and the change must happen where the
    row says (else `domain.TransitionNotAllowed`, before anything changes). Each copy gets the
    row's state and place, exactly one line of journey, and the row's event: one per copy, or,
    for a batch row (an allocation, a shipment), the batch's one event (`batch` holds its other
    fields) listing the copies, written even when the batch moved none. `centre` is where the change happens (a scan, a
    decision, a count); `destinations` the centre an allocation sends each copy to (by code).
    """
    here = centre.code if centre is not None else None
    for copy in copies:
        domain.transition(action, copy.status, here=here, centre=copy.centre_code,
                          destination=copy.destination_code)
    rule = domain.TRANSITIONS[action]
    now = utcnow()
    came_from = {}
    for copy in copies:
        came_from[copy.code] = copy.centre_code
        copy.centre_code, copy.destination_code = domain.place_after(
            rule, copy.centre_code, copy.destination_code, here=here,
            given=destinations.get(copy.code) if destinations else None)
        copy.status, copy.updated_at = rule.target, now
    if any(copy in session.new for copy in copies):
        session.flush()  # new copies exist before their journey refers to them
    for copy in copies:
        session.add(CopyStep(copy_code=copy.code, kind=rule.step, at=now, actor=actor,
                             centre_code=copy.centre_code or copy.destination_code))
        if rule.event is not None and not rule.batch:
            at_centre = centre if here is not None and here == copy.centre_code else (
                session.get(Centre, copy.centre_code) if copy.centre_code else None)
            fields = _COPY_EVENT_FIELDS.get(rule.event)
            add_event(session, rule.event, {
                "copy_code": copy.code, "donation_id": copy.donation_id,
                **(centre_payload(at_centre) if at_centre is not None else {}),
                **(fields(copy, came_from[copy.code]) if fields else {})}, producer=SERVICE)
    if rule.batch:
        add_event(session, rule.event, {**(batch or {}), rule.names_copy: [c.code for c in copies]},
                  producer=SERVICE)

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


def token_days() -> float:
    return float(os.environ.get("STAFF_TOKEN_DAYS", "30"))


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def _check_role(session: Session, role: str, centre: str | None) -> None:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role == "centre_staff" and not centre:
        raise StaffError("centre staff need --centre CODE")
    if role != "centre_staff" and centre:
        raise StaffError("only centre staff are bound to a centre")
    if centre and session.get(Centre, centre) is None:
        raise StaffError(f"no centre {centre} (run `bookcross seed` first?)")


def _publish(session: Session, identity: StaffIdentity) -> Identity:
    """Every change of an account: its identity row here, and the event for the other services."""
    snapshot = Identity(identity.staff_id, identity.name, identity.role, identity.centre_code,
                        identity.active, identity.token_version, identity.session_version, identity.revision)
    add_event(session, "catalog.staff_account_changed", snapshot.payload(), producer=SERVICE)
    staff_identity.forget(identity.staff_id)
    return snapshot


def _account(session: Session, name: str) -> tuple[StaffAccount, StaffIdentity]:
    account = session.scalar(select(StaffAccount).where(StaffAccount.name == name).with_for_update())
    if account is None:
        raise StaffError(f"no staff account {name!r}")
    identity = session.get(StaffIdentity, account.id, with_for_update=True)
    if identity is None:  # an account made before identities existed
        identity = StaffIdentity(staff_id=account.id, name=account.name, role=account.role,
                                 centre_code=account.centre_code, active=True, token_version=1,
                                 session_version=1, revision=0)
        session.add(identity)
    return account, identity


def add_staff(name: str, role: str, centre: str | None = None,
              password: str | None = None) -> Staff:
    with db.session_scope(SERVICE) as session:
        _check_role(session, role, centre)
        if session.scalar(select(StaffAccount).where(StaffAccount.name == name)):
            raise StaffError(f"staff {name!r} exists already")
        account = StaffAccount(name=name, role=role, centre_code=centre,
                               password_hash=generate_password_hash(password) if password else None)
        session.add(account)
        session.flush()
        identity = StaffIdentity(staff_id=account.id, name=name, role=role, centre_code=centre, active=True,
                                 token_version=1, session_version=1, revision=1, updated_at=utcnow())
        session.add(identity)
        _publish(session, identity)
        return Staff(id=account.id, name=account.name, role=account.role, centre=account.centre_code)


def _change(name: str, change) -> Identity:
    with db.session_scope(SERVICE) as session:
        account, identity = _account(session, name)
        change(session, account, identity)
        identity.revision += 1
        identity.updated_at = utcnow()
        return _publish(session, identity)


def issue_staff_token(name: str, days: float | None = None) -> str:
    """A new API token for the account; the ones issued before stop working."""
    def bump(_session, _account, identity):
        identity.token_version += 1
    identity = _change(name, bump)
    return issue_token(identity.staff_id, identity.token_version, days if days is not None else token_days())


def first_token(staff: Staff, days: float | None = None) -> str:
    """The token of an account just added (its first version)."""
    with db.session_scope(SERVICE) as session:
        identity = session.get(StaffIdentity, staff.id)
        return issue_token(staff.id, identity.token_version, days if days is not None else token_days())


def revoke_tokens(name: str) -> None:
    def bump(_session, _account, identity):
        identity.token_version += 1
    _change(name, bump)


def set_active(name: str, active: bool) -> None:
    """Disable (every token and session stops at once) or enable an account."""
    def switch(_session, _account, identity):
        identity.active = active
        if not active:  # a later enable must not bring old tokens back to life
            identity.token_version += 1
            identity.session_version += 1
    _change(name, switch)


def change_staff(name: str, *, role: str | None = None, centre: str | None | bool = False) -> Identity:
    """A new role or centre, in force at the next request."""
    def apply_change(session, account, identity):
        new_role = role or account.role
        new_centre = account.centre_code if centre is False else centre
        if new_role != "centre_staff":
            new_centre = None if centre is False else new_centre
        _check_role(session, new_role, new_centre)
        account.role, account.centre_code = new_role, new_centre
        identity.role, identity.centre_code = new_role, new_centre
    return _change(name, apply_change)


def remove_staff(name: str) -> None:
    """The account goes; its identity stays, inactive, so a late event cannot bring it back."""
    def remove(session, account, identity):
        identity.active = False
        identity.token_version += 1
        identity.session_version += 1
        session.delete(account)
    _change(name, remove)


def sign_out_everywhere(staff_id: int) -> None:
    with db.session_scope(SERVICE) as session:
        account = session.get(StaffAccount, staff_id)
        if account is None:
            return
    _change(account.name, lambda _s, _a, identity: setattr(identity, "session_version", identity.session_version + 1))


def check_login(name: str, password: str) -> tuple[Staff, int] | None:
    """The account and its session version if the password is right. An unknown name costs the
    same time as a wrong password (a hash is checked either way): nothing to tell them apart."""
    with db.session_scope(SERVICE) as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name))
        identity = session.get(StaffIdentity, account.id) if account is not None else None
        stored = account.password_hash if account is not None and account.password_hash else None
        ok = check_password_hash(stored or _dummy_hash(), password)
        if not ok or stored is None or identity is None or not identity.active:
            return None
        return (Staff(id=account.id, name=account.name, role=identity.role, centre=identity.centre_code),
                identity.session_version)
