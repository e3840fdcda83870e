"""A donation's books go from the hub to three shelves on the running network, and the donor's
tracking page shows where they went."""
from __future__ import annotations

import io

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import select

from shared import db
from shared.bus.subscriptions import subscribers_of
from shared.models import OutboxEvent, ProcessedEvent
from shared.testing import wait_for
from tests.e2e.catalog_steps import (
    allocate_and_dispatch,
    bearer,
    catalogue,
    centre_token,
    collected_donation,
    only_these_shelves,
    scan,
)

pytestmark = pytest.mark.e2e
KHARKIV, LVIV, ODESA = "6341", "4641", "5141"


def test_from_hub_to_shelves_and_back_to_the_donor(network, logistics_token, admin_token):
    catalog = network.url("catalog")
    only_these_shelves(network, admin_token)
    items = [{"isbn": "0-306-40615-2", "quantity": 2}, {"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": 3}]
    donation = collected_donation(network, logistics_token, items, collected=6)

    # Intake: the ISBN's title comes from Open Library (the stand-in); one book is damaged.
    intake = catalogue(network, logistics_token, donation["id"], [
        {"isbn": "9780306406157", "quantity": 2},
        {"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": 2},
        {"title": "Кобзар", "authors": "Тарас Шевченко", "condition": "damaged"}])
    assert (intake["catalogued_count"], intake["withdrawn_count"], intake["difference"]) == (5, 1, -1)
    assert intake["created"][0]["title"] == "Signals and systems: an introduction"
    shelf_codes = [c["code"] for c in intake["created"] if c["status"] == "catalogued"]

    labels = requests.get(f"{catalog}/api/v1/intake/{donation['id']}/labels",
                          headers=bearer(logistics_token), timeout=20)
    assert labels.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(labels.content)).pages)
    assert all(code in text for code in shelf_codes) and "Проскануйте" in text

    shipments = allocate_and_dispatch(network, logistics_token, [donation["id"]])
    assert set(shipments) <= {KHARKIV, LVIV, ODESA} and len(shipments) >= 2
    assert sum(s["copy_count"] for s in shipments.values()) == 4
    here, there = sorted(shipments, key=lambda c: -shipments[c]["copy_count"])[:2]
    mine = [c["code"] for c in shipments[here]["copies"]]
    theirs = [c["code"] for c in shipments[there]["copies"]]
    staff_here, staff_there = centre_token(here), centre_token(there)

    # Arrival at `here`: received, a duplicate, a copy meant for `there`, and a code nobody has.
    assert scan(network, staff_here, here, mine[0])["result"] == "received"
    assert scan(network, staff_here, here, mine[0])["result"] == "already_received"
    assert scan(network, staff_here, here, theirs[0])["result"] == "misrouted"
    assert scan(network, staff_here, here, "ABCDE-FGHJK")["result"] == "unknown"
    sent_on = requests.post(f"{catalog}/api/v1/centres/{here}/misrouted/{theirs[0]}",
                            json={"decision": "send_on"}, headers=bearer(staff_here), timeout=10)
    assert sent_on.json()["status"] == "in_transit"

    # Shelving (a copy still on its way is received and shelved in one scan).
    for code in mine:
        assert scan(network, staff_here, here, code, "shelve")["result"] == "shelved"
    for code in theirs:
        assert scan(network, staff_there, there, code, "shelve")["result"] == "shelved"

    # The count at `here` sees one copy; the other was taken home by a reader.
    assert scan(network, staff_here, here, mine[0], "inventory")["result"] == "counted"
    closed = requests.post(f"{catalog}/api/v1/centres/{here}/inventory/closing",
                           headers=bearer(staff_here), timeout=10).json()
    assert closed["taken"] == mine[1:]

    # The donor's tracking page: which centres got the books.
    def where():
        body = requests.get(f"{network.url('donations')}/api/v1/track/{donation['tracking_code']}",
                            timeout=5).json()
        centres = {c["centre_code"]: c for c in body["copies"]["centres"]}
        done = ({here, there} <= set(centres) and centres[here]["taken"] == len(mine) - 1
                and centres[there]["on_shelves"] == len(theirs))
        return body if done else None

    # Polled gently: the tracking endpoint is rate-limited per client.
    body = wait_for(where, timeout=40, interval=2.5, message="the tracking page shows the centres")
    assert body["copies"]["catalogued"] == 5 and body["copies"]["withdrawn"] == 1
    page = requests.get(f"{network.url('donations')}/track/{donation['tracking_code']}", timeout=5).text
    assert "Де ваші книжки" in page and shipments[there]["settlement"] in page and "За областями" in page

    # Every catalog event was relayed, and donations handled each of its own exactly once.
    def all_sent():  # staff accounts made by this test process are relayed by the network's sweep
        with db.session_scope("catalog") as session:
            found = list(session.scalars(select(OutboxEvent)))
        return found if all(r.status == "sent" for r in found) else None

    rows = wait_for(all_sent, timeout=40, message="every catalog event relayed")
    for_donations = {str(r.event_id) for r in rows if "donations" in subscribers_of(r.event_type)}

    def handled():
        with db.session_scope("donations") as session:
            seen = [str(e) for (e,) in session.execute(select(ProcessedEvent.event_id))]
        return for_donations <= set(seen) and seen

    seen = wait_for(handled, timeout=20, message="donations handled catalog's events")
    from services.donations.handlers import HANDLERS as DONATION_HANDLERS

    # Once per event and handler (a taken copy is news twice: where it is, and for the impact report).
    assert len([e for e in seen if e in for_donations]) == sum(
        len(DONATION_HANDLERS[r.event_type]) for r in rows if str(r.event_id) in for_donations)
