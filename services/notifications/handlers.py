"""What notifications does when it hears other services' events."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy.orm import Session

from services.notifications.models import Contact, Notice
from shared import db
from shared.models import utcnow


def _notice(session: Session, donation_id, stage: str, **details) -> None:
    """At most one notice per donation and stage, whatever arrives twice."""
    db.insert_ignoring_duplicates(session, Notice.__table__, {
        "donation_id": donation_id, "stage": stage, "details": details, "status": "pending",
        "created_at": utcnow()})


def on_donor_contact_changed(session: Session, event: dict) -> None:
    p = event["payload"]
    contact = session.get(Contact, p["donation_id"])
    if contact is None:
        contact = Contact(donation_id=p["donation_id"])
        session.add(contact)
    contact.donor_id = p["donor_id"]
    contact.tracking_code = p["tracking_code"]
    contact.name, contact.email, contact.phone = p["name"], p["email"], p["phone"]
    contact.language, contact.latin, contact.channels = p["language"], p["latin"], p["channels"]
    contact.updated_at = utcnow()


def on_donation_offered(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "offered", count=p["declared_count"])


def on_pickup_scheduled(session: Session, event: dict) -> None:
    p = event["payload"]
    stage = f"pickup_scheduled:{p['scheduled_start'].astimezone(timezone.utc).isoformat()}"
    _notice(session, p["donation_id"], stage, start=p["scheduled_start"].isoformat(),
            end=p["scheduled_end"].isoformat())


def on_donation_collected(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "collected", count=p["collected_count"],
            declared=p["declared_count"])


def on_donation_at_hub(session: Session, event: dict) -> None:
    p = event["payload"]
    _notice(session, p["donation_id"], "at_hub", count=p["expected_count"])


HANDLERS = {
    "donations.donor_contact_changed": (on_donor_contact_changed,),
    "donations.donation_offered": (on_donation_offered,),
    "donations.pickup_scheduled": (on_pickup_scheduled,),
    "donations.donation_collected": (on_donation_collected,),
    "catalog.donation_at_hub": (on_donation_at_hub,),
}
