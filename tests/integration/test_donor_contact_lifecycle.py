"""A donor's contact in notifications when events race or overtake each other: a contact change
and an erasure of one donor run one after the other (a guard row per donor), an older contact
change never wins over a newer one, and an erasure during a send keeps the text wiped."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from services.notifications import handlers
from services.notifications.delivery import deliver_due
from services.notifications.handlers import HANDLERS
from services.notifications.models import Contact, Message
from shared import db
from shared.bus.consumer import handle
from shared.events import make_event
from tests.samples import sample_payload


def contact_event(donation_id, donor_id, *, email: str, sequence: int | None, at: datetime | None = None) -> dict:
    payload = {**sample_payload("donations.donor_contact_changed", donation_id), "donor_id": donor_id,
               "email": email, "sequence": sequence}
    event = make_event("donations.donor_contact_changed", payload, producer="donations")
    wire = event.to_wire()
    if at is not None:
        wire["occurred_at"] = at.isoformat()
    return wire


def erased_event(donation_id, donor_id) -> dict:
    return make_event("donations.donor_erased", {"donor_id": donor_id, "donation_ids": [donation_id]},
                      producer="donations").to_wire()


def stored_email(donation_id) -> str | None:
    with db.session_scope("notifications") as session:
        contact = session.get(Contact, donation_id)
        return contact.email if contact else None


def test_an_older_contact_change_never_wins_over_a_newer_one(databases):
    d, donor = uuid.uuid4(), uuid.uuid4()
    handle("notifications", HANDLERS, contact_event(d, donor, email="new@example.com", sequence=2))
    handle("notifications", HANDLERS, contact_event(d, donor, email="old@example.com", sequence=1))  # overtaken
    assert stored_email(d) == "new@example.com"
    handle("notifications", HANDLERS, contact_event(d, donor, email="newest@example.com", sequence=3))
    assert stored_email(d) == "newest@example.com"


def test_without_a_sequence_the_events_time_decides(databases):
    """Events from a producer that sends no sequence (older than the field) are ordered by time."""
    d, donor = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(timezone.utc)
    handle("notifications", HANDLERS, contact_event(d, donor, email="later@example.com", sequence=None, at=now))
    handle("notifications", HANDLERS, contact_event(d, donor, email="earlier@example.com", sequence=None,
                                                    at=now - timedelta(seconds=5)))
    assert stored_email(d) == "later@example.com"


def _hold_and_race(first, second_envelope) -> threading.Thread:
    """Run `first` in an open transaction, start the second handler meanwhile, and show that it
    waits for the first to commit (it would have interleaved without the guard row)."""
    with db.session_scope("notifications") as session:
        first(session)
        racer = threading.Thread(target=handle, args=("notifications", HANDLERS, second_envelope))
        racer.start()
        racer.join(timeout=1.5)
        assert racer.is_alive(), "the second handler should wait for the donor's guard row"
    racer.join(timeout=15)
    assert not racer.is_alive()
    return racer


def test_a_contact_event_racing_an_erasure_cannot_bring_the_contact_back(pg_only):
    d, donor = uuid.uuid4(), uuid.uuid4()
    erasure = erased_event(d, donor)
    erasure["payload"] = {"donor_id": donor, "donation_ids": [d]}
    _hold_and_race(lambda s: handlers.on_donor_erased(s, erasure),
                   contact_event(d, donor, email="olena@example.com", sequence=1))
    assert stored_email(d) is None


def test_an_erasure_racing_a_contact_event_deletes_what_it_wrote(pg_only):
    d, donor = uuid.uuid4(), uuid.uuid4()
    change = contact_event(d, donor, email="olena@example.com", sequence=1)
    change_loaded = {**change, "occurred_at": datetime.now(timezone.utc),
                     "payload": {**change["payload"], "donor_id": donor, "donation_id": d, "sequence": 1}}
    _hold_and_race(lambda s: handlers.on_donor_contact_changed(s, change_loaded), erased_event(d, donor))
    assert stored_email(d) is None


class ErasedWhileSending:
    """A sender during whose send the donor asks to be forgotten (the erasure commits first)."""

    def __init__(self, donation_id, donor_id):
        self.erasure = erased_event(donation_id, donor_id)
        self.sent = 0

    def send(self, channel, outgoing):
        handle("notifications", HANDLERS, self.erasure)
        self.sent += 1
        return "provider-1"


def test_an_erasure_during_a_send_keeps_the_text_wiped(databases, monkeypatch):
    monkeypatch.setenv("NOTIFY_QUIET_START", "00:00")
    monkeypatch.setenv("NOTIFY_QUIET_END", "00:00")
    d, donor = uuid.uuid4(), uuid.uuid4()
    handle("notifications", HANDLERS, contact_event(d, donor, email="olena@example.com", sequence=1))
    handle("notifications", HANDLERS, make_event("donations.donation_offered",
                                                 sample_payload("donations.donation_offered", d),
                                                 producer="donations").to_wire())
    sender = ErasedWhileSending(d, donor)
    deliver_due(senders=sender)
    assert sender.sent == 1
    with db.session_scope("notifications") as session:
        [message] = session.scalars(select(Message).where(Message.donation_id == d)).all()
        assert message.text is None and message.subject is None
        assert message.recipient_hash.startswith("erased:")
