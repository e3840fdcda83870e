"""Forgetting a person in the bus's own tables: the outbox rows and dead letters that carried
their contact (`donations.donor_contact_changed`) keep their ids and shape, not the contact."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from shared.models import DeadLetter, OutboxEvent

PERSONAL_FIELDS = ("name", "email", "phone", "address")
CONTACT_EVENT = "donations.donor_contact_changed"


def _wipe(envelope: dict) -> dict:
    payload = dict(envelope.get("payload") or {})
    for name in PERSONAL_FIELDS:
        if payload.get(name) is not None:
            payload[name] = None
    return {**envelope, "payload": payload}


def scrub_contact_events(session: Session, donor_ids: list) -> int:
    """Wipe the contact out of every stored contact event of these donors. Returns rows changed."""
    ids = [str(d) for d in donor_ids]
    if not ids:
        return 0
    changed = 0
    by_donor = OutboxEvent.envelope["payload"]["donor_id"].as_string().in_(ids)
    for row in session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == CONTACT_EVENT, by_donor)):
        row.envelope = _wipe(row.envelope)
        flag_modified(row, "envelope")
        changed += 1
    by_donor = DeadLetter.envelope["payload"]["donor_id"].as_string().in_(ids)
    for row in session.scalars(select(DeadLetter).where(DeadLetter.event_type == CONTACT_EVENT, by_donor)):
        row.envelope = _wipe(row.envelope)
        flag_modified(row, "envelope")
        changed += 1
    return changed


def scrub_text(text: str | None, values: set[str]) -> str | None:
    """`text` with every one of `values` (an address, a name) cut out."""
    if not text:
        return text
    for value in sorted(values, key=len, reverse=True):
        if value:
            text = text.replace(value, "<erased>")
    return text
