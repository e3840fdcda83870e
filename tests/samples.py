"""Valid sample payloads for every event type, and a few builders for tests."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from shared.events import make_event


def sample_payload(event_type: str, donation_id: uuid.UUID | None = None) -> dict:
    donation_id = donation_id or uuid.uuid4()
    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    copy = {"copy_code": "K7QM4ZT9P2", "donation_id": donation_id}
    centre = {"centre_code": "6341", "centre_name": "ТСЦ 6341", "settlement": "Харків",
              "oblast": "Харківська"}
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
        "catalog.staff_account_changed": {
            "staff_id": 7, "name": "olha", "role": "logistics", "centre_code": None, "active": True,
            "token_version": 1, "session_version": 1, "revision": 1},
        "donations.donor_erased": {"donor_id": uuid.uuid4(), "donation_ids": [donation_id]},
        "catalog.copy_catalogued": {**copy, "title": "Кобзар", "condition": "good"},
        "catalog.copy_withdrawn": {**copy, "reason": "damaged"},
        "catalog.copies_allocated": {"allocation_id": 1, "centres": [{"centre_code": "6341", "count": 2}]},
        "catalog.shipment_dispatched": {"shipment_id": 1, **centre, "carrier_tracking": None,
                                        "donations": [{"donation_id": donation_id, "count": 2}]},
        "catalog.copy_arrived": {**copy, **centre, "shipment_id": 1},
        "catalog.copy_misrouted": {**copy, **centre, "expected_centre_code": "8041"},
        "catalog.copy_shelved": {**copy, **centre},
        "catalog.copy_taken": {**copy, **centre},
        "catalog.copy_noted": {**copy, "note": "Чудова книжка!", "passing_on": True},
        "catalog.copy_moved": {**copy, **centre, "from_centre_code": "8041"},
        "catalog.copy_sent_on": {**copy, "from_centre_code": "6341", "destination_code": "8041"},
        "catalog.shipment_closed": {"shipment_id": 1, "centre_code": "6341", "received_count": 1,
                                    "missing": ["K7QM4ZT9P2"]},
        "notifications.message_delivered": {"donation_id": donation_id, "message_id": 1, "stage": "offered",
                                             "channel": "email", "status": "sent", "at": start},
        "bus.event_dead_lettered": {"service": "catalog", "consumers": ["catalog.on_donation_offered"],
                                    "dead_event_id": str(uuid.uuid4()), "dead_event_type": "donations.donation_offered",
                                    "error": "IntegrityError: …"},
        "catalog.shelf_opened": {"centre_code": "6341", "centre_name": "ТСЦ 6341", "capacity": 100},
        "donations.feedback_given": {"donation_id": donation_id, "stage": "collected", "useful": True,
                                     "comment": "Дякую!", "at": start},
        "notifications.channels_changed": {"donor_id": uuid.uuid4(), "unsubscribed": ["sms"]},
        # the consultation assistant
        "notifications.question_received": {
            "question_id": uuid.uuid4(), "conversation_id": uuid.uuid4(), "text": "де мої книжки",
            "language_hint": "uk", "donor_id": None, "donation_ids": [], "received_at": start},
        "donations.assistant_replied": {
            "question_id": uuid.uuid4(), "channel": "telegram", "conversation_id": uuid.uuid4(), "email": None,
            "language": "uk", "text": "Надішліть код відстеження.", "kind": "answer"},
        "donations.question_asked": {
            "question_id": uuid.uuid4(), "channel": "web", "intent": "human", "language": "uk", "handed_over": True,
            "asked_at": start, "answered_at": None},
        "donations.question_answered": {
            "question_id": uuid.uuid4(), "channel": "web", "asked_at": start, "answered_at": start + timedelta(hours=1)},
        "catalog.needs_changed": {
            "digest": "0" * 64, "wish_kinds": {"children": {"uk": "дитячі книжки", "en": "children's books"}},
            "centres": [{"code": "6341", "name": "ТСЦ 6341", "settlement": "м. Харків", "oblast": "Харківська",
                         "address": "вул. Шевченка, 1", "level": "high"}],
            "oblasts": [{"oblast": "Харківська", "level": "high", "priority": True, "wishes": ["children"]}]},
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
