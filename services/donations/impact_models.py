"""Donations' tables for donors' feedback and readers' news about their books."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.donations.models import Base
from shared.models import AwareDateTime, BigId


class DonationFeedback(Base):
    """'Was this useful?' for one message stage of a donation, or its tracking page
    (stage 'tracking'). The latest answer stands; the comment is erased with the donor."""

    __tablename__ = "donation_feedback"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    useful: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class DonationReaderNews(Base):
    """A reader took one of the donation's copies, or wrote about it (catalog's events)."""

    __tablename__ = "donation_reader_news"
    __table_args__ = (Index("ix_donation_reader_news_donation", "donation_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    copy_code: Mapped[str] = mapped_column(String(12), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # taken | noted
    text: Mapped[str | None] = mapped_column(Text)
    passing_on: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)
