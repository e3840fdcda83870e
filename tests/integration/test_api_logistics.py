"""Logistics and the donor's own actions: reschedule, failure, cancellation, walk-ins, board,
erasure — each with its event, its history line and its answer to a wrong move."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.donations.app import create_app
from services.donations.models import Donation, DonationHistory, Donor
from shared import db
from shared.events import load_envelope
from shared.models import OutboxEvent
from tests.conftest import auth
from tests.samples import offer

WINDOW = {"scheduled_start": "2026-12-01T10:00:00+02:00", "scheduled_end": "2026-12-01T12:00:00+02:00"}
LATER = {"scheduled_start": "2026-12-03T14:00:00+02:00", "scheduled_end": "2026-12-03T16:00:00+02:00"}


@pytest.fixture
def client(databases, redis_client):
    return create_app({"TESTING": True}).test_client()


def events(donation_id=None) -> list[dict]:
    with db.session_scope("donations") as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        found = [load_envelope(r.envelope) for r in rows]
    if donation_id:
        found = [e for e in found if str(e["payload"].get("donation_id")) == str(donation_id)]
    return found


def history(donation_id) -> list[DonationHistory]:
    donation_id = uuid.UUID(str(donation_id))
    with db.session_scope("donations") as session:
        return list(session.scalars(select(DonationHistory).where(
            DonationHistory.donation_id == donation_id).order_by(DonationHistory.id)))


def new_donation(client, **overrides) -> dict:
    response = client.post("/api/v1/donations", json=offer(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_reschedule_fail_and_schedule_again(client, tokens):
    d = new_donation(client)
    logistics = auth(tokens["logistics"])
    assert client.post(f"/api/v1/donations/{d['id']}/pickup", json=WINDOW, headers=logistics).status_code == 200
    assert client.post(f"/api/v1/donations/{d['id']}/pickup", json=LATER, headers=logistics).status_code == 200
    failed = client.post(f"/api/v1/donations/{d['id']}/pickup/failure",
                         json={"reason": "Нікого не було вдома."}, headers=logistics)
    assert failed.status_code == 200 and failed.get_json()["status"] == "pickup_failed"
    again = client.post(f"/api/v1/donations/{d['id']}/pickup", json=WINDOW, headers=logistics)
    assert again.get_json()["status"] == "pickup_scheduled"
    assert [e["type"].split(".")[1] for e in events(d["id"])] == [
        "donor_contact_changed", "donation_offered", "pickup_scheduled", "pickup_rescheduled", "pickup_failed", "pickup_rescheduled"]
    trail = history(d["id"])
    assert [h.stage for h in trail] == ["offered", "pickup_scheduled", "pickup_rescheduled",
                                        "pickup_failed", "pickup_rescheduled"]
    assert trail[3].actor == "olha" and trail[3].reason == "Нікого не було вдома."
    texts = [e["text"] for e in client.get(f"/api/v1/track/{d['tracking_code']}").get_json()["timeline"]]
    assert texts[2] == "Час вивезення змінився: приїдемо 03.12.2026 14:00–16:00 (за київським часом)."
    assert "Нікого не було вдома." in texts[3]


def test_failure_needs_a_reason(client, tokens):
    d = new_donation(client)
    client.post(f"/api/v1/donations/{d['id']}/pickup", json=WINDOW, headers=auth(tokens["logistics"]))
    response = client.post(f"/api/v1/donations/{d['id']}/pickup/failure", json={},
                           headers=auth(tokens["logistics"]))
    assert response.status_code == 422 and response.get_json()["errors"]["reason"] == ["Обов'язкове поле."]


def test_a_pickup_that_was_never_scheduled_cannot_fail(client, tokens):
    d = new_donation(client)
    response = client.post(f"/api/v1/donations/{d['id']}/pickup/failure", json={"reason": "x"},
                           headers=auth(tokens["logistics"]))
    assert response.status_code == 409
    assert response.get_json()["message"] == "Зараз це неможливо: пожертва у стані «запропоновано»."


def test_dropoff_has_no_pickup_to_schedule(client, tokens):
    d = new_donation(client, handover={"kind": "dropoff", "centre_code": "1241"})
    response = client.post(f"/api/v1/donations/{d['id']}/pickup", json=WINDOW, headers=auth(tokens["logistics"]))
    assert response.status_code == 409


def test_donor_cancels_with_the_tracking_code_staff_with_a_reason(client, tokens):
    mine = new_donation(client)
    cancelled = client.post(f"/api/v1/track/{mine['tracking_code']}/cancellation", json={})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = client.post(f"/api/v1/track/{mine['tracking_code']}/cancellation", json={})
    assert again.status_code == 409
    theirs = new_donation(client)
    url = f"/api/v1/donations/{theirs['id']}/cancellation"
    assert client.post(url, json={}, headers=auth(tokens["logistics"])).status_code == 422
    assert client.post(url, json={"reason": "Дубль"}, headers=auth(tokens["logistics"])).status_code == 200
    payloads = [e["payload"] for e in events() if e["type"] == "donations.donation_cancelled"]
    assert [(p["by"], p["reason"]) for p in payloads] == [("donor", None), ("staff", "Дубль")]


def test_collected_donation_cannot_be_cancelled(client, tokens):
    d = new_donation(client)
    client.post(f"/api/v1/donations/{d['id']}/collection", json={"collected_count": 3},
                headers=auth(tokens["logistics"]))
    response = client.post(f"/api/v1/track/{d['tracking_code']}/cancellation", json={},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 409 and response.get_json()["message"] == "Not possible now: the donation is collected."


def test_walk_in_is_registered_collected_by_that_centres_staff_only(client, tokens):
    body = {"items": [{"title": "Тіні забутих предків", "quantity": 2}, {"isbn": "0306406152"}]}
    own = client.post("/api/v1/centres/1241/walk-ins", json=body, headers=auth(tokens["centre_staff"]))
    assert own.status_code == 201 and own.get_json()["status"] == "collected"
    other = client.post("/api/v1/centres/0541/walk-ins", json=body, headers=auth(tokens["centre_staff"]))
    assert other.status_code == 403
    assert other.get_json()["message"] == "Ви можете діяти лише від імені свого центру (1241)."
    assert client.post("/api/v1/centres/1241/walk-ins", json=body).status_code == 401
    assert client.post("/api/v1/centres/1241/walk-ins", json=body, headers=auth(tokens["logistics"])).status_code == 403
    types = [e["type"] for e in events(own.get_json()["id"])]
    assert types == ["donations.donation_offered", "donations.donation_collected"]  # no contact, no contact event
    offered = events(own.get_json()["id"])[0]["payload"]
    assert offered["handover"] == "walk_in" and offered["centre_code"] == "1241" and offered["declared_count"] == 3


def test_walk_in_donor_may_leave_a_contact_with_consent(client, tokens):
    body = {"items": [{"title": "Кобзар"}], "donor": {"phone": "067 123 45 67", "consent": True}}
    response = client.post("/api/v1/centres/1241/walk-ins", json=body, headers=auth(tokens["centre_staff"]))
    assert response.status_code == 201
    contact = [e for e in events(response.get_json()["id"]) if e["type"] == "donations.donor_contact_changed"]
    assert contact[0]["payload"]["phone"] == "+380671234567" and contact[0]["payload"]["channels"] == ["sms"]
    no_consent = client.post("/api/v1/centres/1241/walk-ins", json={**body, "donor": {"phone": "0671234567"}},
                             headers=auth(tokens["centre_staff"]))
    assert no_consent.status_code == 422 and "consent" in no_consent.get_json()["errors"]["donor"]


def test_board_groups_waiting_pickups_by_oblast_and_city_oldest_first(client, tokens):
    def at(city, oblast):
        return {"kind": "pickup", "address": "вул. Тестова, 1", "city": city, "oblast": oblast}

    first = new_donation(client, handover=at("Харків", "Харківська"))
    new_donation(client, handover=at("Київ", "Київська"))
    new_donation(client, handover=at("Лозова", "Харківська"))
    new_donation(client, handover={"kind": "dropoff", "centre_code": "1241"})
    done = new_donation(client, handover=at("Харків", "Харківська"))
    client.post(f"/api/v1/donations/{done['id']}/collection", json={"collected_count": 1},
                headers=auth(tokens["logistics"]))
    assert client.get("/api/v1/donations/board", headers=auth(tokens["centre_staff"])).status_code == 403
    board = client.get("/api/v1/donations/board", headers=auth(tokens["logistics"])).get_json()
    assert [b["oblast"] for b in board] == ["Харківська", "Київська"]
    assert [c["city"] for c in board[0]["cities"]] == ["Харків", "Лозова"]
    assert board[0]["waiting"] == 2 and board[0]["cities"][0]["donations"][0]["id"] == first["id"]


def test_preferred_windows_are_kept_and_checked(client, tokens):
    windows = [{"start": "2026-12-05T09:00:00+02:00", "end": "2026-12-05T12:00:00+02:00"}]
    d = new_donation(client, handover={"kind": "pickup", "address": "a", "city": "Суми", "oblast": "Сумська",
                                       "preferred_windows": windows})
    board = client.get("/api/v1/donations/board", headers=auth(tokens["logistics"])).get_json()
    assert board[0]["cities"][0]["donations"][0]["preferred_windows"] == [
        {"start": "2026-12-05T09:00:00+02:00", "end": "2026-12-05T12:00:00+02:00"}]
    bad = client.post("/api/v1/donations", json=offer(handover={
        "kind": "pickup", "address": "a", "city": "Суми", "oblast": "Сумська",
        "preferred_windows": [{"start": "2026-12-05T12:00:00+02:00", "end": "2026-12-05T09:00:00+02:00"}]}))
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["handover"]["preferred_windows"]["0"]["end"] == [
        "Кінець вікна має бути пізніше за початок."]
    assert d["status"] == "offered"


def test_erasure_forgets_the_donor_and_keeps_the_statistics(client, tokens):
    d = new_donation(client)
    erased = client.post(f"/api/v1/track/{d['tracking_code']}/erasure")
    assert erased.status_code == 200
    assert erased.get_json()["timeline"][-1]["text"] == "Ваші ім'я та контакти видалено на ваше прохання."
    with db.session_scope("donations") as session:
        donor = session.scalar(select(Donor))
        donation = session.scalar(select(Donation))
        assert (donor.name, donor.email, donor.phone, donor.channels) == (None, None, None, [])
        assert donor.erased_at is not None and donation.address is None
        assert donation.declared_count == 3 and donation.fingerprint == "erased"
    erased_events = [e for e in events() if e["type"] == "donations.donor_erased"]
    assert len(erased_events) == 1 and erased_events[0]["payload"]["donation_ids"] == [donation.id]
    assert client.post(f"/api/v1/track/{d['tracking_code']}/erasure").status_code == 200
    assert len([e for e in events() if e["type"] == "donations.donor_erased"]) == 1
