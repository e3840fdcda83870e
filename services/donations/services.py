"""Donations' use cases. Each owns its transaction and writes its events to the outbox."""
from __future__ import annotations

import functools
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.donations import domain
from services.donations.models import (
    Donation,
    DonationCopy,
    DonationHistory,
    DonationItem,
    DonationMessage,
    DonationShipment,
    Donor,
)
from shared import codes, db, errors
from shared.erasure import scrub_contact_events
from shared.models import utcnow
from shared.outbox import add_event
from shared.outbox.writer import insert_events

SERVICE = "donations"
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


class NotFound(errors.NotFound):
    key = "donations.not_found"


class UnknownTrackingCode(NotFound):
    """A mistyped code and an unknown one: the same answer, nothing to probe."""

    key = "donations.tracking_not_found"


class IdempotencyKeyReused(errors.Invalid):
    """The same Idempotency-Key came with a different request: not a retry, so no answer."""

    key = "donations.idempotency_key_reused"


class AlreadyOffered(errors.Conflict):
    """The same offer came again within minutes without a key: nothing new is made, and the
    first one's tracking code is not handed out (whoever asks may not be the donor; the donor
    has it in their first message)."""

    key = "donations.already_offered"


@dataclass
class Offered:
    donation: Donation
    created: bool


def _history(session: Session, donation: Donation, stage: str, actor: str, *,
             from_status: str | None = None, reason: str | None = None, **details) -> None:
    session.add(DonationHistory(donation_id=donation.id, at=utcnow(), stage=stage,
                                from_status=from_status, to_status=donation.status,
                                actor=actor, reason=reason, details=details))


def offer_donation(data: dict, *, idempotency_key: str | None = None, scope: str = "public") -> Offered:
    """Record an offer with its items, give it a tracking code, tell the network.

    A retry with the same Idempotency-Key and the same request returns the donation made the
    first time; the same key with another request is refused (IdempotencyKeyReused). Without a
    key, the same contact and items again within ten minutes make nothing new (AlreadyOffered).
    """
    donor_data, handover = data["donor"], data["handover"]
    items = [domain.Item(i["isbn"], i["title"], i["authors"], i["quantity"]) for i in data["items"]]
    fingerprint = domain.offer_fingerprint(donor_data["email"] or donor_data["phone"], items,
                                           handover["kind"])
    key = domain.scoped_key(scope, idempotency_key) if idempotency_key else None
    body = domain.request_hash(data)
    try:
        with db.session_scope(SERVICE) as session:
            existing = _find_double_submit(session, key, body, fingerprint)
            if existing is not None:
                return Offered(existing, created=False)
            donation = _create(session, donor_data, handover, items, fingerprint, key, request_hash=body)
        return Offered(donation, created=True)
    except IntegrityError:
        # A concurrent twin with the same Idempotency-Key won the race: answer with it.
        with db.session_scope(SERVICE) as session:
            existing = _find_double_submit(session, key, body, fingerprint)
            if existing is None:
                raise
            return Offered(existing, created=False)


def _find_double_submit(session: Session, key: str | None, body: str, fingerprint: str) -> Donation | None:
    if key:
        found = session.scalar(select(Donation).where(Donation.idempotency_key == key))
        if found is not None:
            if found.request_hash != body:
                raise IdempotencyKeyReused()
            return found
        return None  # a new key is a new request, whatever it looks like
    since = utcnow() - DOUBLE_SUBMIT_WINDOW
    if session.scalar(_recent_twin(), {"fingerprint": fingerprint, "since": since}) is not None:
        raise AlreadyOffered()
    return None


