"""Donors' 'was this useful?' and the impact report (page, PDF, shareable link), on PostgreSQL
and SQLite: one donor's books only, erasure wipes the donor's words."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import services.donations.services as donation_services
from services.donations.app import create_app
from services.donations.handlers import HANDLERS
from services.donations.schemas import DonationIn
from shared import db
from shared.bus.consumer import handle
from shared.donor_links import feedback_url, impact_token
from shared.events import load_envelope
from shared.models import OutboxEvent
from tests.samples import offer, sample_envelope

KHARKIV = {"centre_code": "6341", "centre_name": "ТСЦ 6341", "settlement": "Харків", "oblast": "Харківська"}
DONETSK = {"centre_code": "1441", "centre_name": "ТСЦ 1441", "settlement": "Краматорськ", "oblast": "Донецька"}
PUBLISHER = {"kind": "publisher", "name": "Видавництво Старого Лева", "email": "books@lev.example", "consent": True}


@pytest.fixture
def client(databases, redis_client):
    return create_app({"TESTING": True}).test_client()


def give(donor: dict, count: int = 3):
    return donation_services.offer_donation(DonationIn().load(offer(
        donor=donor, items=[{"title": "Кобзар", "authors": "Шевченко", "quantity": count}]))).donation


def news(event_type: str, donation_id, **payload) -> None:
    envelope = sample_envelope(event_type, donation_id)
    envelope["payload"].update(payload)
    handle("donations", HANDLERS, envelope)


def place_copies(donation_id, prefix: str) -> None:
    """Three copies: two on shelves (Kharkiv, Kramatorsk), one taken by a reader who wrote."""
    codes = [f"{prefix}{i}" for i in range(3)]
    for code in codes:
        news("catalog.copy_catalogued", donation_id, copy_code=code)
    news("catalog.shipment_dispatched", donation_id, shipment_id=hash(prefix) % 10_000, **KHARKIV,
         donations=[{"donation_id": str(donation_id), "count": 2}])
    news("catalog.copy_shelved", donation_id, copy_code=codes[0], **KHARKIV)
    news("catalog.copy_shelved", donation_id, copy_code=codes[1], **KHARKIV)
    news("catalog.copy_shelved", donation_id, copy_code=codes[2], **DONETSK)
    news("catalog.copy_taken", donation_id, copy_code=codes[1], **KHARKIV)
    news("catalog.copy_noted", donation_id, copy_code=codes[1], note="Прочитала за вечір!")


def feedback_events() -> list[dict]:
    with db.session_scope("donations") as session:
        return [load_envelope(r.envelope)["payload"] for r in session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "donations.feedback_given").order_by(OutboxEvent.id))]


def test_one_click_feedback_from_a_letter_and_from_the_tracking_page(client):
    donation = give({"kind": "citizen", "email": "olena@example.com", "consent": True})
    url = feedback_url(donation.id, "collected", "yes")
    path = url[url.index("/feedback/"):]
    page = client.get(path + "&lang=en")
    assert page.status_code == 200 and "Thank you for your answer" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200  # the same click again: nothing new
    assert [(e["stage"], e["useful"]) for e in feedback_events()] == [("collected", True)]
    token = path.split("/")[2].split("?")[0]
    client.post(f"/feedback/{token}", data={"answer": "no", "comment": "<b>Довго</b> чекали"})
    assert [(e["useful"], e["comment"]) for e in feedback_events()][-1] == (False, "Довго чекали")
    assert client.get("/feedback/forged-token?answer=yes").status_code == 404

    tracked = client.post(f"/track/{donation.tracking_code}/feedback", data={"answer": "yes"})
    assert tracked.status_code == 303
    html = client.get(tracked.headers["Location"]).get_data(as_text=True)
    assert 'id="feedback-answered" data-useful="yes"' in html
    api = client.post(f"/api/v1/track/{donation.tracking_code}/feedback", json={"useful": False})
    assert api.status_code == 200 and api.json["useful"] is False
    assert feedback_events()[-1]["stage"] == "tracking"

    donation_services.erase_donor(donation.tracking_code)
    from services.donations.impact_models import DonationFeedback

    with db.session_scope("donations") as session:
        kept = session.get(DonationFeedback, (donation.id, "collected"))
        assert kept.comment is None and kept.useful is False


def test_impact_report_of_a_donation_page_pdf_and_api(client):
    donation = give(PUBLISHER)
    place_copies(donation.id, "AAAAA0000")
    token = impact_token("d", donation.id)
    report = client.get(f"/api/v1/impact/{token}").json
    assert (report["catalogued"], report["on_shelves"], report["taken"]) == (3, 2, 1)
    assert (report["centres_reached"], report["oblasts_reached"]) == (2, 2)
    assert [n["text"] for n in report["notes"]] == ["Прочитала за вечір!"]
    html = client.get(f"/impact/{token}?lang=en").get_data(as_text=True)
    assert "What became of the books you gave" in html and "Прочитала за вечір!" in html
    pdf = client.get(f"/impact/{token}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Що стало з подарованими книжками: Видавництво Старого Лева" in text
    assert "взяли читачі: 1" in text and "Сервісних центрів: 2" in text and "Областей: 2" in text
    assert "Донецька" in text and "Краматорськ" in text and "Прочитала за вечір!" in text
    assert client.get("/api/v1/impact/not-a-token").status_code == 404


def test_an_organisations_report_gathers_its_donations_and_nobody_elses(client):
    first, second = give(PUBLISHER), give({**PUBLISHER, "email": "BOOKS@lev.example"}, count=4)
    stranger = give({"kind": "publisher", "name": "Інше видавництво", "email": "other@example.com", "consent": True})
    place_copies(first.id, "BBBBB0000")
    place_copies(second.id, "CCCCC0000")
    place_copies(stranger.id, "DDDDD0000")
    links = client.get(f"/track/{first.tracking_code}").get_data(as_text=True)
    org_link = re.search(r'id="impact-org-link" href="[^"]*/impact/([^"?]+)', links).group(1)
    report = client.get(f"/api/v1/impact/{org_link}").json
    assert report["kind"] == "organisation" and report["donations"] == 2
    assert (report["catalogued"], report["taken"]) == (6, 2)
    html = client.get(f"/impact/{org_link}").get_data(as_text=True)
    assert "Інше видавництво" not in html and "other@example.com" not in html
    assert "books@lev.example" not in html  # no contact is shown, even the publisher's own


def test_the_offer_form_links_to_where_books_are_needed(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert re.search(r'id="needs-link" href="http://[^"]+/needs\?lang=en"', html)
