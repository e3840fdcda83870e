"""Valid sample payloads for every event type, and a few builders for tests."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from shared.events import make_event


def sample_payload(event_type: str, donation_id: uuid.UUID | None = None) -> dict:
    donation_id = donation_id or uuid.uuid4()
    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    return {
        "donations.donation_offered": {
            "donation_id": donation_id, "donor_kind": "citizen", "handover": "pickup",
            "centre_code": None, "city": "Харків", "oblast": "Харківська", "declared_count": 3,
            "items": [{"isbn": "9780306406157", "title": None, "authors": None, "quantity": 3}]},
        "donations.donor_contact_changed": {
            "donation_id": donation_id, "donor_id": uuid.uuid4(), "tracking_code": "0000-0000-0000-0",
            "name": "Олена", "email": "olena@example.com", "phone": None, "language": "uk",
            "latin": False, "channels": ["email"]},
        "donations.pickup_scheduled": {
            "donation_id": donation_id, "scheduled_start": start,
            "scheduled_end": start + timedelta(hours=2)},
        "donations.donation_collected": {
            "donation_id": donation_id, "declared_count": 3, "collected_count": 2},
        "catalog.donation_at_hub": {"donation_id": donation_id, "expected_count": 2},
        "donations.pickup_rescheduled": {
            "donation_id": donation_id, "scheduled_start": start + timedelta(days=1),
            "scheduled_end": start + timedelta(days=1, hours=2), "previous_start": start},
        "donations.pickup_failed": {"donation_id": donation_id, "reason": "Нікого не було вдома."},
        "donations.donation_cancelled": {"donation_id": donation_id, "by": "donor", "reason": None},
        "donations.donor_erased": {"donor_id": uuid.uuid4(), "donation_ids": [donation_id]},
    }[event_type]


def sample_envelope(event_type: str, donation_id: uuid.UUID | None = None) -> dict:
    producer = event_type.split(".")[0]
    return make_event(event_type, sample_payload(event_type, donation_id), producer=producer).to_wire()


def offer(**overrides) -> dict:
    body = {
        "donor": {"kind": "citizen", "name": "Олена", "email": f"olena+{uuid.uuid4().hex[:8]}@example.com",
                  "consent": True},
        "items": [{"isbn": "0-306-40615-2", "quantity": 2}, {"title": "Кобзар", "authors": "Тарас Шевченко"}],
        "handover": {"kind": "pickup", "address": "вул. Сумська, 1", "city": "Харків", "oblast": "Харківська"},
    }
    body.update(overrides)
    return body