def _create(session: Session, donor_data: dict, handover: dict, items: list[domain.Item],
            fingerprint: str, idempotency_key: str | None, actor: str = "donor",
            request_hash: str | None = None) -> Donation:
    """The donor, the donation, its items, its first history row and its two events, written
    with prepared statements (five round trips) rather than the ORM's unit of work: an offer is
    what a flash mob sends thousands of. Returns the donation as a detached object."""
    now = utcnow()
    donor = {"id": uuid.uuid4(), "kind": donor_data["kind"], "name": donor_data.get("name"),
             "email": donor_data.get("email"), "phone": donor_data.get("phone"),
             "language": donor_data.get("language", "uk"), "latin": donor_data.get("latin", False),
             "channels": donor_data.get("channels") or [],
             "consent_at": now if donor_data.get("consent") else None, "created_at": now,
             "contact_revision": 1}
    declared = sum(i.quantity for i in items)
    donation = Donation(
        id=uuid.uuid4(), tracking_code=codes.normalise(codes.new_code(codes.TRACKING_RANDOM_CHARS)),
        donor_id=donor["id"], status="offered", handover=handover["kind"],
        centre_code=handover.get("centre_code"), address=handover.get("address"),
        city=handover.get("city"), oblast=handover.get("oblast"), declared_count=declared,
        preferred_windows=[{"start": w["start"].isoformat(), "end": w["end"].isoformat()}
                           for w in handover.get("preferred_windows") or []] or None,
        idempotency_key=idempotency_key, request_hash=request_hash, fingerprint=fingerprint,
        created_at=now, updated_at=now)
    session.execute(db.insert_statement(Donor.__table__), donor)
    session.execute(db.insert_statement(Donation.__table__), {c: getattr(donation, c) for c in _DONATION_COLUMNS})
    session.execute(db.insert_statement(DonationItem.__table__), [
        {"donation_id": donation.id, "isbn": i.isbn, "title": i.title, "authors": i.authors,
         "quantity": i.quantity} for i in items])
    session.execute(db.insert_statement(DonationHistory.__table__), {
        "donation_id": donation.id, "at": now, "stage": "offered", "from_status": None,
        "to_status": "offered", "actor": actor, "reason": None, "details": {"count": declared}})
    events = []
    if donor["email"] or donor["phone"]:
        events.append(("donations.donor_contact_changed", {
            "donation_id": donation.id, "donor_id": donor["id"],
            "tracking_code": codes.display(donation.tracking_code), "name": donor["name"],
            "email": donor["email"], "phone": donor["phone"], "language": donor["language"],
            "latin": donor["latin"], "channels": donor["channels"], "sequence": donor["contact_revision"],
        }))
    events.append(("donations.donation_offered", {
        "donation_id": donation.id, "donor_kind": donor["kind"], "handover": donation.handover,
        "centre_code": donation.centre_code, "city": donation.city, "oblast": donation.oblast,
        "declared_count": declared,
        "items": [{"isbn": i.isbn, "title": i.title, "authors": i.authors, "quantity": i.quantity}
                  for i in items],
    }))
    insert_events(session, events, producer=SERVICE)
    return donation


_DONATION_COLUMNS = ("id", "tracking_code", "donor_id", "status", "handover", "centre_code", "address",
                     "city", "oblast", "declared_count", "preferred_windows", "idempotency_key",
                     "request_hash", "fingerprint", "created_at", "updated_at")


@functools.cache
def _recent_twin():
    """The double-submit lookup, built once: an offer with this fingerprint since then."""
    donations = Donation.__table__
    return select(donations.c.id).where(donations.c.fingerprint == bindparam("fingerprint"),
                                        donations.c.created_at >= bindparam("since")).limit(1)


def _load_for_update(session: Session, donation_id: uuid.UUID) -> Donation:
    query = select(Donation).where(Donation.id == donation_id)
    if not db.is_sqlite(session.get_bind()):
        query = query.with_for_update()
    donation = session.scalar(query)
    if donation is None:
        raise NotFound()
    return donation


def _transition(session: Session, donation: Donation, action: str) -> str:
    previous = donation.status
    donation.status = domain.next_status(previous, action, donation.handover)
    donation.updated_at = utcnow()
    return previous


def schedule_pickup(donation_id: uuid.UUID, start: datetime, end: datetime, *, actor: str) -> Donation:
    with db.session_scope(SERVICE) as session:
        donation = _load_for_update(session, donation_id)
        previous = _transition(session, donation, "schedule_pickup")
        previous_start = donation.pickup_start
        donation.pickup_start, donation.pickup_end = start, end
        if previous_start is None:
            _history(session, donation, "pickup_scheduled", actor, from_status=previous,
                     start=start.isoformat(), end=end.isoformat())
            add_event(session, "donations.pickup_scheduled", {
                "donation_id": donation.id, "scheduled_start": start, "scheduled_end": end,
            }, producer=SERVICE)
        else:
            _history(session, donation, "pickup_rescheduled", actor, from_status=previous,
                     start=start.isoformat(), end=end.isoformat())
            add_event(session, "donations.pickup_rescheduled", {
                "donation_id": donation.id, "scheduled_start": start, "scheduled_end": end,
                "previous_start": previous_start,
            }, producer=SERVICE)
        return donation


def fail_pickup(donation_id: uuid.UUID, reason: str, *, actor: str) -> Donation:
    """The pickup did not happen; the donor is told why, and it can be scheduled again."""
    with db.session_scope(SERVICE) as session:
        donation = _load_for_update(session, donation_id)
        previous = _transition(session, donation, "fail_pickup")
        _history(session, donation, "pickup_failed", actor, from_status=previous, reason=reason)
        add_event(session, "donations.pickup_failed", {"donation_id": donation.id, "reason": reason},
                  producer=SERVICE)
        return donation


