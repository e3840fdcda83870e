"""What donations does when it hears other services' events."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.donations.models import Donation, DonationHistory
from shared.models import utcnow


def on_donation_at_hub(session: Session, event: dict) -> None:
    payload = event["payload"]
    donation = session.scalar(select(Donation).where(Donation.id == payload["donation_id"]))
    if donation is None:
        return  # erased or never ours: nothing to show
    session.add(DonationHistory(donation_id=donation.id, at=utcnow(), stage="at_hub",
                                from_status=donation.status, to_status=donation.status,
                                actor="catalog", details={"count": payload["expected_count"]}))


HANDLERS = {
    "catalog.donation_at_hub": (on_donation_at_hub,),
}
