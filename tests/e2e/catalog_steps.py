"""Steps of a book's life over HTTP on the running network, shared by end-to-end and browser
tests: a collected donation, its intake at the hub, and shipments to shelves."""
from __future__ import annotations

import requests
from sqlalchemy import update

from services.catalog.models import Centre
from shared import db
from shared.testing import wait_for
from tests.samples import offer

SHELVES = {"6341": 2, "4641": 2, "5141": 2}  # Kharkiv, Lviv, Odesa: two books each


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def centre_token(code: str, name: str | None = None) -> str:
    from tests.staff import staff_token

    return staff_token(name or f"staff-{code}", "centre_staff", code)


def only_these_shelves(network, admin_token: str, shelves: dict[str, int] = SHELVES) -> None:
    """Start from no shelves (the demo seed has twenty), then the admin opens these."""
    with db.session_scope("catalog") as session:
        session.execute(update(Centre).values(has_shelf=False, shelf_capacity=None,
                                              shelf_source="unknown", auto_shelve=False))
    for code, capacity in shelves.items():
        opened = requests.post(f"{network.url('catalog')}/api/v1/centres/{code}/shelf",
                               json={"capacity": capacity}, headers=bearer(admin_token), timeout=10)
        assert opened.status_code == 201, opened.text


def collected_donation(network, logistics_token: str, items: list[dict], collected: int,
                       **offer_overrides) -> dict:
    """A citizen offers books, logistics collect them, and the hub has heard of it."""
    donations = network.url("donations")
    created = requests.post(f"{donations}/api/v1/donations", json=offer(items=items, **offer_overrides),
                            timeout=10)
    assert created.status_code == 201, created.text
    donation = created.json()
    collected_ = requests.post(f"{donations}/api/v1/donations/{donation['id']}/collection",
                               json={"collected_count": collected}, headers=bearer(logistics_token),
                               timeout=10)
    assert collected_.status_code == 200, collected_.text

    def at_hub():
        response = requests.get(f"{network.url('catalog')}/api/v1/intake/{donation['id']}",
                                headers=bearer(logistics_token), timeout=5)
        return response.json() if response.status_code == 200 and response.json()["status"] == "at_hub" else None

    wait_for(at_hub, timeout=30, message="the hub hears of the collected donation")
    return donation


def catalogue(network, logistics_token: str, donation_id: str, copies: list[dict]) -> dict:
    response = requests.post(f"{network.url('catalog')}/api/v1/intake/{donation_id}/copies",
                             json={"copies": copies}, headers=bearer(logistics_token), timeout=20)
    assert response.status_code == 201, response.text
    return response.json()


def allocate_and_dispatch(network, logistics_token: str, donation_ids: list[str]) -> dict[str, dict]:
    """Propose, accept, dispatch. Centre code → its shipment (with the copies in it)."""
    catalog = network.url("catalog")
    proposal = requests.post(f"{catalog}/api/v1/allocations", json={"donation_ids": donation_ids},
                             headers=bearer(logistics_token), timeout=20)
    assert proposal.status_code == 201, proposal.text
    accepted = requests.post(f"{catalog}/api/v1/allocations/{proposal.json()['id']}/acceptance",
                             headers=bearer(logistics_token), timeout=20)
    assert accepted.status_code == 201, accepted.text
    shipments = {}
    for shipment in accepted.json()["shipments"]:
        sent = requests.post(f"{catalog}/api/v1/shipments/{shipment['id']}/dispatch",
                             json={"carrier_tracking": "20450000000000"},
                             headers=bearer(logistics_token), timeout=10)
        assert sent.status_code == 200, sent.text
        shipments[shipment["centre_code"]] = sent.json()
    return shipments


def scan(network, token: str, centre: str, code: str, mode: str = "arrival") -> dict:
    response = requests.post(f"{network.url('catalog')}/api/v1/centres/{centre}/scans",
                             json={"code": code, "mode": mode}, headers=bearer(token), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