def cancel(donation_id: uuid.UUID, *, by: str, actor: str, reason: str | None = None) -> Donation:
    with db.session_scope(SERVICE) as session:
        donation = _load_for_update(session, donation_id)
        previous = _transition(session, donation, "cancel")
        _history(session, donation, "cancelled", actor, from_status=previous, reason=reason, by=by)
        add_event(session, "donations.donation_cancelled", {
            "donation_id": donation.id, "by": by, "reason": reason}, producer=SERVICE)
        return donation


def register_walk_in(centre_code: str, data: dict, *, actor: str) -> Offered:
    """Books handed over at a centre's desk: offered and collected in one go."""
    items = [domain.Item(i["isbn"], i["title"], i["authors"], i["quantity"]) for i in data["items"]]
    donor_data = data.get("donor") or {"kind": "citizen"}
    handover = {"kind": "walk_in", "centre_code": centre_code}
    key = domain.scoped_key(f"walk-in:{centre_code}", data["idempotency_key"]) if data.get("idempotency_key") else None
    body = domain.request_hash({k: v for k, v in data.items() if k != "idempotency_key"})
    with db.session_scope(SERVICE) as session:
        if key:
            existing = session.scalar(select(Donation).where(Donation.idempotency_key == key))
            if existing is not None:
                if existing.request_hash != body:
                    raise IdempotencyKeyReused()
                return Offered(existing, created=False)
        created = _create(session, donor_data, handover, items, fingerprint=uuid.uuid4().hex,
                          idempotency_key=key, actor=actor, request_hash=body)
        donation = session.get(Donation, created.id)  # _create's is detached; this one is tracked
        previous = _transition(session, donation, "collect")
        donation.collected_count = donation.declared_count
        _history(session, donation, "collected", actor, from_status=previous,
                 count=donation.declared_count, declared=donation.declared_count)
        add_event(session, "donations.donation_collected", {
            "donation_id": donation.id, "declared_count": donation.declared_count,
            "collected_count": donation.declared_count}, producer=SERVICE)
        return Offered(donation, created=True)


def erase_donor(code: str) -> Donation:
    """Forget the person: name, contacts and addresses go, here and (by event) in notifications —
    on this donation and on every other donation made with the same e-mail or phone (each offer
    has its own donor record). The outbox rows that carried the contact keep no contact either.
    Donations, items and their history stay, with no personal data."""
    donation, _ = find_by_tracking_code(code)
    with db.session_scope(SERVICE) as session:
        donor = session.get(Donor, donation.donor_id)
        for person in _same_person(session, donor):
            _erase(session, person)
        return session.get(Donation, donation.id)


def _same_person(session: Session, donor: Donor) -> list[Donor]:
    """This donor and every donor record with one of their contacts (e-mail case-insensitive)."""
    matches = [Donor.id == donor.id]
    if donor.email:
        matches.append(func.lower(Donor.email) == donor.email.lower())
    if donor.phone:
        matches.append(Donor.phone == donor.phone)
    query = select(Donor).where(or_(*matches)).order_by(Donor.id)
    if not db.is_sqlite(session.get_bind()):
        query = query.with_for_update()
    return list(session.scalars(query))


def _erase(session: Session, donor: Donor) -> None:
    donation_ids = list(session.scalars(select(Donation.id).where(Donation.donor_id == donor.id)))
    if donor.erased_at is not None:
        return
    donor.name = donor.email = donor.phone = None
    donor.channels = []
    donor.erased_at = utcnow()
    for other in session.scalars(select(Donation).where(Donation.donor_id == donor.id)):
        other.fingerprint = "erased"
        other.address = None
        other.preferred_windows = None
        other.request_hash = None  # a hash of the request, contact included
        session.add(DonationHistory(donation_id=other.id, at=utcnow(), stage="erased",
                                    to_status=other.status, actor="donor", details={}))
    # The donor's own words (a reason to cancel) may name them.
    session.execute(update(DonationHistory).where(
        DonationHistory.donation_id.in_(donation_ids), DonationHistory.actor == "donor",
        DonationHistory.reason.is_not(None)).values(reason=None))
    scrub_contact_events(session, [donor.id])
    from services.donations.impact import wipe_feedback

    wipe_feedback(session, donation_ids)  # their comments go too
    from services.donations.assistant.services import forget_donor

    forget_donor(session, [donor.id], donation_ids)  # and their questions to the assistant
    add_event(session, "donations.donor_erased",
              {"donor_id": donor.id, "donation_ids": donation_ids}, producer=SERVICE)


