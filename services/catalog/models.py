"""Catalog's own tables. No donor personal data here: only donation ids and counts."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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
    # Put a copy on the shelf as soon as it arrives (no separate shelve scan).
    auto_shelve: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


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


class Title(Base):
    """A book as readers know it. Keyed by ISBN-13, or, for books without one, by the
    normalised title and authors ("t:кобзар|шевченко т")."""

    __tablename__ = "titles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    isbn: Mapped[str | None] = mapped_column(String(13), unique=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    authors: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # open_library | staff
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class IsbnLookup(Base):
    """The metadata provider's answer for an ISBN, kept so we ask once (a miss is kept too)."""

    __tablename__ = "isbn_lookups"

    isbn: Mapped[str] = mapped_column(String(13), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean, nullable=False)
    title: Mapped[str | None] = mapped_column(String(500))
    authors: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    publish_date: Mapped[str | None] = mapped_column(String(60))
    cover_url: Mapped[str | None] = mapped_column(String(500))
    fetched_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class Copy(Base):
    """One physical book with a label. `centre_code` is where it is (None: the hub);
    `destination_code` where it is being sent."""

    __tablename__ = "copies"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    title_key: Mapped[str] = mapped_column(ForeignKey("titles.key"), nullable=False, index=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    condition: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    centre_code: Mapped[str | None] = mapped_column(String(4), index=True)
    destination_code: Mapped[str | None] = mapped_column(String(4))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    catalogued_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)

    title: Mapped["Title"] = relationship(lazy="selectin")  # not joined: rows are locked FOR UPDATE


class CopyStep(Base):
    """A copy's journey, as its public page tells it."""

    __tablename__ = "copy_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    copy_code: Mapped[str] = mapped_column(ForeignKey("copies.code"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(120))


class Allocation(Base):
    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="proposed")
    created_by: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(AwareDateTime)

    items: Mapped[list["AllocationItem"]] = relationship(
        order_by="AllocationItem.copy_code", cascade="all, delete-orphan")


class AllocationItem(Base):
    __tablename__ = "allocation_items"

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), primary_key=True)
    copy_code: Mapped[str] = mapped_column(ForeignKey("copies.code"), primary_key=True)
    centre_code: Mapped[str] = mapped_column(ForeignKey("centres.code"), nullable=False)
    reasons: Mapped[str] = mapped_column(String(200), nullable=False)  # comma-separated keys


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    centre_code: Mapped[str] = mapped_column(ForeignKey("centres.code"), nullable=False, index=True)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="prepared")
    carrier_tracking: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class Inventory(Base):
    """A shelf count at a centre; closing it marks copies not seen as taken by readers."""

    __tablename__ = "inventories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    centre_code: Mapped[str] = mapped_column(ForeignKey("centres.code"), nullable=False, index=True)
    opened_by: Mapped[str] = mapped_column(String(120), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class Scan(Base):
    """Every scan, kept with its answer. `id` comes from the client (a UUID per scan), so a
    scan re-sent after the network came back gets the same answer and no second effect."""

    __tablename__ = "scans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    centre_code: Mapped[str] = mapped_column(String(4), nullable=False, index=True)
    mode: Mapped[str] = mapped_column(String(10), nullable=False)
    raw: Mapped[str] = mapped_column(String(300), nullable=False)
    copy_code: Mapped[str | None] = mapped_column(String(12), index=True)
    result: Mapped[str] = mapped_column(String(20), nullable=False)
    inventory_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(120), nullable=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class ReaderNote(Base):
    __tablename__ = "reader_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    copy_code: Mapped[str] = mapped_column(ForeignKey("copies.code"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    passing_on: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
