"""Catalog at the hub and at the centres, through its HTTP API on PostgreSQL and SQLite:
intake and labels, allocation and shipments, every scan answer, counts, readers' notes."""
from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from services.catalog.app import create_app
from services.catalog.handlers import HANDLERS
from services.catalog.models import Centre, Copy
from shared import db
from shared.bus.consumer import handle
from shared.events import load_envelope
from shared.models import OutboxEvent
from shared.testing.standin import StandInServer
from tests.conftest import auth
from tests.samples import sample_envelope
from tests.standins import OpenLibraryStandIn

KHARKIV, LVIV, ODESA = "6341", "4641", "5141"


@pytest.fixture
def client(seeded_centres, redis_client, monkeypatch):
    monkeypatch.setenv("OPEN_LIBRARY_URL", "off")
    with db.session_scope("catalog") as session:
        session.execute(update(Centre).values(has_shelf=False, shelf_capacity=None))
        for code, capacity in ((KHARKIV, 3), (LVIV, 3), (ODESA, 3)):
            centre = session.get(Centre, code)
            centre.has_shelf, centre.shelf_capacity, centre.visitors_per_year = True, capacity, 10_000
    return create_app({"TESTING": True}).test_client()


@pytest.fixture
def staff(tokens):
    from tests.staff import make_staff

    return {**tokens, "kharkiv": make_staff("iryna", "centre_staff", KHARKIV),
            "lviv": make_staff("marta", "centre_staff", LVIV)}


def at_hub(collected: int = 3) -> uuid.UUID:
    """A donation catalog heard of: offered, then collected."""
    donation_id = uuid.uuid4()
    for event_type in ("donations.donation_offered", "donations.donation_collected"):
        envelope = sample_envelope(event_type, donation_id)
        if event_type == "donations.donation_collected":
            envelope["payload"]["collected_count"] = collected
        handle("catalog", HANDLERS, envelope)
    return donation_id


def events(event_type: str) -> list[dict]:
    with db.session_scope("catalog") as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)
                               .order_by(OutboxEvent.id)).all()
        return [load_envelope(r.envelope)["payload"] for r in rows]


def catalogue(client, staff, donation_id, copies):
    return client.post(f"/api/v1/intake/{donation_id}/copies", json={"copies": copies},
                       headers=auth(staff["logistics"]))


BOOKS = [{"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": 2},
         {"title": "Тигролови", "authors": "Іван Багряний"},
         {"title": "Місто", "authors": "Валер'ян Підмогильний", "condition": "damaged"}]


def test_intake_gives_codes_reconciles_counts_and_withdraws_damaged(client, staff):
    donation = at_hub(collected=3)
    response = catalogue(client, staff, donation, BOOKS)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["collected_count"], body["catalogued_count"], body["withdrawn_count"]) == (3, 4, 1)
    assert body["difference"] == 1  # one more than collected: shown, not hidden
    codes = [c["code"] for c in body["created"]]
    assert len(set(codes)) == 4 and all(len(c) == 11 and c[5] == "-" for c in codes)
    assert [c["status"] for c in body["created"]] == ["catalogued"] * 3 + ["withdrawn"]
    assert body["created"][0]["url"].endswith(f"/c/{codes[0]}")
    assert len(events("catalog.copy_catalogued")) == 4
    assert [e["reason"] for e in events("catalog.copy_withdrawn")] == ["damaged"]
    # The same title typed differently is one title.
    catalogue(client, staff, donation, [{"title": "  кобзар ", "authors": "ТАРАС ШЕВЧЕНКО"}])
    with db.session_scope("catalog") as session:
        keys = {c.title_key for c in session.scalars(select(Copy))}
    assert len(keys) == 3


def test_intake_refuses_unknown_donation_and_bad_entries_without_writing(client, staff):
    assert catalogue(client, staff, uuid.uuid4(), BOOKS).status_code == 404
    donation = at_hub()
    response = catalogue(client, staff, donation, [{"isbn": "978-0-306-40615-8"}, {"quantity": 0}])
    assert response.status_code == 422
    errors = response.json["errors"]["copies"]
    assert "контрольна цифра" in errors["0"]["isbn"][0]
    assert set(errors["1"]) == {"quantity"}
    # An ISBN with no provider to ask: the title must be typed by hand, nothing is saved.
    response = catalogue(client, staff, donation, [{"isbn": "9780306406157"}])
    assert response.status_code == 422
    assert "вручну" in response.json["errors"]["copies"]["0"]["title"][0]
    assert events("catalog.copy_catalogued") == []
    assert catalogue(client, staff, donation, [{"isbn": "9780306406157", "title": "Signals"}]).status_code == 201
    assert client.post(f"/api/v1/intake/{donation}/copies", json={"copies": BOOKS},
                       headers=auth(staff["kharkiv"])).status_code == 403


