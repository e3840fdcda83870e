"""Notifications' own tables: donor contacts (personal data) and what each donor must be told."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, text
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
    # Set by the donor on the preferences page or a one-click unsubscribe link.
    unsubscribed: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    reader_news: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Set when the donor starts our Telegram bot from their preferences page's link.
    telegram_chat_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class Notice(Base):
    """A stage of a donation the donor must hear of, at most once: once per donation and stage;
    for a stage that can happen again, once per occasion (`occasion_at`: a pickup window's
    start, a failure's time); for per-copy news, once per batch (`batch` 1, 2, …).

    `send_after` holds it in the database: the end of a batching window, or a contact that
    has not arrived yet. The delivery loop turns a due notice into messages.
    status: pending → done (messages made) | dropped (nobody to tell, or nothing to say).
    """

    __tablename__ = "notices"
    __table_args__ = (
        Index("uq_notice_once", "donation_id", "stage", "batch", unique=True,
              sqlite_where=text("occasion_at IS NULL"), postgresql_where=text("occasion_at IS NULL")),
        Index("uq_notice_occasion", "donation_id", "stage", "occasion_at", unique=True,
              sqlite_where=text("occasion_at IS NOT NULL"), postgresql_where=text("occasion_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(40), nullable=False)
    batch: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")  # per-copy: 1, 2, …
    occasion_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    channel: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    send_after: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow, index=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    # When the news happened (the event's occurred_at): an older pickup time is not told after
    # a newer one, whatever order the bus brought them in.
    occurred_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class CopyFact(Base):
    """One copy's news for a per-copy stage; a batch message counts these."""

    __tablename__ = "copy_facts"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    copy_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    centre_name: Mapped[str | None] = mapped_column(String(200))
    settlement: Mapped[str | None] = mapped_column(String(120))
    oblast: Mapped[str | None] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class Message(Base):
    """One message to one recipient on one channel: the delivery log.

    Never twice: one per recipient, notice and channel — a notice being one donation's stage
    (and occasion or batch), that is one per recipient, donation, stage and channel. The
    recipient is kept as a keyed hash, and the text is wiped on erasure, so the log holds no
    personal data."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("recipient_hash", "notice_id", "channel", name="uq_message_once"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), nullable=False, index=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(40), nullable=False)  # the notice's, for the log
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    recipient_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # pending → sending → sent | failed (after the last retry, or a permanent refusal)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    held_reason: Mapped[str | None] = mapped_column(String(40))  # e.g. quiet hours
    last_error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(10))
    segments: Mapped[int | None] = mapped_column(Integer)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class ErasedDonor(Base):
    """Donors who asked to be forgotten: their id only, so a contact event that arrives
    late (the bus does not promise order) is not stored again."""

    __tablename__ = "erased_donors"

    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class DonorGuard(Base):
    """One row per donor that both contact handlers and erasure lock first, so they run one
    after the other for a donor; it remembers the newest contact change applied (`sequence`
    from donations, or the event's time) and whether the donor was erased."""

    __tablename__ = "donor_guards"

    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    contact_sequence: Mapped[int | None] = mapped_column(Integer)
    contact_as_of: Mapped[datetime | None] = mapped_column(AwareDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class StaffAlert(Base):
    """Something staff must look at (a misrouted copy at their centre), sent once to the
    staff alerts mailbox (STAFF_ALERTS_EMAIL)."""

    __tablename__ = "staff_alerts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    key: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # pending → sending (claimed at `claimed_at`) → sent | failed | skipped (no mailbox set)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class Watch(Base):
    """Something that should have happened by `due_at`: a pickup in its window, a shipment
    received. `as_of` keeps an older event (the bus does not promise order) from reopening or
    closing what a newer one decided. The delivery loop raises a staff alert when one is due."""

    __tablename__ = "watches"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # pickup:<donation>, shipment:<id>
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    due_at: Mapped[datetime | None] = mapped_column(AwareDateTime, index=True)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    as_of: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)
    alerted_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class TelegramLink(Base):
    """A one-time code in a t.me deep link (`?start=<code>`, at most 64 characters, so not a
    signed token): when the donor starts the bot with it, their chat is tied to their contacts."""

    __tablename__ = "telegram_links"

    code: Mapped[str] = mapped_column(String(43), primary_key=True)
    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
