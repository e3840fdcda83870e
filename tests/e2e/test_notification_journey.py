"""Forty books travel to three centres on the running network, and their donor is told each
stage once, in Ukrainian, by e-mail (a real SMTP server on loopback); a second donor who asked
for Latin letters gets SMS through the gateway, with their segments counted."""
from __future__ import annotations

import pytest
import requests

from services.notifications.sms_segments import measure
from shared.testing import wait_for
from shared.testing.network import stays
from tests.e2e.catalog_steps import (
    allocate_and_dispatch,
    bearer,
    catalogue,
    centre_token,
    collected_donation,
    only_these_shelves,
    scan,
)
from tests.samples import offer

pytestmark = pytest.mark.e2e
SHELVES = {"1452": 15, "6341": 15, "4641": 15}  # Kramatorsk, Kharkiv, Lviv


def letters(smtp_server, address: str) -> list:
    return smtp_server.mailbox.to(address)


def test_forty_books_three_centres_one_email_per_stage(network, logistics_token, admin_token, smtp_server):
    only_these_shelves(network, admin_token, SHELVES)
    email = "olena.forty@example.com"
    donor = {"kind": "citizen", "name": "Олена", "email": email, "consent": True}
    donation = collected_donation(network, logistics_token,
                                  [{"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": 40}],
                                  collected=40, donor=donor)
    catalogue(network, logistics_token, donation["id"],
              [{"title": f"Книжка {i}", "authors": "Автор"} for i in range(40)])
    shipments = allocate_and_dispatch(network, logistics_token, [donation["id"]])
    assert set(shipments) == set(SHELVES)
    for centre, shipment in shipments.items():
        token = centre_token(centre)
        for copy in shipment["copies"]:
            assert scan(network, token, centre, copy["code"], "shelve")["result"] == "shelved"

    expected = ["Дякуємо за книжки!", "Книжки вже в дорозі", "Книжки описали в хабі", "40 книжок вже на полицях"]
    got = wait_for(lambda: (lambda s: s if len(s) >= 4 else None)(
        [m["Subject"] for m in letters(smtp_server, email)]), timeout=60, message="four letters")
    assert sorted(got) == sorted(expected)
    shelves = next(m for m in letters(smtp_server, email) if m["Subject"] == expected[-1])
    text = shelves.get_body(("plain",)).get_content()
    assert text.startswith("40 книжок з ваших 40 уже на полицях у 3 центрах: ")
    for settlement in ("Краматорськ", "Харків", "Львів"):
        assert settlement in text
    assert f"/track/{donation['tracking_code']}" in text and shelves["List-Unsubscribe"]
    # Nothing more comes once the windows have closed: one letter per stage.
    wait_for(lambda: requests.get(f"{network.url('notifications')}/api/v1/notices",
                                  params={"donation_id": donation["id"]}, headers=bearer(admin_token),
                                  timeout=5).json()[-1]["status"] != "pending", timeout=30)
    assert stays(lambda: sorted(m["Subject"] for m in letters(smtp_server, email)) == sorted(expected), 3)

    # The donor's tracking page lists what we sent.
    def told():
        body = requests.get(f"{network.url('donations')}/api/v1/track/{donation['tracking_code']}",
                            timeout=5).json()
        return body if len(body.get("messages", [])) == 4 else None

    body = wait_for(told, timeout=30, interval=2.5, message="the tracking page lists the messages")
    assert {m["channel"] for m in body["messages"]} == {"email"}
    assert all(m["status"] == "sent" for m in body["messages"])


def test_latin_sms_donor_gets_kmu55_text_with_segments(network, logistics_token, admin_token, sms_gateway):
    phone = "+380671234599"
    body = offer(donor={"kind": "citizen", "phone": "067 123 45 99", "latin": True, "consent": True},
                 items=[{"title": "Зачарована Десна", "authors": "Олександр Довженко", "quantity": 2}])
    created = requests.post(f"{network.url('donations')}/api/v1/donations", json=body, timeout=10).json()
    requests.post(f"{network.url('donations')}/api/v1/donations/{created['id']}/collection",
                  json={"collected_count": 2}, headers=bearer(logistics_token), timeout=10)

    def texts():
        mine = [m["Body"] for m in sms_gateway.sent if m["To"] == phone]
        return mine if len(mine) >= 2 else None

    sent = wait_for(texts, timeout=30, message="two SMS")
    assert any(t.startswith("Diakuiemo! My otrymaly vashu propozytsiiu: 2 knyzhky.") for t in sent)
    assert any(t.startswith("My zabraly 2 knyzhky.") for t in sent)
    assert all(measure(t).encoding == "GSM-7" for t in sent)
    log = requests.get(f"{network.url('notifications')}/api/v1/messages", params={"donation_id": created["id"]},
                       headers=bearer(admin_token), timeout=5).json()
    by_stage = {m["stage"]: m for m in log}
    for text in sent:
        stage = "offered" if text.startswith("Diakuiemo") else "collected"
        assert by_stage[stage]["channel"] == "sms" and by_stage[stage]["encoding"] == "GSM-7"
        assert by_stage[stage]["segments"] == measure(text).segments
