import uuid

import pytest
from marshmallow import ValidationError

from shared.events import UnknownEvent, all_schemas, load_envelope, make_event


def offered_payload(**extra):
    return {"donation_id": uuid.uuid4(), "donor_kind": "citizen", "handover": "pickup",
            "centre_code": None, "city": "Київ", "oblast": "Київська", "declared_count": 2,
            "items": [{"isbn": "9780306406157", "title": None, "authors": None, "quantity": 2}],
            **extra}


def test_envelope_carries_id_type_version_time_producer_and_payload():
    event = make_event("donations.donation_offered", offered_payload(), producer="donations",
                       correlation_id="req-1")
    wire = event.to_wire()
    assert set(wire) == {"event_id", "type", "version", "occurred_at", "producer",
                         "correlation_id", "payload"}
    assert wire["version"] == 1 and wire["occurred_at"].endswith("+00:00")
    loaded = load_envelope(wire)
    assert loaded["payload"]["declared_count"] == 2


def test_producer_cannot_write_an_invalid_event():
    with pytest.raises(ValidationError):
        make_event("donations.donation_offered", offered_payload(declared_count=0), producer="donations")


def test_consumers_ignore_fields_they_do_not_know():
    wire = make_event("donations.donation_offered", offered_payload(), producer="donations").to_wire()
    wire["payload"]["added_in_a_later_release"] = "x"
    wire["something_new"] = 1
    assert "added_in_a_later_release" not in load_envelope(wire)["payload"]


def test_unknown_version_is_refused():
    wire = make_event("donations.donation_offered", offered_payload(), producer="donations").to_wire()
    wire["version"] = 99
    with pytest.raises(UnknownEvent):
        load_envelope(wire)


def test_every_schema_is_named_after_its_producer():
    for (event_type, version), schema in all_schemas().items():
        producer, _, name = event_type.partition(".")
        assert producer in ("catalog", "donations", "notifications", "bus")  # bus: from any service
        assert schema.__module__ == f"shared.events.{producer}"
        assert schema.__name__.endswith(f"V{version}")
