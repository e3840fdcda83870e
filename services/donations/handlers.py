"""What donations does when it hears other services' events: the hub's news, and where the
donation's copies went, for the donor's tracking page."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.donations import impact
from services.donations.assistant import services as assistant_services
from services.donations.models import Donation, DonationCopy, DonationHistory, DonationMessage, DonationShipment
from shared import db, staff_identity
from shared.bus.consumer import Handlers
from shared.models import utcnow


def on_donation_at_hub(session: Session, event: dict) -> None:
    payload = event["payload"]
    donation = session.scalar(select(Donation).where(Donation.id == payload["donation_id"]))
    if donation is None:
        return  # erased or never ours: nothing to show
    session.add(DonationHistory(donation_id=donation.id, at=utcnow(), stage="at_hub",
                                from_status=donation.status, to_status=donation.status,
                                actor="catalog", details={"count": payload["expected_count"]}))


def _copy_news(status: str, *, with_centre: bool = True):
    """A handler that records the copy's latest known place; an older event never wins."""
    def handle(session: Session, event: dict) -> None:
        payload, at = event["payload"], event["occurred_at"]
        values = {"status": status}
        if with_centre:
            values.update({k: payload[k] for k in ("centre_code", "centre_name", "settlement", "oblast")})
        db.insert_ignoring_duplicates(session, DonationCopy.__table__, {
            "copy_code": payload["copy_code"], "donation_id": payload["donation_id"],
            "as_of": at, **values})
        copy = session.get(DonationCopy, payload["copy_code"], populate_existing=True,
                           with_for_update=True)
        if copy.as_of <= at:
            for key, value in values.items():
                setattr(copy, key, value)
            copy.as_of = at
    return handle


def on_shipment_dispatched(session: Session, event: dict) -> None:
    payload = event["payload"]
    for part in payload["donations"]:
        db.insert_ignoring_duplicates(session, DonationShipment.__table__, {
            "shipment_id": payload["shipment_id"], "donation_id": part["donation_id"],
            "count": part["count"], "dispatched_at": event["occurred_at"],
            **{k: payload[k] for k in ("centre_code", "centre_name", "settlement", "oblast")}})


def on_message_delivered(session: Session, event: dict) -> None:
    p = event["payload"]
    db.insert_ignoring_duplicates(session, DonationMessage.__table__, {
        "message_id": p["message_id"], "donation_id": p["donation_id"], "stage": p["stage"],
        "channel": p["channel"], "status": p["status"], "at": p["at"]})


def on_staff_account_changed(session: Session, event: dict) -> None:
    staff_identity.apply(session, event["payload"])


# event type → {consumer name: handler}. The names are the idempotency keys in
# `processed_events` (as `donations.<name>`): never rename one, or events handled before
# would be handled again.
HANDLERS: Handlers = {
    "catalog.staff_account_changed": {"on_staff_account_changed": on_staff_account_changed},
    "catalog.donation_at_hub": {"on_donation_at_hub": on_donation_at_hub},
    "catalog.copy_catalogued": {"on_copy_catalogued": _copy_news("catalogued", with_centre=False)},
    "catalog.copy_withdrawn": {"on_copy_withdrawn": _copy_news("withdrawn", with_centre=False)},
    "catalog.shipment_dispatched": {"on_shipment_dispatched": on_shipment_dispatched},
    "catalog.copy_shelved": {"on_copy_shelved": _copy_news("shelved")},
    "catalog.copy_moved": {"on_copy_moved": _copy_news("moved")},
    "catalog.copy_taken": {"on_copy_taken": _copy_news("taken"), "on_copy_taken_news": impact.on_copy_taken_news},
    "catalog.copy_noted": {"on_copy_noted": impact.on_copy_noted},
    "notifications.message_delivered": {"on_message_delivered": on_message_delivered},
    # The consultation assistant (services/donations/assistant/).
    "notifications.question_received": {"on_question_received": assistant_services.on_question_received},
    "catalog.needs_changed": {"on_needs_changed": assistant_services.on_needs_changed},
}
