"""The baseline for bench/intake.py: a bare Flask + SQLAlchemy endpoint that inserts one row.

gunicorn bench.bare_flask:app  (BARE_DATABASE_URL points at its PostgreSQL database)
"""
from __future__ import annotations

import os
import uuid

from flask import Flask, request
from sqlalchemy import JSON, Column, MetaData, String, Table, Uuid, create_engine, insert

metadata = MetaData()
offers = Table("offers", metadata, Column("id", Uuid, primary_key=True), Column("email", String(320)),
               Column("body", JSON))
url = os.environ["BARE_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url, pool_size=5)
metadata.create_all(engine)
app = Flask(__name__)


@app.post("/offers")
def create_offer():
    body = request.get_json()
    offer_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(insert(offers).values(id=offer_id, email=body["donor"]["email"], body=body))
    return {"id": str(offer_id)}, 201


scans = Table("scans", metadata, Column("id", Uuid, primary_key=True), Column("centre", String(4)),
              Column("code", String(300)))
metadata.create_all(engine)


@app.post("/centres/<code>/scans")
def create_scan(code):
    """The baseline for bench/scans.py: one row per scan, nothing else."""
    body = request.get_json()
    with engine.begin() as conn:
        conn.execute(insert(scans).values(id=uuid.UUID(body["scan_id"]), centre=code, code=body["code"]))
    return {"result": "stored"}, 200
