"""Catalog's own tables. No donor personal data here: only donation ids and counts."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.models import AwareDateTime, BigId, utcnow


class Base(DeclarativeBase):
    pass


class Centre(Base):
    """A ТСЦ МВС. Facts we could not verify are marked by their `*_source`:
    'unknown' (no value), 'demo' (a made-up value for a laptop network), 'admin' (set by staff)."""

    __tablename__ = "centres"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    region_code: Mapped[str] = mapped_column(String(2), nullable=False)
    oblast: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    settlement: Mapped[str] = mapped_column(String(120), nullable=False)
    address: Mapped[str] = mapped_column(String(300), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    visitors_per_year: Mapped[int | None] = mapped_column(Integer)
    visitors_source: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    has_shelf: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    shelf_source: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    shelf_capacity: Mapped[int | None] = mapped_column(Integer)


class OblastPriority(Base):
    __tablename__ = "oblast_priorities"

    oblast: Mapped[str] = mapped_column(String(60), primary_key=True)
    weight: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="demo")


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class IncomingDonation(Base):
    """A donation the hub has heard of: what was offered, and later what was collected."""

    __tablename__ = "incoming_donations"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    donor_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    handover: Mapped[str] = mapped_column(String(10), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    city: Mapped[str | None] = mapped_column(String(120))
    oblast: Mapped[str | None] = mapped_column(String(60))
    declared_count: Mapped[int] = mapped_column(Integer, nullable=False)
    collected_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="offered")
    offered_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    collected_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
