"""The assistant's tables in donations' database: the questions (the staff queue is the ones
waiting), and the snapshot of where books are needed that catalog publishes."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.donations.models import Base
from shared.models import AwareDateTime, utcnow


class Question(Base):
    """One question, on the web box or from Telegram, and how it was answered.

    status: answered (by the assistant at once, or by staff later) | waiting (in the staff
    queue). Personal data — the question's words, the answers, the asker's e-mail — is wiped
    ASSISTANT_KEEP_DAYS after the answer (`wiped_at`), or at once with "forget me"; intent,
    channel and times stay (the response-time figures)."""

    __tablename__ = "assistant_questions"
    __table_args__ = (Index("ix_assistant_questions_queue", "status", "asked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)  # web | telegram
    # Telegram: notifications' conversation (the chat stays there); the answer goes back to it.
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="uk")
    intent: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)          # what the assistant said
    staff_answer: Mapped[str | None] = mapped_column(Text)
    staff_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))     # web: where to send the staff answer
    # web: the sha-256 of the unguessable link the asker reopens their question with
    page_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Whose donations the question spoke of (a code in it, a Telegram chat tied to a donor):
    # "forget me" on any of them wipes it.
    donor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    donation_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    asked_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime, index=True)
    handed_over: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    wiped_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class NeedsSnapshot(Base):
    """Catalog's latest word on centres with shelves, their need and the oblasts' wishes
    (`catalog.needs_changed`): one row, the newest event wins."""

    __tablename__ = "assistant_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    as_of: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)
