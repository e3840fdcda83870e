"""A publisher's CSV manifest: good files become one donation, bad ones are reported row by row."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from services.donations import manifest
from services.donations.app import create_app
from services.donations.models import Donation, DonationItem
from shared import db

OFFER = {"donor": {"kind": "publisher", "name": "Видавництво «Сміливі»", "email": "books@example.com",
                   "consent": True},
         "handover": {"kind": "pickup", "address": "вул. Складська, 3", "city": "Львів", "oblast": "Львівська"}}


@pytest.fixture
def client(databases, redis_client):
    return create_app({"TESTING": True}).test_client()


def upload(client, content: bytes | str, offer=OFFER, **headers):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post("/api/v1/donations/manifest", content_type="multipart/form-data", headers=headers,
                       data={"offer": json.dumps(offer, ensure_ascii=False),
                             "manifest": (io.BytesIO(content), "manifest.csv")})


def count(model):
    with db.session_scope("donations") as session:
        return session.scalar(select(func.count()).select_from(model))


def test_clean_manifest_with_bom_and_semicolons_becomes_one_donation(client):
    csv_text = "\ufeffisbn;title;authors;quantity\n0-306-40615-2;;;120\n;Історія України;Грушевський;80\n\n"
    response = upload(client, csv_text)
    assert response.status_code == 201, response.get_json()
    with db.session_scope("donations") as session:
        donation = session.scalar(select(Donation))
        assert donation.declared_count == 200
        items = session.scalars(select(DonationItem).order_by(DonationItem.id)).all()
        assert [(i.isbn, i.title, i.quantity) for i in items] == [
            ("9780306406157", None, 120), (None, "Історія України", 80)]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_saved(client):
    csv_text = ("isbn,title,authors,quantity\n"
                "9780306406157,Good,,5\n"
                "9780306406158,Bad checksum,,5\n"       # line 3
                ",,,4\n"                                  # line 4: no isbn, no title
                "9780306406157,Zero,,0\n"                 # line 5
                "9780306406157,Word,,many\n"              # line 6
                "9780306406157,Too,many,1,extra\n")       # line 7
    response = upload(client, csv_text)
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"].startswith("У файлі є помилки")
    rows = body["errors"]["manifest"]["rows"]
    assert [(r["line"], r["field"]) for r in rows] == [
        (3, "isbn"), (4, "title"), (5, "quantity"), (6, "quantity"), (7, "_row")]
    assert rows[0]["message"] == "Неправильний ISBN: контрольна цифра не збігається."
    assert rows[4]["message"] == "Очікували 4 значень у рядку, а є 5."
    assert count(Donation) == 0 and count(DonationItem) == 0


def test_errors_in_english(client):
    response = upload(client, "isbn,title,authors,quantity\n123,,,1\n", **{"Accept-Language": "en"})
    assert response.get_json()["errors"]["manifest"]["rows"][0]["message"] == \
        "Invalid ISBN: the check digit does not match."


@pytest.mark.parametrize("content,expected", [
    ("isbn;title\n1;2\n".encode("cp1251"), None),
    ("назва,кількість\nКобзар,1\n".encode("cp1251"), "UTF-8"),
    ("", "жодного"),
    ("title,quantity,price\nX,1,100\n", "Невідомі стовпці: price."),
    ("isbn,title,authors\n0306406152,X,Y\n", "Перший рядок"),
])
def test_unreadable_files_get_one_clear_reason(client, content, expected):
    response = upload(client, content)
    assert response.status_code == 422
    if expected:
        assert expected in response.get_json()["errors"]["manifest"][0]


def test_ten_thousand_rows_are_accepted_and_one_more_is_refused():
    rows = "".join(f"0306406152,Title {i},,1\n" for i in range(manifest.MAX_ROWS))
    items, errors = manifest.parse(("isbn,title,authors,quantity\n" + rows).encode())
    assert len(items) == manifest.MAX_ROWS and errors == []
    with pytest.raises(manifest.ManifestError):
        manifest.parse(("isbn,title,authors,quantity\n" + rows + "0306406152,One more,,1\n").encode())


def test_offer_fields_are_validated_too(client):
    response = upload(client, "title,quantity\nX,1\n", offer={"donor": {"consent": True}, "handover": {}})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "email" in errors["donor"] and "kind" in errors["handover"]


def test_missing_file(client):
    response = client.post("/api/v1/donations/manifest", content_type="multipart/form-data",
                           data={"offer": json.dumps(OFFER)})
    assert response.status_code == 422
    assert response.get_json()["errors"]["manifest"] == ["Додайте файл маніфесту (CSV)."]