def test_titles_come_from_the_provider_once_and_nothing_blocks_when_it_is_away(client, staff, monkeypatch):
    stand_in = OpenLibraryStandIn()
    with StandInServer(stand_in) as server:
        monkeypatch.setenv("OPEN_LIBRARY_URL", server.url)
        donation = at_hub()
        looked = client.get("/api/v1/titles/0-306-40615-2", headers=auth(staff["logistics"])).json
        assert (looked["status"], looked["title"]) == ("found", "Signals and systems: an introduction")
        response = catalogue(client, staff, donation, [{"isbn": "9780306406157", "quantity": 2}])
        assert response.json["created"][0]["title"] == "Signals and systems: an introduction"
        assert len(server.received) == 1  # cached: asked once
        stand_in.down = True
        looked = client.get("/api/v1/titles/9789660359291", headers=auth(staff["logistics"])).json
        assert looked["status"] == "unavailable" and "вручну" in looked["message"]
        response = catalogue(client, staff, donation, [{"isbn": "9789660359291", "title": "Кобзар"}])
        assert response.status_code == 201


def test_label_sheet_has_every_shelf_copy(client, staff):
    donation = at_hub()
    created = catalogue(client, staff, donation, BOOKS).json["created"]
    response = client.get(f"/api/v1/intake/{donation}/labels", headers=auth(staff["logistics"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for copy in created[:3]:
        assert copy["code"] in text
    assert created[3]["code"] not in text  # withdrawn: no label


def allocate_and_ship(client, staff, donation_ids=None):
    proposal = client.post("/api/v1/allocations", json={"donation_ids": donation_ids},
                           headers=auth(staff["logistics"]))
    assert proposal.status_code == 201, proposal.json
    accepted = client.post(f"/api/v1/allocations/{proposal.json['id']}/acceptance",
                           headers=auth(staff["logistics"]))
    assert accepted.status_code == 201, accepted.json
    for shipment in accepted.json["shipments"]:
        dispatched = client.post(f"/api/v1/shipments/{shipment['id']}/dispatch",
                                 json={"carrier_tracking": "NP-20450000000000"},
                                 headers=auth(staff["logistics"]))
        assert dispatched.status_code == 200 and dispatched.json["status"] == "in_transit"
    return proposal.json, accepted.json["shipments"]


def test_allocation_spreads_titles_and_becomes_one_shipment_per_centre(client, staff):
    donation = at_hub(collected=6)
    catalogue(client, staff, donation, [{"title": "Кобзар", "authors": "Шевченко", "quantity": 3},
                                        {"title": "Енеїда", "authors": "Котляревський", "quantity": 3}])
    proposal, shipments = allocate_and_ship(client, staff)
    assert proposal["copy_count"] == 6 and proposal["unplaced"] == []
    assert {c["centre_code"] for c in proposal["centres"]} == {KHARKIV, LVIV, ODESA}
    assert all(c["count"] == 2 for c in proposal["centres"])  # each centre: one of each title
    assert all(copy["reason"] for c in proposal["centres"] for copy in c["copies"])
    assert len(shipments) == 3
    [dispatched] = [e for e in events("catalog.shipment_dispatched") if e["centre_code"] == KHARKIV]
    assert dispatched["donations"] == [{"donation_id": str(donation), "count": 2}] or \
        dispatched["donations"][0]["count"] == 2
    # Nothing left to allocate; an accepted allocation cannot be accepted again.
    assert client.post("/api/v1/allocations", json={}, headers=auth(staff["logistics"])).status_code == 409
    assert client.post(f"/api/v1/allocations/{proposal['id']}/acceptance",
                       headers=auth(staff["logistics"])).status_code == 409


def test_logistics_edit_a_proposal_within_capacity(client, staff):
    donation = at_hub(collected=4)
    created = catalogue(client, staff, donation, [{"title": "Кобзар", "authors": "Шевченко",
                                                   "quantity": 4}]).json["created"]
    proposal = client.post("/api/v1/allocations", json={}, headers=auth(staff["logistics"])).json
    assert proposal["copy_count"] == 4

    def in_kharkiv(view):
        return [c["code"] for c in view["centres"] if c["centre_code"] == KHARKIV for c in c["copies"]]

    answers = []
    for copy in [c for c in created if c["code"] not in in_kharkiv(proposal)]:
        answers.append(client.put(f"/api/v1/allocations/{proposal['id']}/copies/{copy['code']}",
                                  json={"centre_code": KHARKIV}, headers=auth(staff["logistics"])))
    # Kharkiv has room for 3: moving the fourth copy there is refused, the others are moved.
    assert [a.status_code for a in answers][-1] == 409 and KHARKIV in answers[-1].json["message"]
    assert all(a.status_code == 200 for a in answers[:-1])
    view = client.get(f"/api/v1/allocations/{proposal['id']}", headers=auth(staff["logistics"])).json
    assert len(in_kharkiv(view)) == 3
    refused = answers[-1].request.path.rsplit("/", 1)[1]
    kept = client.put(f"/api/v1/allocations/{proposal['id']}/copies/{refused}",
                      json={"centre_code": None}, headers=auth(staff["logistics"]))
    assert kept.json["copy_count"] == 3


def scan(client, token, centre, code, mode="arrival", scan_id=None, lang="uk"):
    body = {"code": code, "mode": mode}
    if scan_id:
        body["scan_id"] = scan_id
    return client.post(f"/api/v1/centres/{centre}/scans", json=body,
                       headers={**auth(token), "Accept-Language": lang})


def shipped(client, staff) -> dict[str, tuple[list[str], int]]:
    """Nine books catalogued, allocated and dispatched: three to each shelf.
    Centre → (copy codes, shipment id)."""
    donation = at_hub(collected=9)
    catalogue(client, staff, donation, [{"title": f"Книжка {i}", "authors": "Автор"} for i in range(9)])
    _, shipments = allocate_and_ship(client, staff)
    return {s["centre_code"]: ([c["code"] for c in s["copies"]], s["id"]) for s in shipments}


def shipped_to(client, staff, centre_code):
    return shipped(client, staff)[centre_code]


def test_arrival_scans_answer_with_one_word_each(client, staff):
    sent = shipped(client, staff)
    codes_, lviv_codes = sent[KHARKIV][0], sent[LVIV][0]
    first = scan(client, staff["kharkiv"], KHARKIV, codes_[0])
    assert first.json["result"] == "received" and "Отримано" in first.json["message"]
    again = scan(client, staff["kharkiv"], KHARKIV, codes_[0])
    assert again.json["result"] == "already_received"
    pasted = scan(client, staff["kharkiv"], KHARKIV, f"https://knyhy.example/c/{codes_[1].lower()}")
    assert pasted.json["result"] == "received"
    unknown = scan(client, staff["kharkiv"], KHARKIV, "ZZZZZ-ZZZZZ", lang="en")
    assert unknown.json["result"] == "unknown" and "no such code" in unknown.json["message"]
    misrouted = scan(client, staff["kharkiv"], KHARKIV, lviv_codes[0])
    assert misrouted.json["result"] == "misrouted" and LVIV in misrouted.json["message"]
    assert [e["centre_code"] for e in events("catalog.copy_arrived")] == [KHARKIV, KHARKIV]
    [alert] = events("catalog.copy_misrouted")
    assert (alert["centre_code"], alert["expected_centre_code"]) == (KHARKIV, LVIV)
    listed = client.get(f"/api/v1/centres/{KHARKIV}/misrouted", headers=auth(staff["kharkiv"])).json
    assert [c["code"] for c in listed] == [lviv_codes[0]]
    kept = client.post(f"/api/v1/centres/{KHARKIV}/misrouted/{lviv_codes[0]}", json={"decision": "keep"},
                       headers=auth(staff["kharkiv"]))
    assert kept.json["status"] == "received" and kept.json["centre_code"] == KHARKIV
    # Another centre's staff may not scan here.
    assert scan(client, staff["lviv"], KHARKIV, codes_[2]).status_code == 403


def test_a_rescanned_scan_id_has_no_second_effect(client, staff):
    codes_, _ = shipped_to(client, staff, KHARKIV)
    scan_id = str(uuid.uuid4())
    first = scan(client, staff["kharkiv"], KHARKIV, codes_[0], mode="shelve", scan_id=scan_id)
    resent = scan(client, staff["kharkiv"], KHARKIV, codes_[0], mode="shelve", scan_id=scan_id)
    assert first.json["result"] == resent.json["result"] == "shelved"
    assert resent.json["replayed"] is True
    assert len(events("catalog.copy_shelved")) == 1 and len(events("catalog.copy_arrived")) == 1
    reused = scan(client, staff["kharkiv"], KHARKIV, codes_[1], scan_id=scan_id)
    assert reused.status_code == 409


def test_shelving_inventory_and_closing(client, staff):
    codes_, shipment_id = shipped_to(client, staff, KHARKIV)
    assert scan(client, staff["kharkiv"], KHARKIV, codes_[0]).json["result"] == "received"
    assert scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve").json["result"] == "shelved"
    assert scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve").json["result"] == "already_shelved"
    assert scan(client, staff["kharkiv"], KHARKIV, codes_[1], "shelve").json["result"] == "shelved"
    # codes_[2] never arrives: closing the shipment says so.
    closed = client.post(f"/api/v1/shipments/{shipment_id}/closing", headers=auth(staff["kharkiv"]))
    assert closed.status_code == 200 and [c["code"] for c in closed.json["missing"]] == [codes_[2]]
    assert closed.json["received_count"] == 2
    counted = scan(client, staff["kharkiv"], KHARKIV, codes_[0], "inventory")
    assert counted.json["result"] == "counted" and counted.json["inventory"]["counted"] == 1
    assert scan(client, staff["kharkiv"], KHARKIV, codes_[0], "inventory").json["inventory"]["counted"] == 1
    closing = client.post(f"/api/v1/centres/{KHARKIV}/inventory/closing", headers=auth(staff["kharkiv"]))
    assert closing.status_code == 200 and closing.json["taken"] == [codes_[1]]
    [taken] = events("catalog.copy_taken")
    assert taken["centre_code"] == KHARKIV
    assert client.post(f"/api/v1/centres/{KHARKIV}/inventory/closing",
                       headers=auth(staff["kharkiv"])).status_code == 404
    # The copy the closed shipment listed as missing turns up after all: it is received.
    late = scan(client, staff["kharkiv"], KHARKIV, codes_[2])
    assert late.json["result"] == "received" and len(events("catalog.copy_arrived")) == 3


def test_a_copy_read_and_brought_to_another_centre_moves_there(client, staff):
    codes_, _ = shipped_to(client, staff, KHARKIV)
    scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve")
    moved = scan(client, staff["lviv"], LVIV, codes_[0], "shelve")
    assert moved.json["result"] == "shelved" and "іншого центру" in moved.json["message"]
    [event] = events("catalog.copy_moved")
    assert (event["from_centre_code"], event["centre_code"]) == (KHARKIV, LVIV)


def test_auto_shelving_centre_shelves_on_arrival(client, staff):
    response = client.patch(f"/api/v1/centres/{KHARKIV}", json={"auto_shelve": True},
                            headers=auth(staff["admin"]))
    assert response.status_code == 200 and response.json["auto_shelve"] is True
    codes_, _ = shipped_to(client, staff, KHARKIV)
    answer = scan(client, staff["kharkiv"], KHARKIV, codes_[0])
    assert answer.json["result"] == "received" and answer.json["copy"]["status"] == "shelved"
    assert len(events("catalog.copy_shelved")) == 1


def test_admin_opens_shelves_and_weighs_oblasts(client, staff):
    opened = client.post("/api/v1/centres/8041/shelf", json={"capacity": 80}, headers=auth(staff["admin"]))
    assert opened.status_code == 201 and opened.json["has_shelf"] and opened.json["shelf_capacity"] == 80
    assert events("catalog.shelf_opened")[0]["centre_code"] == "8041"
    assert client.post("/api/v1/centres/8041/shelf", json={"capacity": 80},
                       headers=auth(staff["admin"])).status_code == 409
    assert client.post("/api/v1/centres/8041/shelf", json={"capacity": 80},
                       headers=auth(staff["logistics"])).status_code == 403
    bad = client.patch("/api/v1/centres/8041", json={"shelf_capacity": 0}, headers=auth(staff["admin"]))
    assert bad.status_code == 422 and "shelf_capacity" in bad.json["errors"]
    weight = client.put("/api/v1/oblasts/Сумська/priority", json={"weight": 3},
                        headers=auth(staff["admin"]))
    assert weight.status_code == 200 and weight.json == {"oblast": "Сумська", "weight": 3.0, "source": "admin"}
    assert client.put("/api/v1/oblasts/Атлантида/priority", json={"weight": 3},
                      headers=auth(staff["admin"])).status_code == 404
    codes_, _ = shipped_to(client, staff, KHARKIV)
    scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve")
    below = client.patch(f"/api/v1/centres/{KHARKIV}", json={"shelf_capacity": 1}, headers=auth(staff["admin"]))
    assert below.status_code == 409 and f"вже {len(codes_)}" in below.json["message"]


def test_copy_page_tells_the_journey_and_takes_a_clean_note(client, staff, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_NOTES", "2/hour")
    codes_, _ = shipped_to(client, staff, KHARKIV)
    scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve")
    page = client.get(f"/api/v1/copies/{codes_[0].lower()}").json
    assert page["from"] == {"donor_kind": "citizen", "city": "Харків"}
    assert [s["kind"] for s in page["journey"]] == ["catalogued", "dispatched", "received", "shelved"]
    assert page["centre"]["code"] == KHARKIV
    note = client.post(f"/api/v1/copies/{codes_[0]}/notes",
                       json={"text": "<b>Дуже</b> <script>alert(1)</script>раджу!", "passing_on": True})
    assert note.status_code == 201 and note.json["text"] == "Дуже alert(1)раджу!"
    assert events("catalog.copy_noted")[0]["passing_on"] is True
    assert client.post(f"/api/v1/copies/{codes_[0]}/notes", json={"text": "<i></i>"}).status_code == 422
    assert client.get("/api/v1/copies/ZZZZZ-ZZZZZ").status_code == 404
    assert client.post(f"/api/v1/copies/{codes_[0]}/notes", json={"text": "ще"}).status_code == 429


def test_two_proposals_cannot_overfill_a_shelf(client, staff):
    first, second = at_hub(collected=9), at_hub(collected=9)
    for donation in (first, second):
        catalogue(client, staff, donation, [{"title": f"Том {i}", "authors": "Автор"} for i in range(9)])
    a = client.post("/api/v1/allocations", json={"donation_ids": [str(first)]}, headers=auth(staff["logistics"])).json
    b = client.post("/api/v1/allocations", json={"donation_ids": [str(second)]}, headers=auth(staff["logistics"])).json
    assert a["copy_count"] == b["copy_count"] == 9  # each alone fits the three shelves of three
    assert client.post(f"/api/v1/allocations/{a['id']}/acceptance", headers=auth(staff["logistics"])).status_code == 201
    refused = client.post(f"/api/v1/allocations/{b['id']}/acceptance", headers=auth(staff["logistics"]))
    assert refused.status_code == 409 and "немає стільки місця" in refused.json["message"]
    edited = client.put(f"/api/v1/allocations/{a['id']}/copies/{a['centres'][0]['copies'][0]['code']}",
                        json={"centre_code": None}, headers=auth(staff["logistics"]))
    assert edited.status_code == 409  # accepted: no more edits


def test_a_copy_kept_at_a_centre_that_shelves_on_arrival_is_shelved_with_its_journey_step(client, staff):
    client.patch(f"/api/v1/centres/{KHARKIV}", json={"auto_shelve": True}, headers=auth(staff["admin"]))
    lviv_codes, _ = shipped_to(client, staff, LVIV)
    assert scan(client, staff["kharkiv"], KHARKIV, lviv_codes[0]).json["result"] == "misrouted"
    kept = client.post(f"/api/v1/centres/{KHARKIV}/misrouted/{lviv_codes[0]}", json={"decision": "keep"},
                       headers=auth(staff["kharkiv"]))
    assert kept.json["status"] == "shelved"
    page = client.get(f"/api/v1/copies/{lviv_codes[0]}").json
    assert [s["kind"] for s in page["journey"]] == ["catalogued", "dispatched", "kept", "shelved"]
    assert [e["copy_code"] for e in events("catalog.copy_shelved")] == [lviv_codes[0].replace("-", "")]


def test_accepting_a_proposal_whose_copy_left_the_hub_meanwhile_is_a_409_naming_it(client, staff):
    donation = at_hub(collected=2)
    created = catalogue(client, staff, donation, [{"title": "Кобзар", "authors": "Шевченко", "quantity": 2}]).json
    proposal = client.post("/api/v1/allocations", json={}, headers=auth(staff["logistics"])).json
    stray = created["created"][0]["code"]
    assert scan(client, staff["kharkiv"], KHARKIV, stray).json["result"] == "misrouted"  # found at a centre
    refused = client.post(f"/api/v1/allocations/{proposal['id']}/acceptance", headers=auth(staff["logistics"]),
                          environ_base={"HTTP_ACCEPT_LANGUAGE": "en"})
    assert refused.status_code == 409 and stray in refused.json["message"]
    assert events("catalog.copies_allocated") == []


def test_a_misrouted_copy_scanned_at_the_centre_it_is_meant_for_is_received_there(client, staff):
    lviv_codes, shipment_id = shipped_to(client, staff, LVIV)
    assert scan(client, staff["kharkiv"], KHARKIV, lviv_codes[0]).json["result"] == "misrouted"
    # Nobody decided at Kharkiv; a driver took it on to Lviv anyway.
    arrived = scan(client, staff["lviv"], LVIV, lviv_codes[0])
    assert arrived.status_code == 200 and arrived.json["result"] == "received"
    assert (arrived.json["copy"]["status"], arrived.json["copy"]["centre_code"]) == ("received", LVIV)
    assert [e["centre_code"] for e in events("catalog.copy_arrived")] == [LVIV]
    assert client.get(f"/api/v1/centres/{KHARKIV}/misrouted", headers=auth(staff["kharkiv"])).json == []
    closed = client.post(f"/api/v1/shipments/{shipment_id}/closing", headers=auth(staff["lviv"])).json
    assert closed["received_count"] == 1


def test_a_copy_a_reader_brings_back_to_the_centre_it_was_taken_from_is_back_there(client, staff):
    codes_, _ = shipped_to(client, staff, KHARKIV)
    scan(client, staff["kharkiv"], KHARKIV, codes_[0], "shelve")
    scan(client, staff["kharkiv"], KHARKIV, codes_[1], "inventory")
    closing = client.post(f"/api/v1/centres/{KHARKIV}/inventory/closing", headers=auth(staff["kharkiv"]))
    assert closing.json["taken"] == [codes_[0]]
    back = scan(client, staff["kharkiv"], KHARKIV, codes_[0], lang="en")
    assert back.status_code == 200 and back.json["result"] == "received"
    assert back.json["copy"]["status"] == "received" and "back from a reader" in back.json["message"]
    [moved] = events("catalog.copy_moved")  # the donor's page shows it on the shelves again
    assert (moved["from_centre_code"], moved["centre_code"]) == (KHARKIV, KHARKIV)
    page = client.get(f"/api/v1/copies/{codes_[0]}").json
    assert [s["kind"] for s in page["journey"]][-2:] == ["taken", "returned"]


def test_a_copy_lost_on_the_way_that_turns_up_at_another_centre_is_misrouted_there(client, staff):
    codes_, shipment_id = shipped_to(client, staff, KHARKIV)
    closed = client.post(f"/api/v1/shipments/{shipment_id}/closing", headers=auth(staff["kharkiv"])).json
    assert len(closed["missing"]) == 3
    found = scan(client, staff["lviv"], LVIV, codes_[0])
    assert found.json["result"] == "misrouted" and KHARKIV in found.json["message"]
    [alert] = events("catalog.copy_misrouted")
    assert (alert["centre_code"], alert["expected_centre_code"]) == (LVIV, KHARKIV)
    assert events("catalog.copy_moved") == []  # no reader carried it: it never reached a shelf
    sent_on = client.post(f"/api/v1/centres/{LVIV}/misrouted/{codes_[0]}", json={"decision": "send_on"},
                          headers=auth(staff["lviv"]))
    assert sent_on.json["status"] == "in_transit" and sent_on.json["destination_code"] == KHARKIV


def test_a_proposal_emptied_by_edits_cannot_be_accepted(client, staff):
    donation = at_hub(collected=1)
    catalogue(client, staff, donation, [{"title": "Кобзар", "authors": "Шевченко"}])
    proposal = client.post("/api/v1/allocations", json={}, headers=auth(staff["logistics"])).json
    [code] = [c["code"] for centre in proposal["centres"] for c in centre["copies"]]
    client.put(f"/api/v1/allocations/{proposal['id']}/copies/{code}", json={"centre_code": None},
               headers=auth(staff["logistics"]))
    refused = client.post(f"/api/v1/allocations/{proposal['id']}/acceptance", headers=auth(staff["logistics"]))
    assert refused.status_code == 409 and "чекають на розподіл" in refused.json["message"]
    assert events("catalog.copies_allocated") == []
