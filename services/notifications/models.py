"""Notifications' own tables: donor contacts (personal data) and what each donor must be told."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, String, UniqueConstraint, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.models import AwareDateTime, BigId, utcnow


class Base(DeclarativeBase):
    pass


class Contact(Base):
    __tablename__ = "contacts"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    tracking_code: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="uk")
    latin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    channels: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class Notice(Base):
    """A stage of a donation the donor must hear of: at most one per donation and stage.

    The delivery log reads these; sending them on the donor's channels is the
    delivery worker's job (issue 5), which marks them sent.
    """

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("donation_id", "stage", name="uq_notice_stage"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(80), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    channel: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class ErasedDonor(Base):
    """Donors who asked to be forgotten: their id only, so a contact event that arrives
    late (the bus does not promise order) is not stored again."""

    __tablename__ = "erased_donors"

    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
