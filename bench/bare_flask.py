"""The baselines for bench/intake.py and bench/scans.py: bare Flask + SQLAlchemy Core endpoints.

gunicorn bench.bare_flask:app  (BARE_DATABASE_URL points at its PostgreSQL database, migrated
with donations' own migrations and prepared by `prepare()` before any worker starts: the
workers never create tables, so two of them cannot race on CREATE TABLE.)

- POST /offers writes the very rows an offer writes — donor, donation, its items, its history
  row and two outbox rows — into donations' own tables, in one transaction, with no
  validation, no idempotency, no limits and no bus. The difference to bookcross is the
  price of everything bookcross does on top.
- POST /centres/<code>/scans inserts one row per scan.
"""
from __future__ import annotations

import json
import os
import secrets
import uuid
from datetime import datetime, timezone

from flask import Flask, request
from sqlalchemy import Column, MetaData, String, Table, Uuid, create_engine, insert

SCANS = Table("bare_scans", MetaData(), Column("id", Uuid, primary_key=True), Column("centre", String(4)),
              Column("code", String(300)))


def _engine(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=5)


def prepare(url: str) -> None:
    """Once, before the workers start: donations' tables and the scans table."""
    from shared.migrate import upgrade

    upgrade("donations", url)
    engine = _engine(url)
    SCANS.metadata.create_all(engine)
    engine.dispose()


app = Flask(__name__)
_engine_cache: list = []


def engine():
    if not _engine_cache:
        _engine_cache.append(_engine(os.environ["BARE_DATABASE_URL"]))
    return _engine_cache[0]


def _tables():
    from services.donations.models import Donation, DonationHistory, DonationItem, Donor
    from shared.models import OutboxEvent

    return (Donor.__table__, Donation.__table__, DonationItem.__table__, DonationHistory.__table__,
            OutboxEvent.__table__)


@app.post("/offers")
def create_offer():
    body = request.get_json()
    donors, donations, items, history, outbox = _tables()
    now = datetime.now(timezone.utc)
    donor_id, donation_id = uuid.uuid4(), uuid.uuid4()
    donor, handover = body["donor"], body["handover"]
    declared = sum(i.get("quantity", 1) for i in body["items"])
    code = secrets.token_hex(7)[:13].upper()
    with engine().begin() as conn:
        conn.execute(insert(donors).values(
            id=donor_id, kind=donor["kind"], name=donor.get("name"), email=donor.get("email"),
            phone=donor.get("phone"), language="uk", latin=False, channels=[], consent_at=now,
            created_at=now, contact_revision=1))
        conn.execute(insert(donations).values(
            id=donation_id, tracking_code=code, donor_id=donor_id, status="offered",
            handover=handover["kind"], address=handover.get("address"), city=handover.get("city"),
            oblast=handover.get("oblast"), declared_count=declared, fingerprint=uuid.uuid4().hex,
            created_at=now, updated_at=now))
        conn.execute(insert(items), [{"donation_id": donation_id, "isbn": i.get("isbn"), "title": i.get("title"),
                                      "authors": i.get("authors"), "quantity": i.get("quantity", 1)}
                                     for i in body["items"]])
        conn.execute(insert(history).values(donation_id=donation_id, at=now, stage="offered",
                                            to_status="offered", actor="donor", details={"count": declared}))
        conn.execute(insert(outbox), [{
            "event_id": event_id, "event_type": event_type, "version": 1, "occurred_at": now,
            "status": "pending", "attempts": 0, "next_attempt_at": now,
            "envelope": json.loads(json.dumps({"event_id": str(event_id), "type": event_type,
                                               "payload": payload}, default=str))}
            for event_type, event_id, payload in (
                ("donations.donor_contact_changed", uuid.uuid4(), {"donation_id": donation_id, **donor}),
                ("donations.donation_offered", uuid.uuid4(), {"donation_id": donation_id, **body}))])
    return {"id": str(donation_id), "tracking_code": code, "status": "offered"}, 201


@app.post("/centres/<code>/scans")
def create_scan(code):
    body = request.get_json()
    with engine().begin() as conn:
        conn.execute(insert(SCANS).values(id=uuid.UUID(body["scan_id"]), centre=code, code=body["code"]))
    return {"result": "stored"}, 200