def pickup_board() -> list[dict]:
    """Donations waiting for a pickup, by oblast and city, oldest first."""
    with db.session_scope(SERVICE) as session:
        waiting = session.scalars(select(Donation).where(
            Donation.handover == "pickup",
            Donation.status.in_(("offered", "pickup_scheduled", "pickup_failed")))
            .order_by(Donation.created_at)).all()
        board: dict[str, dict[str, list[Donation]]] = {}
        for donation in waiting:
            board.setdefault(donation.oblast or "?", {}).setdefault(donation.city or "?", []).append(donation)
        return [{"oblast": oblast, "waiting": sum(len(v) for v in cities.values()),
                 "cities": [{"city": city, "donations": donations} for city, donations in cities.items()]}
                for oblast, cities in sorted(board.items(), key=lambda kv: _oldest(kv[1]))]


def _oldest(cities: dict[str, list[Donation]]):
    return min(d.created_at for donations in cities.values() for d in donations)


def record_collection(donation_id: uuid.UUID, collected: int, *, actor: str,
                      note: str | None = None) -> Donation:
    with db.session_scope(SERVICE) as session:
        donation = _load_for_update(session, donation_id)
        previous = _transition(session, donation, "collect")
        donation.collected_count = collected
        _history(session, donation, "collected", actor, from_status=previous, reason=note,
                 count=collected, declared=donation.declared_count)
        add_event(session, "donations.donation_collected", {
            "donation_id": donation.id, "declared_count": donation.declared_count,
            "collected_count": collected,
        }, producer=SERVICE)
        return donation


@contextmanager
def _reading(session: Session | None):
    """The caller's session (a consumer's transaction reads through it), or a new one."""
    if session is not None:
        yield session
        return
    with db.session_scope(SERVICE) as own:
        yield own


def whereabouts(donation_id: uuid.UUID, session: Session | None = None) -> dict:
    """Where the donation's copies went, by centre, from catalog's events."""
    with _reading(session) as session:
        copies = session.scalars(select(DonationCopy).where(DonationCopy.donation_id == donation_id)).all()
        shipments = session.scalars(select(DonationShipment).where(
            DonationShipment.donation_id == donation_id)).all()
    centres: dict[str, dict] = {}

    def centre(row) -> dict:
        return centres.setdefault(row.centre_code, {
            "centre_code": row.centre_code, "centre_name": row.centre_name,
            "settlement": row.settlement, "oblast": row.oblast,
            "sent": 0, "on_shelves": 0, "taken": 0})

    for shipment in shipments:
        centre(shipment)["sent"] += shipment.count
    for copy in copies:
        if copy.status in ("shelved", "moved"):
            centre(copy)["on_shelves"] += 1
        elif copy.status == "taken":
            centre(copy)["taken"] += 1
    for entry in centres.values():
        entry["on_the_way"] = max(0, entry.pop("sent") - entry["on_shelves"] - entry["taken"])
    oblasts: dict[str, dict] = {}
    for entry in centres.values():
        total = oblasts.setdefault(entry["oblast"] or "—", {"oblast": entry["oblast"] or "—", "centres": 0,
                                                            "on_shelves": 0, "on_the_way": 0, "taken": 0})
        total["centres"] += 1
        for key in ("on_shelves", "on_the_way", "taken"):
            total[key] += entry[key]
    return {"catalogued": len(copies), "withdrawn": sum(1 for c in copies if c.status == "withdrawn"),
            "centres": sorted(centres.values(), key=lambda c: (c["oblast"] or "", c["settlement"] or "",
                                                                c["centre_code"])),
            # The publisher's impact report in one glance: where the copies went, by oblast.
            "oblasts": sorted(oblasts.values(), key=lambda o: o["oblast"])}


def messages_of(donation_id: uuid.UUID, session: Session | None = None) -> list[DonationMessage]:
    with _reading(session) as session:
        return list(session.scalars(select(DonationMessage).where(
            DonationMessage.donation_id == donation_id).order_by(DonationMessage.at, DonationMessage.message_id)))


def find_by_tracking_code(code: str, session: Session | None = None) -> tuple[Donation, list[DonationHistory]]:
    if not codes.is_valid(code, codes.TRACKING_RANDOM_CHARS):
        raise UnknownTrackingCode()
    with _reading(session) as session:
        donation = session.scalar(select(Donation).where(
            Donation.tracking_code == codes.normalise(code)))
        if donation is None:
            raise UnknownTrackingCode()
        history = session.scalars(select(DonationHistory).where(
            DonationHistory.donation_id == donation.id).order_by(DonationHistory.id)).all()
        return donation, list(history)


def get_donation(donation_id: uuid.UUID) -> Donation:
    with db.session_scope(SERVICE) as session:
        donation = session.get(Donation, donation_id)
        if donation is None:
            raise NotFound()
        return donation
