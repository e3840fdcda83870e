"""Catalog's tables for the consultation assistant (which lives in donations): what catalog last
told it about where books are needed, and the questions' response times for the reports."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.catalog.models import Base
from shared.models import AwareDateTime


class PublishedDigest(Base):
    """The digest of the last snapshot published (`catalog.needs_changed`): a tick publishes
    only when the snapshot changed."""

    __tablename__ = "assistant_published"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    published_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class ReportQuestion(Base):
    """A question to the assistant as the reports see it (no words, no asker): channel, intent,
    when it was asked and answered, by the assistant at once or by staff. `month` is the Kyiv
    month it was asked in."""

    __tablename__ = "report_questions"

    question_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(10))
    intent: Mapped[str | None] = mapped_column(String(20))
    month: Mapped[str | None] = mapped_column(String(7), index=True)
    asked_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    handed_over: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(10))  # assistant | staff
    answer_s: Mapped[int | None] = mapped_column(Integer)
