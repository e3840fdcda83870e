"""Forget me, on the notifications side: contacts go, and a late contact event cannot bring them back."""
from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.notifications.handlers import HANDLERS
from services.notifications.models import Contact, Notice
from shared import db
from shared.bus.consumer import handle
from shared.events import make_event
from tests.samples import sample_payload


def envelope(event_type, **payload):
    return make_event(event_type, payload, producer="donations").to_wire()


def contacts() -> int:
    with db.session_scope("notifications") as session:
        return session.scalar(select(func.count()).select_from(Contact))


def test_erasure_deletes_contacts_keeps_notices_and_refuses_late_contacts(databases):
    donation_id, donor_id = uuid.uuid4(), uuid.uuid4()
    contact = {**sample_payload("donations.donor_contact_changed", donation_id), "donor_id": donor_id}
    handle("notifications", HANDLERS, envelope("donations.donor_contact_changed", **contact))
    handle("notifications", HANDLERS, envelope("donations.donation_offered",
                                               **sample_payload("donations.donation_offered", donation_id)))
    assert contacts() == 1

    handle("notifications", HANDLERS, envelope("donations.donor_erased", donor_id=donor_id,
                                               donation_ids=[donation_id]))
    assert contacts() == 0
    with db.session_scope("notifications") as session:
        notice = session.scalar(select(Notice))
        assert notice.stage == "offered" and "olena" not in str(notice.details).lower()

    # The same contact event, redelivered late (a new envelope, as a replay would be):
    handle("notifications", HANDLERS, envelope("donations.donor_contact_changed", **contact))
    assert contacts() == 0
