"""What catalog does when it hears other services' events."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.catalog.models import IncomingDonation
from services.catalog.services import reports
from shared import db
from shared.bus.consumer import Handlers
from shared.outbox import add_event

SERVICE = "catalog"


def _incoming(session: Session, donation_id, **first_values) -> IncomingDonation:
    """The hub's record of a donation, made by whichever event arrives first. Events of one
    donation may be handled at the same moment by two workers: the insert waits for the
    other's and then finds the row, instead of failing on the key."""
    db.insert_ignoring_duplicates(session, IncomingDonation.__table__, {
        "donation_id": donation_id, "donor_kind": "citizen", "handover": "pickup",
        "declared_count": 0, "status": "offered", **first_values})
    return session.get(IncomingDonation, donation_id, populate_existing=True)


def on_donation_offered(session: Session, event: dict) -> None:
    payload = event["payload"]
    incoming = _incoming(session, payload["donation_id"])
    incoming.donor_kind = payload["donor_kind"]
    incoming.handover = payload["handover"]
    incoming.centre_code = payload["centre_code"]
    incoming.city = payload["city"]
    incoming.oblast = payload["oblast"]
    incoming.declared_count = payload["declared_count"]
    incoming.offered_at = event["occurred_at"]


def on_donation_collected(session: Session, event: dict) -> None:
    """The books are on their way to the hub: open the intake and say so."""
    payload = event["payload"]
    # Collected may be heard before offered (the bus does not promise order).
    incoming = _incoming(session, payload["donation_id"], declared_count=payload["declared_count"])
    incoming.collected_count = payload["collected_count"]
    incoming.collected_at = event["occurred_at"]
    incoming.status = "at_hub"
    add_event(session, "catalog.donation_at_hub", {
        "donation_id": payload["donation_id"], "expected_count": payload["collected_count"],
    }, producer=SERVICE, correlation_id=event.get("correlation_id"))


def on_donation_cancelled(session: Session, event: dict) -> None:
    """Nothing is coming to the hub. A late `offered` must not bring it back."""
    payload = event["payload"]
    incoming = _incoming(session, payload["donation_id"])
    incoming.status = "cancelled"


# event type → {consumer name: handler}. The names are the idempotency keys in
# `processed_events` (as `catalog.<name>`): never rename one, or events handled before would be
# handled again.
HANDLERS: Handlers = {
    "donations.donation_offered": {"on_donation_offered": on_donation_offered},
    "donations.donation_collected": {"on_donation_collected": on_donation_collected},
    "donations.donation_cancelled": {"on_donation_cancelled": on_donation_cancelled},
}
# The reports read model (services/reports.py) hears every other service's fact it counts
# (`reports.FOREIGN`) as `report_event`; catalog's own copy changes are noted by the
# transaction that makes them (`move_copies`) and counted by `reports.catch_up`, not over the bus.
for _event_type in reports.FOREIGN:
    HANDLERS.setdefault(_event_type, {})["report_event"] = reports.on_foreign_event
