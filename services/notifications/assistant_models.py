"""The assistant's tables in notifications' database: which Telegram chat a conversation is
(the chat id never leaves this service), and the answers waiting to be sent back."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.notifications.models import Base
from shared.models import AwareDateTime, BigId, utcnow


class TelegramConversation(Base):
    """A chat that wrote to the bot, under an id the other services may know. Deleted when it
    has been quiet for ASSISTANT_KEEP_DAYS, or when its donor is forgotten."""

    __tablename__ = "telegram_conversations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    chat_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    last_question_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class AssistantReply(Base):
    """An answer to send: to a Telegram conversation, or to the e-mail a web asker left.

    pending → sending (claimed) → sent | failed. Unique per event (`donations.assistant_replied`):
    a redelivered event sends nothing twice. The text and the address are wiped once sent."""

    __tablename__ = "assistant_replies"
    __table_args__ = (Index("ix_assistant_replies_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, unique=True)
    question_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)  # telegram | email
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="uk")
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
