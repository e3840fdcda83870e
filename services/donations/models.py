"""Donations' own tables. Donor personal data lives here and nowhere else but notifications."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.models import AwareDateTime, BigId, utcnow


class Base(DeclarativeBase):
    pass


class Donor(Base):
    __tablename__ = "donors"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="uk")
    latin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    channels: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    consent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    # Grows with every change of the contact; sent as `sequence` so notifications keeps the newest.
    contact_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")


class Donation(Base):
    __tablename__ = "donations"
    __table_args__ = (Index("ix_donations_status_created", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    donor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donors.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    handover: Mapped[str] = mapped_column(String(10), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    oblast: Mapped[str | None] = mapped_column(String(60))
    declared_count: Mapped[int] = mapped_column(Integer, nullable=False)
    collected_count: Mapped[int | None] = mapped_column(Integer)
    pickup_start: Mapped[datetime | None] = mapped_column(AwareDateTime)
    pickup_end: Mapped[datetime | None] = mapped_column(AwareDateTime)
    preferred_windows: Mapped[list | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The request an Idempotency-Key was first used with: the same key with another body is refused.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)

    donor: Mapped[Donor] = relationship()
    items: Mapped[list["DonationItem"]] = relationship(order_by="DonationItem.id",
                                                       cascade="all, delete-orphan")
    history: Mapped[list["DonationHistory"]] = relationship(order_by="DonationHistory.id",
                                                            cascade="all, delete-orphan")


class DonationItem(Base):
    __tablename__ = "donation_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donations.id"), nullable=False, index=True)
    isbn: Mapped[str | None] = mapped_column(String(13))
    title: Mapped[str | None] = mapped_column(String(300))
    authors: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)


class DonationHistory(Base):
    """Every stage of a donation: who, when, why. The tracking timeline reads this."""

    __tablename__ = "donation_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("donations.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    stage: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)


class DonationCopy(Base):
    """Where one of the donation's copies is, as catalog's events tell it (no titles, no
    readers: just the centre). `as_of` keeps a late, older event from undoing a newer one."""

    __tablename__ = "donation_copies"

    copy_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    centre_name: Mapped[str | None] = mapped_column(String(200))
    settlement: Mapped[str | None] = mapped_column(String(120))
    oblast: Mapped[str | None] = mapped_column(String(60))
    as_of: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class DonationShipment(Base):
    """How many of the donation's copies left the hub in a shipment to a centre."""

    __tablename__ = "donation_shipments"

    shipment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    centre_code: Mapped[str] = mapped_column(String(4), nullable=False)
    centre_name: Mapped[str] = mapped_column(String(200), nullable=False)
    settlement: Mapped[str] = mapped_column(String(120), nullable=False)
    oblast: Mapped[str] = mapped_column(String(60), nullable=False)
    dispatched_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class DonationMessage(Base):
    """A message notifications sent the donor (or failed to): stage, channel, status. No text,
    no address: the tracking page only says what we told them, when and how."""

    __tablename__ = "donation_messages"

    message_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)
