"""The donations API as clients see it: status codes, localised errors, no half-written records."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from services.donations.app import create_app
from services.donations.models import Donation, Donor
from shared import codes, db
from shared.models import OutboxEvent
from tests.conftest import auth
from tests.samples import offer


@pytest.fixture
def client(databases, redis_client):
    return create_app({"TESTING": True}).test_client()


def count(model) -> int:
    with db.session_scope("donations") as session:
        return session.scalar(select(func.count()).select_from(model))


def test_offer_gets_a_tracking_code(client):
    response = client.post("/api/v1/donations", json=offer())
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "offered"
    assert codes.is_valid(body["tracking_code"], codes.TRACKING_RANDOM_CHARS)
    uuid.UUID(body["id"])


@pytest.mark.parametrize("change,field_path,uk_text", [
    ({"items": [{"isbn": "978-0-306-40615-8"}]}, ("items", "0", "isbn"), "контрольна цифра"),
    ({"items": [{"quantity": 2}]}, ("items", "0", "title"), "ISBN або назву"),
    ({"items": []}, ("items",), None),
    ({"handover": {"kind": "dropoff", "centre_code": "9999"}}, ("handover", "centre_code"), "немає"),
    ({"handover": {"kind": "pickup"}}, ("handover", "address"), "адреса"),
    ({"donor": {"consent": True}}, ("donor", "email"), "e-mail або телефон"),
    ({"donor": {"email": "not-an-email", "consent": True}}, ("donor", "email"), "електронної пошти"),
    ({"donor": {"phone": "123", "consent": True}}, ("donor", "phone"), "телефону"),
    ({"donor": {"email": "a@example.com", "consent": False}}, ("donor", "consent"), "згода"),
    ({"items": [{"title": "X", "quantity": 0}]}, ("items", "0", "quantity"), "межами"),
    ({"surprise": 1}, ("surprise",), "Невідоме поле"),
])
def test_every_validation_error_names_the_field_in_ukrainian(client, change, field_path, uk_text):
    before = (count(Donation), count(Donor), count(OutboxEvent))
    response = client.post("/api/v1/donations", json=offer(**change))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and body["message"] == "Деякі поля заповнено неправильно."
    errors = body["errors"]
    for key in field_path:
        errors = errors[key]
    if uk_text:
        assert uk_text in " ".join(errors)
    assert (count(Donation), count(Donor), count(OutboxEvent)) == before


def test_errors_in_english_when_asked(client):
    response = client.post("/api/v1/donations", json=offer(items=[{"isbn": "0-306-40615-3"}]),
                           headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = response.get_json()
    assert body["message"] == "Some fields are not valid."
    assert body["errors"]["items"]["0"]["isbn"] == ["Invalid ISBN: the check digit does not match."]


def test_malformed_json_is_400_not_500(client):
    response = client.post("/api/v1/donations", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_too_large_body_is_413(client):
    huge = "x" * (9 * 1024 * 1024)
    response = client.post("/api/v1/donations", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["message"] == "Запит завеликий."


def test_double_submit_with_idempotency_key_returns_the_first_donation(client):
    body = offer()
    first = client.post("/api/v1/donations", json=body, headers={"Idempotency-Key": "form-123"})
    second = client.post("/api/v1/donations", json=body, headers={"Idempotency-Key": "form-123"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == second.get_json()
    assert count(Donation) == 1 and count(OutboxEvent) == 2


def test_same_donor_and_items_within_minutes_is_one_donation(client):
    """Without a key, the same offer again makes nothing new — and does not hand out the first
    one's tracking code: whoever sends it may know the donor's e-mail, not be the donor."""
    body = offer()
    first = client.post("/api/v1/donations", json=body).get_json()
    again = client.post("/api/v1/donations", json=body)
    assert again.status_code == 409 and first["tracking_code"] not in again.get_data(as_text=True)
    assert "надіслано" in again.get_json()["message"]
    assert count(Donation) == 1
    other = offer()
    assert client.post("/api/v1/donations", json=other).get_json()["id"] != first["id"]


def test_a_reused_idempotency_key_with_another_body_gets_nothing(client):
    first = client.post("/api/v1/donations", json=offer(), headers={"Idempotency-Key": "k-1"})
    stranger = client.post("/api/v1/donations", json=offer(), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and stranger.status_code == 422
    assert first.get_json()["tracking_code"] not in stranger.get_data(as_text=True)
    assert count(Donation) == 1


def test_logistics_actions_need_a_token_and_the_right_role(client, tokens):
    donation_id = client.post("/api/v1/donations", json=offer()).get_json()["id"]
    window = {"scheduled_start": "2026-12-01T10:00:00+02:00", "scheduled_end": "2026-12-01T12:00:00+02:00"}
    url = f"/api/v1/donations/{donation_id}/pickup"
    assert client.post(url, json=window).status_code == 401
    assert client.post(url, json=window, headers={"Authorization": "Bearer forged"}).status_code == 401
    forbidden = client.post(url, json=window, headers=auth(tokens["centre_staff"]))
    assert forbidden.status_code == 403 and forbidden.get_json()["message"] == "Ваша роль не дозволяє цю дію."
    assert client.post(url, json=window, headers=auth(tokens["logistics"])).status_code == 200
    assert client.post(url, json=window, headers=auth(tokens["admin"])).status_code == 200


def test_transitions_out_of_order_are_409_with_the_current_state(client, tokens):
    donation_id = client.post("/api/v1/donations", json=offer()).get_json()["id"]
    collect = f"/api/v1/donations/{donation_id}/collection"
    assert client.post(collect, json={"collected_count": 2}, headers=auth(tokens["logistics"])).status_code == 200
    again = client.post(collect, json={"collected_count": 2}, headers=auth(tokens["logistics"]))
    assert again.status_code == 409
    assert again.get_json()["message"] == "Зараз це неможливо: пожертва у стані «книжки забрали»."
    window = {"scheduled_start": "2026-12-01T10:00:00+02:00", "scheduled_end": "2026-12-01T12:00:00+02:00"}
    late = client.post(f"/api/v1/donations/{donation_id}/pickup", json=window,
                       headers={**auth(tokens["logistics"]), "Accept-Language": "en"})
    assert late.status_code == 409 and "collected" in late.get_json()["message"]


def test_window_must_end_after_it_starts(client, tokens):
    donation_id = client.post("/api/v1/donations", json=offer()).get_json()["id"]
    response = client.post(f"/api/v1/donations/{donation_id}/pickup", headers=auth(tokens["logistics"]),
                           json={"scheduled_start": "2026-12-01T12:00:00+02:00",
                                 "scheduled_end": "2026-12-01T10:00:00+02:00"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["scheduled_end"] == ["Кінець вікна має бути пізніше за початок."]


def test_unknown_donation_is_404(client, tokens):
    response = client.post(f"/api/v1/donations/{uuid.uuid4()}/collection", json={"collected_count": 1},
                           headers=auth(tokens["logistics"]))
    assert response.status_code == 404 and response.get_json()["message"] == "Пожертву не знайдено."


def test_tracking_timeline_in_plain_words(client, tokens):
    created = client.post("/api/v1/donations", json=offer()).get_json()
    collect = f"/api/v1/donations/{created['id']}/collection"
    client.post(collect, json={"collected_count": 2}, headers=auth(tokens["logistics"]))
    body = client.get(f"/api/v1/track/{created['tracking_code']}").get_json()
    assert body["status"] == "collected"
    assert [e["text"] for e in body["timeline"]] == [
        "Ми отримали вашу пропозицію: 3 книжки. Дякуємо!",
        "Книжки забрали: 2 книжки (ви пропонували 3).",
    ]
    latin = client.get(f"/api/v1/track/{created['tracking_code'].lower()}?script=latin").get_json()
    assert latin["timeline"][0]["text"] == "My otrymaly vashu propozytsiiu: 3 knyzhky. Diakuiemo!"
    english = client.get(f"/api/v1/track/{created['tracking_code']}", headers={"Accept-Language": "en"})
    assert english.get_json()["timeline"][0]["text"] == "We received your offer: 3 books. Thank you!"


def test_wrong_tracking_codes_all_get_the_same_friendly_404(client):
    code = client.post("/api/v1/donations", json=offer()).get_json()["tracking_code"]
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    unknown = codes.new_code(codes.TRACKING_RANDOM_CHARS)
    answers = [client.get(f"/api/v1/track/{c}") for c in (typo, unknown, "nonsense")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.get_data() for r in answers}) == 1


def test_tracking_is_rate_limited_per_client(client, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_TRACKING", "5/minute")
    answers = [client.get("/api/v1/track/nonsense") for _ in range(7)]
    assert [r.status_code for r in answers] == [404] * 5 + [429, 429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert "Спробуйте знову за" in answers[-1].get_json()["message"]
