"""The donor's tracking page learns where the copies went from catalog's events, in any order,
each heard once."""
from __future__ import annotations

import uuid

import pytest

import services.donations.services as donation_services
from services.donations.api.track import tracking_view
from services.donations.handlers import HANDLERS
from services.donations.schemas import DonationIn
from shared.bus.consumer import handle
from tests.samples import offer, sample_envelope

KHARKIV = {"centre_code": "6341", "centre_name": "ТСЦ 6341", "settlement": "Харків", "oblast": "Харківська"}
LVIV = {"centre_code": "4641", "centre_name": "ТСЦ 4641", "settlement": "Львів", "oblast": "Львівська"}


def catalog_event(event_type: str, donation_id, **payload) -> dict:
    envelope = sample_envelope(event_type, donation_id)
    envelope["payload"].update(payload)
    return envelope


@pytest.fixture
def donation(databases, redis_client):
    return donation_services.offer_donation(DonationIn().load(offer())).donation


def test_tracking_shows_centres_with_books_on_shelves_on_the_way_and_taken(donation):
    d = donation.id
    codes = [f"K7QM4ZT9P{i}" for i in range(5)]
    catalogued = [catalog_event("catalog.copy_catalogued", d, copy_code=c) for c in codes]
    shelved_late = catalog_event("catalog.copy_shelved", d, copy_code=codes[0], **KHARKIV)
    # The shelving of copy 0 is handled before its cataloguing: the older news must not win.
    handle("donations", HANDLERS, shelved_late)
    for envelope in catalogued:
        handle("donations", HANDLERS, envelope)
    handle("donations", HANDLERS, catalog_event("catalog.copy_withdrawn", d, copy_code=codes[4]))
    dispatched = [catalog_event("catalog.shipment_dispatched", d, shipment_id=1, **KHARKIV,
                                donations=[{"donation_id": str(d), "count": 2}]),
                  catalog_event("catalog.shipment_dispatched", d, shipment_id=2, **LVIV,
                                donations=[{"donation_id": str(d), "count": 2}])]
    for envelope in dispatched + dispatched:  # redelivered: heard once
        handle("donations", HANDLERS, envelope)
    handle("donations", HANDLERS, catalog_event("catalog.copy_shelved", d, copy_code=codes[2], **LVIV))
    handle("donations", HANDLERS, catalog_event("catalog.copy_taken", d, copy_code=codes[2], **LVIV))

    from shared.codes import display
    view = tracking_view(display(donation.tracking_code), "uk", False)
    copies = view["copies"]
    assert (copies["catalogued"], copies["withdrawn"]) == (5, 1)
    assert "описали 5 книжок" in copies["text"] and "списано" in copies["text"]
    by_centre = {c["centre_code"]: c for c in copies["centres"]}
    assert (by_centre["6341"]["on_shelves"], by_centre["6341"]["on_the_way"]) == (1, 1)
    assert (by_centre["4641"]["taken"], by_centre["4641"]["on_the_way"]) == (1, 1)
    assert by_centre["6341"]["text"] == "Харків (ТСЦ 6341): на полиці — 1 книжка, в дорозі — 1 книжка"
    assert copies["oblasts"] == [
        {"oblast": "Львівська", "centres": 1, "on_shelves": 0, "on_the_way": 1, "taken": 1},
        {"oblast": "Харківська", "centres": 1, "on_shelves": 1, "on_the_way": 1, "taken": 0}]
    latin = tracking_view(display(donation.tracking_code), "uk", True)["copies"]["centres"]
    assert [c["text"] for c in latin] == [
        "Lviv (TSTs 4641): v dorozi — 1 knyzhka, u chytachiv — 1 knyzhka",
        "Kharkiv (TSTs 6341): na polytsi — 1 knyzhka, v dorozi — 1 knyzhka"]


def test_news_of_an_unknown_donation_is_kept_harmlessly(databases, redis_client):
    outcome = handle("donations", HANDLERS, catalog_event("catalog.copy_shelved", uuid.uuid4(),
                                                          copy_code="K7QM4ZT9P2", **KHARKIV))
    assert outcome is not None


def test_the_tracking_page_links_to_message_preferences_until_the_donor_is_forgotten(donation):
    from shared.codes import display
    from shared.donor_links import read_preferences_token

    code = display(donation.tracking_code)
    url = tracking_view(code, "uk", False)["preferences_url"]
    assert read_preferences_token(url.rsplit("/", 1)[1]) == str(donation.donor_id)
    donation_services.erase_donor(code)
    assert tracking_view(code, "uk", False)["preferences_url"] is None
